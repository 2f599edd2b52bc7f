"""The poll chain, as the poller runs it: derive, names, today's figures, alerts, delta."""

from __future__ import annotations

from typing import Any

from tests.test_derive import agent, call
from wallboard.model.alerts import Thresholds
from wallboard.model.derive import Directory
from wallboard.model.diff import apply
from wallboard.model.pipeline import Context, step
from wallboard.model.state import EMPTY, Floor, Today
from wallboard.qm.realtime import Realtime

THRESHOLDS = Thresholds.parse({"*": {"waiting": [3, 6]}})
DIRECTORY = Directory(
    agents={"agent/1": {"name": "John Doe", "group": "Sales team"}},
    queues={"300": "Sales"},
    pauses={"10": "Coffee break"},
)


def context(today: dict[str, Any] | None = None, directory: Directory = DIRECTORY) -> Context:
    return Context(watched=["300"], directory=directory, thresholds=THRESHOLDS, today=today)


def waiting(n: int) -> Realtime:
    """agent/1 on queue 300 with ``n`` calls waiting."""
    calls = [call(f"w{i}", "300", entered=1000 + i) for i in range(n)]
    return Realtime([agent("agent/1", "300")], calls)


def test_names_are_applied() -> None:
    paused = Realtime([agent("agent/1", pause_code="10", pause_since=1200)], [])
    floor = step(EMPTY, paused, context(), 2000).floor
    (one,) = floor.agents
    assert (one.name, one.group, one.pause_reason) == ("John Doe", "Sales team", "Coffee break")
    assert [(q.queue, q.name) for q in floor.queues] == [("300", "Sales")]
    unnamed = step(EMPTY, paused, context(directory=Directory()), 2000).floor
    assert unnamed.agents[0].name == "agent/1" and unnamed.queues[0].name == "300"


def test_todays_figures_are_attached() -> None:
    stored = {
        "as_of": 1500.0,
        "stale": False,
        "queues": {"300": {"offered": 10, "answered": 8, "lost": 2, "answered_in_target": 6,
                           "sl": 60.0, "sl_target_pct": 80.0, "sl_target_s": 20.0}},
    }  # fmt: skip
    floor = step(EMPTY, waiting(0), context(stored), 2000).floor
    today = floor.queues[0].today
    assert today == Today(
        offered=10, answered=8, lost=2, answered_in_target=6, sl=60.0, sl_target_pct=80.0,
        sl_target_s=20.0, as_of=1500.0, stale=False, sl_alert="under",
    )  # fmt: skip
    assert step(EMPTY, waiting(0), context(), 2000).floor.queues[0].today is None
    unknown = step(EMPTY, waiting(0), context({"queues": {}}), 2000).floor
    assert unknown.queues[0].today is None


def test_alerts_are_held_by_hysteresis_from_the_previous_floor() -> None:
    first = step(EMPTY, waiting(3), context(), 2000)
    assert first.floor.queues[0].alerts == {"waiting": "yellow"}
    held = step(first.floor, waiting(2), context(), 2001)
    assert held.floor.queues[0].alerts == {"waiting": "yellow"}, "one call less must not flicker"
    assert step(EMPTY, waiting(2), context(), 2001).floor.queues[0].alerts == {}
    gone = step(held.floor, waiting(1), context(), 2002)
    assert gone.floor.queues[0].alerts == {}
    assert first.floor.queues[0].alerts == {"waiting": "yellow"}, "the previous floor is kept"


def test_service_level_alert_is_held_from_the_previous_floor() -> None:
    def stored(sl: float) -> dict[str, Any]:
        return {"queues": {"300": {"sl": sl, "sl_target_pct": 80.0}}}

    under = step(EMPTY, waiting(0), context(stored(79.0)), 2000).floor
    assert under.queues[0].today and under.queues[0].today.sl_alert == "under"
    held = step(under, waiting(0), context(stored(81.0)), 2001).floor
    assert held.queues[0].today and held.queues[0].today.sl_alert == "under"
    fresh = step(EMPTY, waiting(0), context(stored(81.0)), 2001).floor
    assert fresh.queues[0].today and fresh.queues[0].today.sl_alert is None


def test_delta_is_empty_when_nothing_changed() -> None:
    first = step(EMPTY, waiting(3), context(), 2000)
    again = step(first.floor, waiting(3), context(), 2000)
    assert again.delta == {}
    assert again.floor == first.floor


def test_delta_takes_the_previous_floor_to_the_new_one() -> None:
    first = step(EMPTY, waiting(3), context(), 2000)
    assert apply(EMPTY, first.delta) == first.floor
    second = step(first.floor, waiting(7), context(), 2001)
    assert second.delta["queues"]["set"]["300"] == {
        "waiting": 7,
        "alerts": {"waiting": "red"},
    }
    assert set(second.delta["calls"]["set"]) == {"w3", "w4", "w5", "w6"}
    assert apply(first.floor, second.delta) == second.floor
    assert isinstance(second.floor, Floor)
