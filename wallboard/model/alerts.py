"""Per-queue alert levels with hysteresis, so that one poll does not make a tile flicker.

Thresholds come in pairs, yellow then red. For most figures higher is worse (calls waiting,
longest wait, time paused); for agents available lower is worse (a minimum). A level rises as
soon as its threshold is crossed and falls only once the value is back by the hysteresis margin.
Count-based levels are computed here, once per poll, and travel in the state; time-based ones
(longest wait, time paused) also tick in the browser between polls from the same thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from msgspec.structs import replace

from wallboard.i18n import N_
from wallboard.model.state import Agent, Floor, Level, Queue, Today

LEVELS = ("ok", "yellow", "red")

# Figure → (field of the queue in the state or a callable key, higher is worse)
FIGURES = {
    "waiting": True,
    "longest_wait": True,
    "available": False,
    "paused_time": True,
}

# What people read of each figure: marked for the catalogue, translated where shown.
LABELS = {
    "waiting": N_("calls waiting"),
    "longest_wait": N_("longest wait"),
    "available": N_("agents available"),
    "paused_time": N_("time paused"),
    "service_level": N_("service level under target"),
}


DEFAULTS: dict[str, dict[str, list[float]]] = {
    "*": {
        "waiting": [3, 6],
        "longest_wait": [60, 180],
        "available": [1, 0],
        "paused_time": [900, 1800],
    }
}


def merged(*layers: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Later layers win, figure by figure and queue by queue."""
    result: dict[str, dict[str, Any]] = {}
    for layer in layers:
        if layer is not None and not isinstance(layer, Mapping):
            raise ValueError("thresholds must be an object of queues")
        for queue, figures in (layer or {}).items():
            if not isinstance(figures, Mapping):
                raise ValueError(f"thresholds for {queue!r} must be an object")
            result.setdefault(str(queue), {}).update(figures)
    return result


@dataclass(frozen=True)
class Threshold:
    yellow: float
    red: float

    @property
    def higher_is_worse(self) -> bool:
        return self.red >= self.yellow


@dataclass
class Thresholds:
    """Per figure, per queue (``"*"`` for every queue without its own)."""

    by_queue: dict[str, dict[str, Threshold]] = field(default_factory=dict)
    margin: float = 0.1  # hysteresis: a tenth of the threshold, at least one unit

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None, margin: float = 0.1) -> Thresholds:
        """From ``{"*": {"waiting": [3, 6], "available": [2, 1]}, "300": {...}}``."""
        by_queue: dict[str, dict[str, Threshold]] = {}
        for queue, figures in (raw or {}).items():
            if not isinstance(figures, Mapping):
                raise ValueError(f"thresholds for {queue!r} must be an object")
            parsed = {}
            for name, pair in figures.items():
                if name not in FIGURES:
                    raise ValueError(f"unknown threshold {name!r} (known: {', '.join(FIGURES)})")
                if not (isinstance(pair, list | tuple) and len(pair) == 2):
                    raise ValueError(f"threshold {queue}.{name} must be [yellow, red]")
                yellow, red = float(pair[0]), float(pair[1])
                if (red >= yellow) != FIGURES[name]:
                    worse = "above" if FIGURES[name] else "below"
                    raise ValueError(f"threshold {queue}.{name}: red must be {worse} yellow")
                parsed[name] = Threshold(yellow, red)
            by_queue[str(queue)] = parsed
        return cls(by_queue, margin)

    def of(self, queue: str) -> dict[str, Threshold]:
        return {**self.by_queue.get("*", {}), **self.by_queue.get(queue, {})}

    def overridden(self, raw: Mapping[str, Any]) -> Thresholds:
        """These thresholds with ``raw`` (the same format) over them, figure by figure."""
        over = Thresholds.parse(raw, self.margin).by_queue
        queues = set(self.by_queue) | set(over)
        merged_ = {q: {**self.by_queue.get(q, {}), **over.get(q, {})} for q in queues}
        return Thresholds(merged_, self.margin)


Rank = Literal["ok", "yellow", "red"]


def level(value: float | None, threshold: Threshold, previous: str, margin: float) -> Rank:
    """The level of ``value``; leaving a level needs the value back past the margin (in size;
    the alert objects add a margin in time, see ``model.alert``)."""
    if value is None:
        return "ok"
    sign = 1.0 if threshold.higher_is_worse else -1.0
    v = sign * value

    def reached(limit: float, held: bool) -> bool:
        # Held: back by a tenth of the limit, at least one unit. Counts and durations cannot go
        # below 0, so for them the hold stops short of half the limit: a clearly good value
        # (0 calls waiting against a limit of 1) always clears.
        slack = max(abs(limit) * margin, 1.0) if held else 0.0
        if threshold.higher_is_worse:
            slack = min(slack, abs(limit) / 2)
        return v >= sign * limit - slack

    rank = LEVELS.index(previous) if previous in LEVELS else 0
    if reached(threshold.red, rank >= 2):
        return "red"
    if reached(threshold.yellow, rank >= 1):
        return "yellow"
    return "ok"


def queue_alerts(
    queue: Queue, thresholds: Thresholds, previous: Mapping[str, str], now: float
) -> dict[str, Level]:
    """Levels of one queue's count-based figures, and of the longest wait as of ``now``."""
    values = {
        "waiting": queue.waiting,
        "available": queue.agents_available,
        "longest_wait": (now - queue.longest_wait_since) if queue.longest_wait_since else None,
    }
    alerts: dict[str, Level] = {}
    for name, threshold in thresholds.of(queue.queue).items():
        if name not in values:
            continue  # time paused is per agent: judged in the browser
        found = level(values[name], threshold, previous.get(name, "ok"), thresholds.margin)
        if found != "ok":
            alerts[name] = found
    return alerts


def agent_alert(agent: Agent, thresholds: Thresholds, previous: str, now: float) -> Level | None:
    """The level of a paused agent's time in pause, against its first queue's thresholds."""
    if agent.state != "paused" or not agent.state_since:
        return None
    queue = agent.queues[0] if agent.queues else "*"
    threshold = thresholds.of(queue).get("paused_time")
    if threshold is None:
        return None
    found = level(now - agent.state_since, threshold, previous, thresholds.margin)
    return None if found == "ok" else found


def with_alerts(floor: Floor, thresholds: Thresholds, previous: Floor, now: float) -> Floor:
    """The floor with ``queues[].alerts``, today's ``sl_alert`` and ``agents[].alert`` set,
    each held from its level in ``previous`` (hysteresis).

    ``now`` is on QueueMetrics' clock, like the timestamps it is compared with.
    """
    before = {q.queue: q for q in previous.queues}
    queues = tuple(
        _queue_with_alerts(q, thresholds, before.get(q.queue), now) for q in floor.queues
    )
    was = {a.agent: a.alert for a in previous.agents if a.alert}
    agents = tuple(
        _agent_with_alert(a, thresholds, was.get(a.agent, "ok"), now) for a in floor.agents
    )
    return replace(floor, queues=queues, agents=agents)


def _agent_with_alert(agent: Agent, thresholds: Thresholds, previous: str, now: float) -> Agent:
    alert = agent_alert(agent, thresholds, previous, now)
    return agent if alert == agent.alert else replace(agent, alert=alert)


def _queue_with_alerts(
    queue: Queue, thresholds: Thresholds, previous: Queue | None, now: float
) -> Queue:
    alerts = queue_alerts(queue, thresholds, previous.alerts if previous else {}, now)
    today = queue.today
    if today is not None:
        was = previous.today.sl_alert if previous and previous.today else None
        today = replace(today, sl_alert=sl_alert(today, was))
    return replace(queue, alerts=alerts, today=today)


SL_MARGIN = 2.0  # percentage points: back above target only once this far above it


def sl_alert(today: Today | None, previous: str | None) -> Literal["under"] | None:
    """``"under"`` while the service level is under its target, with hysteresis."""
    if today is None or today.sl is None or today.sl_target_pct is None:
        return None
    sl, target = today.sl, today.sl_target_pct
    if previous == "under":
        return "under" if sl < target + SL_MARGIN else None
    return "under" if sl < target else None
