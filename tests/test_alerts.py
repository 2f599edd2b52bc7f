from __future__ import annotations

from typing import Any

import pytest
from msgspec.structs import replace

from wallboard.model.alerts import Threshold, Thresholds, level, with_alerts
from wallboard.model.state import EMPTY, Agent, Floor, Queue


def test_rises_at_once_and_falls_only_past_the_margin() -> None:
    t = Threshold(5, 10)
    assert level(4, t, "ok", 0.1) == "ok"
    assert level(5, t, "ok", 0.1) == "yellow"
    assert level(4, t, "yellow", 0.1) == "yellow", "one call less must not flicker"
    assert level(3, t, "yellow", 0.1) == "ok"
    assert level(10, t, "yellow", 0.1) == "red"
    assert level(9, t, "red", 0.1) == "red"
    assert level(8, t, "red", 0.1) == "yellow"


def test_a_minimum_is_inverted() -> None:
    t = Threshold(2, 1)  # fewer than 2 available: yellow; fewer than 1: red
    assert level(3, t, "ok", 0.1) == "ok"
    assert level(2, t, "ok", 0.1) == "yellow"
    assert level(1, t, "ok", 0.1) == "red"
    assert level(2, t, "red", 0.1) == "red"
    assert level(3, t, "red", 0.1) == "yellow"
    assert level(4, t, "yellow", 0.1) == "ok"


def test_large_thresholds_use_a_proportional_margin() -> None:
    t = Threshold(60, 120)
    assert level(55, t, "yellow", 0.1) == "yellow"
    assert level(53, t, "yellow", 0.1) == "ok"


def test_parse_with_defaults_and_per_queue() -> None:
    th = Thresholds.parse(
        {"*": {"waiting": [3, 6]}, "300": {"waiting": [1, 2], "available": [2, 1]}}
    )
    assert th.of("300")["waiting"] == Threshold(1, 2)
    assert th.of("301") == {"waiting": Threshold(3, 6)}


@pytest.mark.parametrize(
    "raw",
    [{"*": {"nope": [1, 2]}}, {"*": {"waiting": [6, 3]}}, {"*": {"available": [1, 2]}}, {"*": 3}],
)
def test_bad_thresholds_are_refused_with_the_reason(raw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Thresholds.parse(raw)


def test_with_alerts_keeps_levels_across_polls() -> None:
    th = Thresholds.parse({"*": {"waiting": [3, 6], "longest_wait": [60, 120]}})
    queue = Queue(queue="300", name="Sales", waiting=3, agents_available=1, longest_wait_since=1000)
    state = with_alerts(Floor(queues=(queue,)), th, EMPTY, now=1130)
    assert state.queues[0].alerts == {"waiting": "yellow", "longest_wait": "red"}
    later = Floor(queues=(replace(queue, waiting=2, longest_wait_since=None),))
    later = with_alerts(later, th, state, now=1131)
    assert later.queues[0].alerts == {"waiting": "yellow"}


def test_with_alerts_leaves_the_floor_it_is_given_as_it_was() -> None:
    th = Thresholds.parse({"*": {"waiting": [3, 6]}})
    floor = Floor(queues=(Queue(queue="300", name="Sales", waiting=7),))
    assert with_alerts(floor, th, EMPTY, now=0).queues[0].alerts == {"waiting": "red"}
    assert floor.queues[0].alerts == {}


def test_paused_too_long() -> None:
    th = Thresholds.parse({"*": {"paused_time": [600, 900]}})
    agent = Agent(agent="a", name="A", state="paused", state_since=1000, queues=("300",))
    state = Floor(agents=(agent,))
    state = with_alerts(state, th, EMPTY, now=1700)
    assert state.agents[0].alert == "yellow"
    state = with_alerts(state, th, EMPTY, now=1000 + 901)
    assert state.agents[0].alert == "red"
    available = Floor(agents=(replace(agent, state="available"),))
    available = with_alerts(available, th, state, now=5000)
    assert available.agents[0].alert is None


@pytest.mark.parametrize("limit", [0, 1])
def test_a_clearly_good_value_always_clears(limit: int) -> None:
    # Calls waiting, yellow at ``limit``: once nobody waits the alert must go, whatever held it.
    t = Threshold(limit, limit + 1)
    if limit:
        assert level(limit, t, "ok", 0.1) == "yellow"
    assert level(0, t, "yellow", 0.1) == ("yellow" if limit == 0 else "ok")
    assert level(0, Threshold(1, 2), "red", 0.1) == "ok"


def test_small_limits_hold_by_less_than_half() -> None:
    t = Threshold(2, 4)
    assert level(1, t, "yellow", 0.1) == "yellow", "one below a limit of 2 still holds"
    assert level(0, t, "yellow", 0.1) == "ok"
    assert level(3, t, "red", 0.1) == "red"
    assert level(2, t, "red", 0.1) == "yellow"


def test_lower_is_worse_holds_by_one_and_then_clears() -> None:
    # Agents available: yellow at 1 or fewer, red at none.
    t = Threshold(1, 0)
    assert level(0, t, "ok", 0.1) == "red"
    assert level(1, t, "red", 0.1) == "red", "one agent back does not flicker"
    assert level(2, t, "red", 0.1) == "yellow"
    assert level(2, t, "yellow", 0.1) == "yellow"
    assert level(3, t, "yellow", 0.1) == "ok"
