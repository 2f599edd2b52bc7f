"""Agents needed now (model/staffing.py): the figure, and "not enough data" without inputs."""

from __future__ import annotations

import pytest

from wallboard.model import erlang
from wallboard.model.staffing import WINDOW_S, Recent, staffing, window, window_sl

NOW = 100_000.0


def calls(n: int, talk: float = 180.0, wait: float = 5.0) -> list[Recent]:
    """``n`` answered calls spread over the last 30 minutes."""
    return [Recent(NOW - WINDOW_S + i * WINDOW_S / n, True, talk, wait) for i in range(n)]


def test_the_worked_example_on_a_queue() -> None:
    # 100 calls in 30 minutes at 180 s each, 80 % in 20 s: 14 agents (tests/test_erlang.py).
    s = staffing(calls(100), available=3, on_call=8, target_s=20, target_pct=80)
    assert s.missing is None
    assert (s.arrivals_per_hour, s.aht_s, s.traffic) == (200.0, 180.0, 10.0)
    assert (s.needed, s.staffed, s.gap) == (14, 11, 3)
    assert s.projected_sl == int(1000 * erlang.service_level(11, 10.0, 180, 20)) / 10
    assert s.projected_sl is not None and s.projected_sl < 80


def test_more_agents_than_needed_is_a_negative_gap() -> None:
    s = staffing(calls(100), available=6, on_call=10, target_s=20, target_pct=80)
    assert (s.needed, s.gap) == (14, -2)
    assert s.projected_sl is not None and s.projected_sl > 80


def test_nobody_staffed_projects_zero() -> None:
    s = staffing(calls(100), available=0, on_call=0, target_s=20, target_pct=80)
    assert (s.needed, s.gap, s.projected_sl) == (14, 14, 0.0)


def test_unanswered_calls_count_in_the_rate_not_the_handling_time() -> None:
    mixed = calls(50) + [Recent(NOW - 60, False, 0.0, 30.0) for _ in range(50)]
    s = staffing(mixed, available=5, on_call=5, target_s=20, target_pct=80)
    assert (s.arrivals_per_hour, s.aht_s, s.traffic) == (200.0, 180.0, 10.0)


@pytest.mark.parametrize(
    ("recent", "target_s", "target_pct", "why"),
    [
        ([], 20, 80, "no_calls"),  # no call yet today
        (calls(10, talk=0.0), 20, 80, "no_handling_time"),  # AHT zero
        ([Recent(NOW - 60, False, 0.0)], 20, 80, "no_handling_time"),  # nothing answered
        (calls(10), None, None, "no_target"),  # a queue without a target
        (calls(10), 20, 0, "no_target"),
        (calls(10), 20, 100, "no_target"),  # 100 % is never reached by Erlang C
    ],
)
def test_not_enough_data_is_never_a_number(
    recent: list[Recent], target_s: float | None, target_pct: float | None, why: str
) -> None:
    s = staffing(recent, available=2, on_call=1, target_s=target_s, target_pct=target_pct)
    assert s.missing == why
    assert (s.needed, s.gap, s.projected_sl, s.traffic, s.aht_s) == (None,) * 5
    assert s.staffed == 3


def test_a_zero_window_is_not_enough_data() -> None:
    s = staffing(calls(10), available=1, on_call=1, target_s=20, target_pct=80, span_s=0)
    assert s.missing == "no_calls"


def test_an_impossible_load_says_so() -> None:
    huge = calls(10, talk=10_000_000.0)
    s = staffing(huge, available=1, on_call=1, target_s=20, target_pct=80)
    assert s.missing == "too_many" and s.needed is None


def test_the_window_keeps_the_last_thirty_minutes() -> None:
    old = Recent(NOW - WINDOW_S - 1, True, 60.0)
    edge = Recent(NOW - WINDOW_S, True, 60.0)
    future = Recent(NOW + 1, True, 60.0)
    assert window([old, edge, future], NOW) == [edge]


def test_window_service_level() -> None:
    mixed = [Recent(1, True, 60, 5), Recent(2, True, 60, 25), Recent(3, False, 0, 10)]
    assert window_sl(mixed, 20) == 33.3  # one of three within 20 s; the lost call counts
    assert window_sl([], 20) is None
    assert window_sl(mixed, None) is None


def test_the_window_of_many_sorted_calls_is_a_slice() -> None:
    many = [Recent(NOW - 4000 + i, True, 60.0) for i in range(4001)]
    got = window(many, NOW)
    assert list(got) == [c for c in many if NOW - WINDOW_S <= c.entered <= NOW]
    assert window([], NOW) == []


def test_the_projection_is_rounded_down_never_up_to_a_promise() -> None:
    s = staffing(calls(100), available=15, on_call=10, target_s=20, target_pct=80)
    exact = 100 * erlang.service_level(25, 10.0, 180, 20)
    assert exact > 99.95 and s.projected_sl is not None
    assert s.projected_sl < 100 and s.projected_sl == int(exact * 10) / 10
