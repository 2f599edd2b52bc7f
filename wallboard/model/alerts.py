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
from typing import Any

LEVELS = ("ok", "yellow", "red")

# Figure → (field of the queue in the state or a callable key, higher is worse)
FIGURES = {
    "waiting": True,
    "longest_wait": True,
    "available": False,
    "paused_time": True,
}

LABELS = {
    "waiting": "calls waiting",
    "longest_wait": "longest wait",
    "available": "agents available",
    "paused_time": "time paused",
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


def level(value: float | None, threshold: Threshold, previous: str, margin: float) -> str:
    """The level of ``value``; leaving a level needs the value back past the margin."""
    if value is None:
        return "ok"
    sign = 1.0 if threshold.higher_is_worse else -1.0
    v = sign * value

    def reached(limit: float, held: bool) -> bool:
        slack = max(abs(limit) * margin, 1.0) if held else 0.0
        return v >= sign * limit - slack

    rank = LEVELS.index(previous) if previous in LEVELS else 0
    if reached(threshold.red, rank >= 2):
        return "red"
    if reached(threshold.yellow, rank >= 1):
        return "yellow"
    return "ok"


def queue_alerts(
    queue: Mapping[str, Any], thresholds: Thresholds, previous: Mapping[str, str], now: float
) -> dict[str, str]:
    """Levels of one queue's count-based figures, and of the longest wait as of ``now``."""
    values = {
        "waiting": queue.get("waiting"),
        "available": queue.get("agents_available"),
        "longest_wait": (now - queue["longest_wait_since"])
        if queue.get("longest_wait_since")
        else None,
    }
    alerts = {}
    for name, threshold in thresholds.of(str(queue["queue"])).items():
        if name not in values:
            continue  # time paused is per agent: judged in the browser
        found = level(values[name], threshold, previous.get(name, "ok"), thresholds.margin)
        if found != "ok":
            alerts[name] = found
    return alerts


def agent_alert(
    agent: Mapping[str, Any], thresholds: Thresholds, previous: str, now: float
) -> str | None:
    """The level of a paused agent's time in pause, against its first queue's thresholds."""
    if agent.get("state") != "paused" or not agent.get("state_since"):
        return None
    queue = agent["queues"][0] if agent.get("queues") else "*"
    threshold = thresholds.of(queue).get("paused_time")
    if threshold is None:
        return None
    found = level(now - agent["state_since"], threshold, previous, thresholds.margin)
    return None if found == "ok" else found


def apply_alerts(
    state: dict[str, Any], thresholds: Thresholds, previous: dict[str, Any] | None, now: float
) -> None:
    """Set ``queues[].alerts`` and ``agents[].alert`` in place, from the previous levels.

    ``now`` is on QueueMetrics' clock, like the timestamps it is compared with.
    """
    before = {q["queue"]: q.get("alerts", {}) for q in (previous or {}).get("queues", [])}
    for queue in state["queues"]:
        queue["alerts"] = queue_alerts(queue, thresholds, before.get(queue["queue"], {}), now)
    was_sl = {
        q["queue"]: (q.get("today") or {}).get("sl_alert")
        for q in (previous or {}).get("queues", [])
    }
    for queue in state["queues"]:
        if queue.get("today"):
            queue["today"]["sl_alert"] = sl_alert(queue["today"], was_sl.get(queue["queue"]))
    was = {a["agent"]: a.get("alert") or "ok" for a in (previous or {}).get("agents", [])}
    for agent in state["agents"]:
        agent["alert"] = agent_alert(agent, thresholds, was.get(agent["agent"], "ok"), now)


SL_MARGIN = 2.0  # percentage points: back above target only once this far above it


def sl_alert(today: Mapping[str, Any] | None, previous: str | None) -> str | None:
    """``"under"`` while the service level is under its target, with hysteresis."""
    if not today or today.get("sl") is None or today.get("sl_target_pct") is None:
        return None
    sl, target = float(today["sl"]), float(today["sl_target_pct"])
    if previous == "under":
        return "under" if sl < target + SL_MARGIN else None
    return "under" if sl < target else None
