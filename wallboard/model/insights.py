"""The insight widgets' figures put on the floor, in the poll pipeline (model/pipeline.py).

Pure: what the poller keeps between polls goes in (today's tallies and recent calls from
QmStats, the trend points, the ended pauses) and comes out brought up to this poll, with the
floor carrying each queue's trend and staffing and each agent's day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from msgspec.structs import replace

from wallboard.model.agentday import Tally, agent_key, day_of, ended_pauses
from wallboard.model.staffing import WINDOW_S, Recent, staffing, window, window_sl
from wallboard.model.state import Agent, Floor, Queue
from wallboard.model.trend import Series, sample
from wallboard.qm.stats import CallRecord

Target = tuple[float, float] | None  # seconds, percent; None: the queue has no target
MIN_SPAN_S = 300.0  # just after the day starts, the rate is taken over at least 5 minutes


@dataclass(frozen=True, slots=True)
class Insights:
    """What one poll's insight figures are computed from."""

    day_start: float  # the business day's start (QueueMetrics' clock)
    tallies: Mapping[str, Tally] | None = None  # per agent; None until QmStats answers
    recent: Mapping[str, Sequence[Recent]] | None = None  # per queue, the last calls
    targets: Mapping[str, Target] = field(default_factory=dict)
    default_target: Target = None
    trend: Mapping[str, Series] = field(default_factory=dict)
    pauses: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    floor: Floor
    trend: dict[str, Series]
    pauses: dict[str, float]


def _live(floor: Floor) -> dict[str, list[Recent]]:
    """Calls still in QueueMetrics' queues: they arrived, but the call list lacks them yet."""
    out: dict[str, list[Recent]] = {}
    for call in floor.calls:
        if call.entered:
            out.setdefault(call.queue, []).append(Recent(float(call.entered), False, 0.0))
    for calls in out.values():
        calls.sort(key=lambda c: c.entered)
    return out


def _with_day(agent: Agent, insights: Insights, pauses: Mapping[str, float], now: float) -> Agent:
    key = agent_key(agent.agent)
    tallied = (insights.tallies or {}).get(key)
    return replace(
        agent, today=day_of(agent, tallied, pauses.get(key, 0.0), now, insights.day_start)
    )


def span(now: float, day_start: float) -> float:
    """The window the arrival rate is measured over: 30 minutes, or the day so far when it is
    younger (calls before the day's start are not in today's list, so dividing by 30 minutes
    would understate the rate)."""
    return min(WINDOW_S, max(MIN_SPAN_S, now - day_start))


def apply(previous: Floor, floor: Floor, insights: Insights, now: float) -> Outcome:
    live = _live(floor)
    span_s = span(now, insights.day_start)
    readings: dict[str, tuple[int, int, float | None]] = {}
    queues: list[Queue] = []
    for q in floor.queues:
        target = insights.targets.get(q.queue, insights.default_target)
        target_s, target_pct = target if target is not None else (None, None)
        staffed = None
        sl = None
        if insights.recent is not None:
            finished = window(insights.recent.get(q.queue, ()), now)
            sl = window_sl(finished, target_s)
            calls = [*finished, *window(live.get(q.queue, ()), now)]
            staffed = staffing(
                calls,
                available=q.agents_available,
                on_call=q.agents_on_call,
                target_s=target_s,
                target_pct=target_pct,
                span_s=span_s,
            )
        longest = max(0, int(now - q.longest_wait_since)) if q.longest_wait_since else 0
        readings[q.queue] = (q.waiting, longest, sl)
        queues.append(replace(q, staffing=staffed))
    trend = sample(insights.trend, readings, now)
    queues = [replace(q, trend=trend.get(q.queue, ())) for q in queues]
    pauses = ended_pauses(insights.pauses, previous, floor, now, insights.day_start)
    agents = floor.agents
    if insights.tallies is not None:
        agents = tuple(_with_day(a, insights, pauses, now) for a in floor.agents)
    return Outcome(replace(floor, queues=tuple(queues), agents=agents), trend, pauses)


def recent_calls(calls: Iterable[CallRecord], since: float) -> dict[str, list[Recent]]:
    """Per queue, the calls of QmStats' list that entered at or after ``since``, sorted by
    entry (``staffing.window`` bisects them)."""
    out: dict[str, list[Recent]] = {}
    for c in calls:
        if c.entered >= since:
            out.setdefault(c.queue, []).append(
                Recent(float(c.entered), c.answered, float(c.talk), float(c.wait))
            )
    for recent in out.values():
        recent.sort(key=lambda c: c.entered)
    return out
