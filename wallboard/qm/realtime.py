"""The two raw real-time blocks, ``RtAgentsRaw`` and ``RtCallsRaw``, as typed records.

This is still QueueMetrics' view: one record per row, codes undecoded. Grouping rows per agent
and deriving states is the model's work.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct

from wallboard.qm.errors import QMProtocolError
from wallboard.qm.wire import Columns, epoch_of, find_block

AGENTS_BLOCK = "RealtimeDO.RtAgentsRaw"
CALLS_BLOCK = "RealtimeDO.RtCallsRaw"

_PREFIX = re.compile(r"^(acb|rt)_", re.IGNORECASE)
# The title of the call-id column is not confirmed by any source: accept the likely ones.
_CALLID_TITLES = ("callid", "uniqueid", "call_id", "unique_id", "id")
# The columns read, by short name, in the order of the rows' fields.
_AGENT_COLUMNS = (
    "agent",
    "queue",
    "logon",
    "extension",
    "onpause",
    "curpausecode",
    "curpausetst",
    "serverid",
    "freesincepauorcalltst",
    "incurrstatussincetst",
)
_CALL_COLUMNS = ("queue", "entered", "answered", "agent", "caller", "dnis", "serverid")


# Rows are thousands an answer and hold only text and numbers: no reference cycle can go
# through them, so the garbage collector need not follow them.
class AgentRow(Struct, frozen=True, gc=False):
    agent: str
    queues: tuple[str, ...]
    logon: int | None
    extension: str
    on_pause: str
    pause_code: str
    pause_since: int | None
    server: str
    free_since: int | None
    status_since: int | None


class CallRow(Struct, frozen=True, gc=False):
    callid: str
    queue: str
    entered: int | None
    answered: int | None
    agent: str
    caller: str
    dnis: str
    server: str


class Realtime(Struct, frozen=True):
    agents: list[AgentRow]
    calls: list[CallRow]


def _columns(block: Columns) -> dict[str, str]:
    """Short lower-case name (``agent``) → the title as QueueMetrics wrote it (``ACB_agent``)."""
    names: dict[str, str] = {}
    for title in block.titles:
        names.setdefault(_PREFIX.sub("", title).lower(), title)
    return names


def _require(columns: dict[str, str], block: str, *wanted: str) -> None:
    missing = [w for w in wanted if w not in columns]
    if missing:
        raise QMProtocolError(f"block {block!r} lacks column(s) {', '.join(missing)}")


def parse_agents(block: Columns) -> list[AgentRow]:
    columns = _columns(block)
    if len(block):
        _require(columns, AGENTS_BLOCK, "agent", "queue")
    titles = [columns.get(name) for name in _AGENT_COLUMNS]
    # For the errors: a missing column's cells are all "", which are no time, named or not.
    logon_t, pause_t, free_t, status_t = (titles[i] or "" for i in (2, 6, 8, 9))
    agents = []
    rows = zip(*map(block.column, titles), strict=True)
    for code, queues, logon, extension, on_pause, pause_code, paused, server, free, status in rows:
        if not code:
            raise QMProtocolError(f"block {AGENTS_BLOCK!r}: a row has no agent code")
        agents.append(
            AgentRow(
                agent=code.lower(),
                queues=tuple(filter(None, queues.split(":"))),
                logon=epoch_of(logon, logon_t),
                extension=extension,
                on_pause=on_pause,
                pause_code=pause_code,
                pause_since=epoch_of(paused, pause_t),
                server=server,
                free_since=epoch_of(free, free_t),
                status_since=epoch_of(status, status_t),
            )
        )
    return agents


def parse_calls(block: Columns) -> list[CallRow]:
    columns = _columns(block)
    if len(block):
        _require(columns, CALLS_BLOCK, "queue", "entered", "answered", "agent")
    id_title = next((columns[t] for t in _CALLID_TITLES if t in columns), None)
    titles = [id_title, *(columns.get(name) for name in _CALL_COLUMNS)]
    entered_t, answered_t = titles[2] or "", titles[3] or ""
    calls = []
    rows = zip(*map(block.column, titles), strict=True)
    for callid, queue, entered_cell, answered, agent, caller, dnis, server in rows:
        entered = epoch_of(entered_cell, entered_t)
        if not callid:
            # Stable across polls, and the same for the rows of one call seen in two queues.
            known = caller and caller.lower() != "anonymous"
            callid = f"x-{caller}-{dnis}" if known else f"x-{queue}-{entered or 0}"
        calls.append(
            CallRow(
                callid=callid,
                queue=queue,
                entered=entered,
                answered=epoch_of(answered, answered_t),
                agent=agent.lower(),
                caller=caller,
                dnis=dnis,
                server=server,
            )
        )
    return calls


def parse_realtime(payload: Any) -> Realtime:
    """Both blocks out of one QmRealtime answer (whose ``result`` was already checked)."""
    if not isinstance(payload, dict):
        raise QMProtocolError("QueueMetrics' answer is not a JSON object")
    agents = parse_agents(Columns(find_block(payload, AGENTS_BLOCK), AGENTS_BLOCK))
    calls = parse_calls(Columns(find_block(payload, CALLS_BLOCK), CALLS_BLOCK))
    return Realtime(agents=agents, calls=calls)
