"""From the raw rows of one real-time poll to the floor: one agent per agent code (whatever
the number of queues it is logged on to), one call per call id, and each queue's counts.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from msgspec.structs import replace

from wallboard.model.state import (
    AGENTS,
    CALLS,
    QUEUES,
    Agent,
    AgentState,
    Call,
    CallState,
    Floor,
    Queue,
)
from wallboard.qm.realtime import AgentRow, CallRow, Realtime


@dataclass
class Directory:
    """Names and teams from QueueMetrics' configuration; codes stand in for what is missing."""

    agents: dict[str, dict[str, str]] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    pauses: dict[str, str] = field(default_factory=dict)


def _paused(row: AgentRow) -> bool:
    # A pause code is the confirmed signal of a pause; the other two columns cover a pause
    # taken without a code, which some QueueMetrics versions show only there.
    if row.pause_code:
        return True
    if row.on_pause and row.on_pause not in ("-", "0"):
        return True
    return row.pause_since is not None


def _merge_rows(rows: list[AgentRow]) -> AgentRow:
    """Rows of one agent (one per queue on some QueueMetrics) as one."""
    first = rows[0]
    if len(rows) == 1:  # the usual case: what the rules below make of one row
        return replace(
            first,
            queues=tuple(dict.fromkeys(first.queues)),
            logon=first.logon or None,
            free_since=first.free_since or None,
            status_since=first.status_since or None,
        )
    queues = dict.fromkeys(q for row in rows for q in row.queues)
    paused = next((r for r in rows if _paused(r)), first)
    return AgentRow(
        agent=first.agent,
        queues=tuple(queues),
        logon=min((r.logon for r in rows if r.logon), default=None),
        extension=next((r.extension for r in rows if r.extension), ""),
        on_pause=paused.on_pause,
        pause_code=paused.pause_code,
        pause_since=paused.pause_since,
        server=next((r.server for r in rows if r.server), ""),
        free_since=max((r.free_since for r in rows if r.free_since), default=None),
        status_since=max((r.status_since for r in rows if r.status_since), default=None),
    )


def _last_moment(row: CallRow) -> int:
    return max(row.entered or 0, row.answered or 0)


def _dedupe_calls(rows: list[CallRow]) -> list[CallRow]:
    """One call per call id: after a transfer QueueMetrics lists a row per queue stint; the
    stint whose latest moment (entry or answer) is newest is where the call is now."""
    latest: dict[str, CallRow] = {}
    for row in rows:
        seen = latest.get(row.callid)
        if seen is None or _last_moment(row) >= _last_moment(seen):
            latest[row.callid] = row
    return list(latest.values())


def _call(row: CallRow) -> Call:
    if not row.agent:
        state: CallState = "waiting"
    elif row.answered:
        state = "talking"
    else:
        state = "dialing"
    return Call(
        callid=row.callid,
        queue=row.queue,
        caller=row.caller,
        dnis=row.dnis,
        state=state,
        entered=row.entered,
        answered=row.answered,
        agent=row.agent or None,
    )


def _agent(row: AgentRow, call: Call | None, directory: Directory) -> Agent:
    info = directory.agents.get(row.agent, {})
    paused = _paused(row)
    state: AgentState
    if call is not None:
        state, activity = "on_call", call.state
        since = call.answered if call.state == "talking" else call.entered
    elif paused:
        state, activity = "paused", None
        since = row.pause_since or row.status_since
    else:
        state, activity = "available", None
        since = row.free_since or row.logon or row.status_since
    code = row.pause_code if paused else ""
    return Agent(
        agent=row.agent,
        name=info.get("name") or row.agent,
        group=info.get("group", ""),
        location=info.get("location", ""),
        supervisor=info.get("supervisor", ""),
        queues=row.queues,
        extension=row.extension,
        server=row.server,
        state=state,
        activity=activity,
        pause_code=code or None,
        pause_reason=directory.pauses.get(code, "") if code else "",
        state_since=since,
        logon=row.logon,
    )


@dataclass(frozen=True, slots=True)
class StateCounts:
    """Agents by state: one count for a queue, or for a whole selection of queues."""

    logged_in: int
    available: int
    on_call: int
    paused: int

    @classmethod
    def of(cls, agents: Iterable[Agent]) -> StateCounts:
        states = [a.state for a in agents]
        return cls(
            len(states),
            states.count("available"),
            states.count("on_call"),
            states.count("paused"),
        )


def longest_wait_since(calls: Iterable[Call]) -> int | None:
    """When the longest-waiting call entered, among the calls waiting."""
    return min((c.entered for c in calls if c.state == "waiting" and c.entered), default=None)


def _queue(code: str, members: list[Agent], calls: list[Call], directory: Directory) -> Queue:
    """One queue's figures from its own agents and calls (grouped once for all queues)."""
    counts = StateCounts.of(members)
    return Queue(
        queue=code,
        name=directory.queues.get(code) or code,
        waiting=sum(1 for c in calls if c.state == "waiting"),
        longest_wait_since=longest_wait_since(calls),
        talking=sum(1 for c in calls if c.state == "talking"),
        agents_logged_in=counts.logged_in,
        agents_available=counts.available,
        agents_on_call=counts.on_call,
        agents_paused=counts.paused,
    )


def _queue_codes(watched: list[str], agents: list[Agent], calls: list[Call]) -> list[str]:
    """The watched queues, then any other queue an agent or a call is in."""
    codes = [q for q in watched if q != "*"]
    seen = set(codes)
    for code in [q for a in agents for q in a.queues] + [c.queue for c in calls]:
        if code and code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def derive(realtime: Realtime, watched: list[str], directory: Directory) -> Floor:
    """The floor: queues, agents (one per agent code) and live calls."""
    by_agent: dict[str, list[AgentRow]] = {}
    for row in realtime.agents:
        by_agent.setdefault(row.agent, []).append(row)
    calls = [_call(r) for r in _dedupe_calls(realtime.calls)]
    call_of = {c.agent: c for c in calls if c.agent}
    agents = [
        _agent(_merge_rows(rows), call_of.get(code), directory) for code, rows in by_agent.items()
    ]
    codes = _queue_codes(watched, agents, calls)
    members: dict[str, list[Agent]] = {code: [] for code in codes}
    for agent in agents:
        for code in agent.queues:
            members[code].append(agent)
    calls_of: dict[str, list[Call]] = {code: [] for code in codes}
    for call in calls:
        if call.queue in calls_of:
            calls_of[call.queue].append(call)
    queues = [_queue(code, members[code], calls_of[code], directory) for code in codes]
    return Floor(
        queues=QUEUES.ordered(queues), agents=AGENTS.ordered(agents), calls=CALLS.ordered(calls)
    )
