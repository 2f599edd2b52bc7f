"""One real-time poll, from QueueMetrics' raw answer to what the screens must be told.

``step`` is the whole chain, pure: derive the floor from the raw rows with the names known now,
put today's figures on its queues, judge its alerts against the thresholds (held from the
previous floor's levels), and diff it against the previous floor. The poller and the benchmarks
call this one function; nothing changes the previous floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallboard.model.alerts import Thresholds, with_alerts
from wallboard.model.derive import Directory, derive
from wallboard.model.diff import Delta, diff
from wallboard.model.insights import Insights, Outcome, apply
from wallboard.model.state import Floor
from wallboard.model.today import with_today
from wallboard.qm.realtime import Realtime


@dataclass(frozen=True, slots=True)
class Context:
    """What a poll is judged with, besides its raw answer."""

    watched: list[str]  # the watched queues; ``["*"]`` for all
    directory: Directory  # names and teams
    thresholds: Thresholds
    today: Mapping[str, Any] | None = None  # today's figures as stored, if QmStats runs
    insights: Insights | None = None  # the insight widgets' inputs (model/insights.py)


@dataclass(frozen=True, slots=True)
class Step:
    floor: Floor
    delta: Delta  # ``{}`` when nothing changed
    insights: Outcome | None = None  # the trend and pauses to keep, when insights run


def step(previous: Floor, realtime: Realtime, context: Context, qm_now: float) -> Step:
    """The new floor and its delta from ``previous``; ``qm_now`` is on QueueMetrics' clock."""
    floor = derive(realtime, context.watched, context.directory)
    if context.today is not None:
        floor = with_today(floor, context.today)
    outcome = None
    if context.insights is not None:
        outcome = apply(previous, floor, context.insights, qm_now)
        floor = outcome.floor
    floor = with_alerts(floor, context.thresholds, previous, qm_now)
    return Step(floor, diff(previous, floor), outcome)
