"""Benchmark 9: what the insight widgets add to a poll, at 2,000 agents and 40 queues.

The same polls run through the poller's pipeline (``model.pipeline.step``) twice in one run,
alternating: without insights (the baseline) and with them (the agents' day on every agent,
the trend sampled and staffing by Erlang C on every queue). The insight inputs are what a busy
floor of that size gives: half an hour of calls (each agent answering one every ~3.5 minutes),
a tally for every agent, and 59 minutes of trend already kept per queue. Also timed apart:
encoding the snapshot (the trend travels on it) and the store's JSON for the trend.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from typing import Any

import msgspec

from bench.floor import Floor, context, counts, state_of
from wallboard.model import state as model
from wallboard.model.insights import Insights
from wallboard.model.pipeline import step
from wallboard.model.staffing import Recent
from wallboard.model.trend import Point
from wallboard.qm.realtime import parse_realtime


def inputs(state: model.Floor, now: float, seed: int = 1) -> Insights:
    rng = random.Random(seed)
    queues = [q.queue for q in state.queues]
    calls_30_min = len(state.agents) * 30 * 60 // 210  # a call every 3.5 minutes per agent
    recent: dict[str, list[Recent]] = {q: [] for q in queues}
    for _ in range(calls_30_min):
        answered = rng.random() < 0.95
        talk = rng.expovariate(1 / 180) if answered else 0.0
        recent[rng.choice(queues)].append(
            Recent(now - rng.uniform(0, 2100), answered, talk, rng.expovariate(1 / 15))
        )
    for calls in recent.values():
        calls.sort(key=lambda c: c.entered)  # as model.insights.recent_calls gives them
    tallies = {a.agent.lower(): (rng.randint(0, 80), rng.randint(0, 20_000)) for a in state.agents}
    minute = int(now // 60)
    trend = {
        q: tuple(Point(minute - 59 + m, rng.randint(0, 9), rng.randint(0, 120), 80.0)
                 for m in range(59))
        for q in queues
    }  # fmt: skip
    return Insights(
        day_start=now - 8 * 3600,
        tallies=tallies,
        recent=recent,
        default_target=(20.0, 80.0),
        trend=trend,
    )


async def run(agents: int = 2000, repeats: int = 30) -> dict[str, Any]:
    floor = Floor(agents)
    answers = [await floor.fetch()]
    for _ in range(3):
        floor.mutate(max(2, agents // 100))
        answers.append(await floor.fetch())
    realtimes = [parse_realtime(msgspec.json.decode(raw)) for raw in answers]
    states = [state_of(answers[0], floor.directory)]
    for raw in answers[1:]:
        states.append(state_of(raw, floor.directory, states[-1]))
    now = time.time()
    insight = inputs(states[0], now)
    plain = context(floor.directory)
    with_insights = dataclasses.replace(plain, insights=insight)
    # Each run follows floors made its own way: the insights' previous floors carry their
    # figures already, as they do from the second poll on.
    rich = [step(model.EMPTY, realtimes[0], with_insights, now).floor]
    for realtime in realtimes[1:]:
        rich.append(step(rich[-1], realtime, with_insights, now).floor)
    previous_of = {"baseline": states, "insights": rich}
    timings: dict[str, list[float]] = {"baseline": [], "insights": [], "encode_plain": [],
                                       "encode_insights": [], "trend_json": []}  # fmt: skip
    for i in range(repeats):
        realtime = realtimes[(i + 1) % 4]
        for name, ctx in (("baseline", plain), ("insights", with_insights)):
            previous = previous_of[name][i % 4]
            started = time.perf_counter()
            result = step(previous, realtime, ctx, now + i)
            timings[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            model.encode(result.floor)
            timings["encode_plain" if name == "baseline" else "encode_insights"].append(
                time.perf_counter() - started
            )
            if result.insights is not None:
                started = time.perf_counter()
                for points in result.insights.trend.values():
                    msgspec.json.encode(points)
                timings["trend_json"].append(time.perf_counter() - started)
    plain_floor, rich_floor = states[1], rich[1]
    return {
        "requested": agents,
        **counts(rich_floor),
        "calls_30_min": sum(len(v) for v in (insight.recent or {}).values()),
        "repeats": repeats,
        "median_ms": {k: statistics.median(v) * 1000 for k, v in timings.items()},
        "max_ms": {k: max(v) * 1000 for k, v in timings.items()},
        "snapshot_kb": {
            "plain": len(model.encode(plain_floor)) / 1024,
            "insights": len(model.encode(rich_floor)) / 1024,
        },
    }
