"""The "all selected queues" tile: agents counted once, today's figures combined."""

from __future__ import annotations

import pytest

from wallboard.model.state import Agent, Call, Floor, Queue, Today
from wallboard.model.totals import Totals, combined_today, totals


def test_an_agent_on_two_queues_counts_once() -> None:
    floor = Floor(
        queues=(Queue(queue="300", name="A"), Queue(queue="301", name="B")),
        agents=(
            Agent(agent="a", name="A", queues=("300", "301"), state="available"),
            Agent(agent="b", name="B", queues=("300",), state="paused"),
            Agent(agent="c", name="C", queues=("301",), state="on_call"),
        ),
        calls=(
            Call(callid="t", queue="301", state="talking", entered=50, agent="c"),
            Call(callid="w1", queue="300", state="waiting", entered=120),
            Call(callid="w2", queue="301", state="waiting", entered=100),
        ),
    )
    assert totals(floor) == Totals(
        waiting=2, longest_wait_since=100, agents_logged_in=3, agents_available=1,
        agents_on_call=1, agents_paused=1, today=None,
    )  # fmt: skip


def test_an_empty_floor() -> None:
    assert totals(Floor()) == Totals(
        waiting=0, longest_wait_since=None, agents_logged_in=0, agents_available=0,
        agents_on_call=0, agents_paused=0, today=None,
    )  # fmt: skip


def day(**kw: object) -> Today:
    values: dict[str, object] = {"sl_target_pct": 80.0, "sl_target_s": 20.0, "as_of": 100.0}
    values.update(kw)
    return Today(**values)  # type: ignore[arg-type]


def test_todays_figures_add_up_and_the_service_level_is_of_all_calls() -> None:
    one = day(offered=10, answered=8, lost=2, answered_in_target=6, asa_s=10.0, as_of=90.0)
    two = day(offered=30, answered=20, lost=10, answered_in_target=18, asa_s=24.0, stale=True)
    both = combined_today([one, two])
    assert both is not None
    assert (both.offered, both.answered, both.lost, both.answered_in_target) == (40, 28, 12, 24)
    assert both.sl == pytest.approx(60.0), "24 of 40 offered, not the mean of 60 % and 60 %"
    assert both.asa_s == pytest.approx((10 * 8 + 24 * 20) / 28), "weighted by calls answered"
    assert (both.sl_target_pct, both.sl_target_s, both.sl_alert) == (80.0, 20.0, "under")
    assert (both.as_of, both.stale) == (90.0, True), "as old as the oldest, stale if any is"


def test_the_service_level_basis_and_differing_targets() -> None:
    one = day(offered=10, answered=5, answered_in_target=5, sl_basis="answered")
    two = day(offered=10, answered=5, answered_in_target=4, sl_basis="answered", sl_target_s=30.0)
    both = combined_today([one, two])
    assert both is not None
    assert both.sl == pytest.approx(90.0) and both.sl_basis == "answered"
    assert (both.sl_target_pct, both.sl_target_s, both.sl_alert) == (None, None, None)


def test_no_figures_no_total() -> None:
    assert combined_today([]) is None
    empty = combined_today([day()])
    assert empty is not None and empty.sl is None and empty.asa_s is None
    assert empty.sl_alert is None


def test_totals_take_todays_figures_of_the_queues_that_have_them() -> None:
    floor = Floor(
        queues=(
            Queue(queue="300", name="A", today=day(offered=4, answered=4, answered_in_target=4)),
            Queue(queue="301", name="B"),
        )
    )
    today = totals(floor).today
    assert today == combined_today([day(offered=4, answered=4, answered_in_target=4)])
    assert today is not None and today.sl == pytest.approx(100.0)
