"""The two raw real-time blocks, ``RtAgentsRaw`` and ``RtCallsRaw``, as typed records.

This is still QueueMetrics' view: one record per row, codes undecoded. Grouping rows per agent
and deriving states is the model's work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wallboard.qm.errors import QMProtocolError
from wallboard.qm.wire import Row, epoch, find_block, table

AGENTS_BLOCK = "RealtimeDO.RtAgentsRaw"
CALLS_BLOCK = "RealtimeDO.RtCallsRaw"

_PREFIX = re.compile(r"^(acb|rt)_", re.IGNORECASE)
# The title of the call-id column is not confirmed by any source: accept the likely ones.
_CALLID_TITLES = ("callid", "uniqueid", "call_id", "unique_id", "id")


@dataclass(frozen=True, slots=True)
class AgentRow:
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


@dataclass(frozen=True, slots=True)
class CallRow:
    callid: str
    queue: str
    entered: int | None
    answered: int | None
    agent: str
    caller: str
    dnis: str
    server: str


@dataclass(frozen=True, slots=True)
class Realtime:
    agents: list[AgentRow]
    calls: list[CallRow]


def _columns(rows: list[Row]) -> dict[str, str]:
    """Short lower-case name (``agent``) → the title as QueueMetrics wrote it (``ACB_agent``)."""
    names: dict[str, str] = {}
    for row in rows[:1]:
        for title in row:
            names.setdefault(_PREFIX.sub("", title).lower(), title)
    return names


def _require(columns: dict[str, str], block: str, *wanted: str) -> None:
    missing = [w for w in wanted if w not in columns]
    if missing:
        raise QMProtocolError(f"block {block!r} lacks column(s) {', '.join(missing)}")


def _get(row: Row, columns: dict[str, str], name: str) -> str:
    title = columns.get(name)
    return row.get(title, "") if title else ""


def _epoch(row: Row, columns: dict[str, str], name: str) -> int | None:
    title = columns.get(name)
    return epoch(row, title) if title else None


def parse_agents(rows: list[Row]) -> list[AgentRow]:
    columns = _columns(rows)
    if rows:
        _require(columns, AGENTS_BLOCK, "agent", "queue")
    agents = []
    for row in rows:
        code = _get(row, columns, "agent").lower()
        if not code:
            raise QMProtocolError(f"block {AGENTS_BLOCK!r}: a row has no agent code")
        queues = tuple(q for q in _get(row, columns, "queue").split(":") if q)
        agents.append(
            AgentRow(
                agent=code,
                queues=queues,
                logon=_epoch(row, columns, "logon"),
                extension=_get(row, columns, "extension"),
                on_pause=_get(row, columns, "onpause"),
                pause_code=_get(row, columns, "curpausecode"),
                pause_since=_epoch(row, columns, "curpausetst"),
                server=_get(row, columns, "serverid"),
                free_since=_epoch(row, columns, "freesincepauorcalltst"),
                status_since=_epoch(row, columns, "incurrstatussincetst"),
            )
        )
    return agents


def parse_calls(rows: list[Row]) -> list[CallRow]:
    columns = _columns(rows)
    if rows:
        _require(columns, CALLS_BLOCK, "queue", "entered", "answered", "agent")
    id_column = next((columns[t] for t in _CALLID_TITLES if t in columns), None)
    calls = []
    for row in rows:
        entered = _epoch(row, columns, "entered")
        caller = _get(row, columns, "caller")
        dnis = _get(row, columns, "dnis")
        queue = _get(row, columns, "queue")
        callid = row.get(id_column, "") if id_column else ""
        if not callid:
            # Stable across polls, and the same for the rows of one call seen in two queues.
            known = caller and caller.lower() != "anonymous"
            callid = f"x-{caller}-{dnis}" if known else f"x-{queue}-{entered or 0}"
        calls.append(
            CallRow(
                callid=callid,
                queue=queue,
                entered=entered,
                answered=_epoch(row, columns, "answered"),
                agent=_get(row, columns, "agent").lower(),
                caller=caller,
                dnis=dnis,
                server=_get(row, columns, "serverid"),
            )
        )
    return calls


def parse_realtime(payload: Any) -> Realtime:
    """Both blocks out of one QmRealtime answer (whose ``result`` was already checked)."""
    if not isinstance(payload, dict):
        raise QMProtocolError("QueueMetrics' answer is not a JSON object")
    agents = parse_agents(table(find_block(payload, AGENTS_BLOCK), AGENTS_BLOCK))
    calls = parse_calls(table(find_block(payload, CALLS_BLOCK), CALLS_BLOCK))
    return Realtime(agents=agents, calls=calls)
