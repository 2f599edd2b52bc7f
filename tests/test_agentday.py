"""Each agent's day (model/agentday.py) and the insight figures on the floor
(model/insights.py, through the poll pipeline)."""

from __future__ import annotations

import dataclasses

from msgspec.structs import replace

from tests.test_derive import agent, call
from tests.test_pipeline import context
from wallboard.model.agentday import day_of, ended_pauses, tally
from wallboard.model.insights import Insights, span
from wallboard.model.pipeline import Context, step
from wallboard.model.staffing import Recent
from wallboard.model.state import EMPTY, Agent, Floor
from wallboard.qm.realtime import Realtime
from wallboard.qm.stats import CallRecord

DAY = 50_000.0


def record(agent: str, answered: bool = True, talk: int = 100, queue: str = "300") -> CallRecord:
    return CallRecord(
        callid="c", queue=queue, entered=int(DAY) + 10, answered=answered, wait=3, talk=talk,
        ended=None, agent=agent, caller="", reason="",
    )  # fmt: skip


def paused(code: str, since: int) -> Agent:
    return Agent(agent=code, name=code, state="paused", state_since=since)


def replace_context(insights: Insights) -> Context:
    return dataclasses.replace(context(), insights=insights)


def test_tally_counts_answered_calls_and_talk_in_any_case_of_code() -> None:
    calls = [record("Agent/1", talk=100), record("agent/1", talk=50), record("agent/2", False)]
    assert tally(calls) == {"agent/1": (2, 150)}


def test_day_figures_and_average_handling_time() -> None:
    a = Agent(agent="agent/1", name="x")
    assert day_of(a, (3, 100), 0.0, DAY + 10, DAY) == replace(
        day_of(a, None, 0.0, DAY, DAY), answered=3, talk_s=100, aht_s=33.3
    )
    assert day_of(a, None, 0.0, DAY + 10, DAY).aht_s is None  # no call: no average


def test_a_running_pause_counts_in_whole_minutes_from_the_days_start() -> None:
    a = paused("agent/1", since=int(DAY) - 3600)  # paused since before the day began
    assert day_of(a, None, 30.0, DAY + 179, DAY).pause_s == 30 + 120


def test_an_ended_pause_is_added_once() -> None:
    before = Floor(agents=(paused("agent/1", int(DAY) + 100),))
    still = Floor(agents=(paused("agent/1", int(DAY) + 100),))
    back = Floor(agents=(Agent(agent="agent/1", name="x", state="available"),))
    assert ended_pauses({}, before, still, DAY + 400, DAY) == {}
    assert ended_pauses({"agent/1": 5.0}, before, back, DAY + 400, DAY) == {"agent/1": 305.0}
    again = Floor(agents=(paused("agent/1", int(DAY) + 350),))  # a new pause since
    assert ended_pauses({}, before, again, DAY + 400, DAY) == {"agent/1": 300.0}


def test_the_rate_window_is_the_day_so_far_when_younger() -> None:
    assert span(DAY + 3600, DAY) == 1800
    assert span(DAY + 600, DAY) == 600
    assert span(DAY + 10, DAY) == 300


def test_the_pipeline_puts_trend_staffing_and_the_day_on_the_floor() -> None:
    now = DAY + 7200
    live = Realtime([agent("agent/1", "300")], [call("w1", "300", entered=int(now) - 30)])
    recent = {"300": [Recent(now - 700 + i, True, 180.0, 5.0) for i in range(99)]}
    insights = Insights(
        day_start=DAY,
        tallies={"agent/1": (4, 400)},
        recent=recent,
        default_target=(20.0, 80.0),
    )
    ctx = replace_context(insights)
    first = step(EMPTY, live, ctx, now)
    (queue,) = first.floor.queues
    assert queue.staffing is not None
    assert (queue.staffing.calls, queue.staffing.traffic) == (100, 10.0)  # the waiting call too
    assert queue.staffing.needed == 14
    assert [(p.waiting, p.longest_s, p.sl) for p in queue.trend] == [(1, 30, 100.0)]
    (one,) = first.floor.agents
    assert one.today is not None and (one.today.answered, one.today.aht_s) == (4, 100.0)
    assert first.insights is not None and first.insights.trend["300"] == queue.trend


def test_without_qmstats_the_trend_runs_and_staffing_waits() -> None:
    live = Realtime([agent("agent/1", "300")], [])
    result = step(EMPTY, live, replace_context(Insights(day_start=DAY)), DAY + 100)
    (queue,) = result.floor.queues
    assert queue.staffing is None and len(queue.trend) == 1 and queue.trend[0].sl is None
    assert result.floor.agents[0].today is None


def test_just_after_the_day_starts_the_rate_is_that_of_the_day_so_far() -> None:
    # Ten calls in the day's first ten minutes are 60 an hour, not 20 (ten in 30 minutes).
    now = DAY + 600
    recent = {"300": [Recent(DAY + 60 * i, True, 120.0, 5.0) for i in range(10)]}
    insights = Insights(day_start=DAY, tallies={}, recent=recent, default_target=(20.0, 80.0))
    live = Realtime([agent("agent/1", "300")], [])
    (queue,) = step(EMPTY, live, replace_context(insights), now).floor.queues
    assert queue.staffing is not None and queue.staffing.arrivals_per_hour == 60.0
