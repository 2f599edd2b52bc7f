"""The QmStats channel against the simulator in-process (its real code over an ASGI transport)
and a real Redis: figures equal the simulator's own ground truth, windows overlap, the day
rolls over, failures make only today's figures stale."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette

from tests.simulator.support import manual_center
from tests.waiting import eventually
from wallboard.model.derive import Directory, derive
from wallboard.model.today import of_day
from wallboard.poller.stats import TodayKeeper
from wallboard.qm.client import QMClient
from wallboard.simulator import create_app
from wallboard.simulator.callcenter import CallCenter
from wallboard.simulator.config import Config
from wallboard.simulator.faults import parse_fault
from wallboard.simulator.population import build_center
from wallboard.store.keys import Keys

QUEUES = ["300", "301"]


def _around_noon() -> str:
    """A time zone where it is now about noon: the simulated floor started three hours ago and
    the simulator keeps only today's calls, so a day that began at midnight UTC would hold a
    few minutes of them when the tests run just after midnight UTC."""
    ahead = 12 - datetime.now(UTC).hour  # hours to add to UTC, -11 to +12
    return "Etc/GMT" if ahead == 0 else f"Etc/GMT{-ahead:+d}"  # Etc/GMT-5 is UTC+5


NOON = _around_noon()


def simulated(app: Starlette | None = None, **knobs: Any) -> tuple[Starlette, QMClient]:
    if app is None:
        offset = ZoneInfo(NOON).utcoffset(datetime.now())
        day_offset = offset.total_seconds() if offset else 0.0
        center = build_center(8, 2, seed=5, start=time.time() - 3 * 3600, day_offset_s=day_offset)
        app = create_app(center, Config(**{"time_zone": NOON, **knobs}))
    transport = httpx.ASGITransport(app=app)
    return app, QMClient("http://sim/queuemetrics", "robot", "robot", transport=transport)


def keeper(client: QMClient, redis: Redis, prefix: str, **kw: Any) -> TodayKeeper:
    kw.setdefault("tz", NOON)
    return TodayKeeper(client, redis, Keys(prefix), **{"queues": QUEUES, **kw})


def truth(center: CallCenter, start: float, end: float, queue: str) -> dict[str, Any]:
    """The simulator's own record of its day, counted the plain way."""
    stints = [f for f in center.finished if f.queue == queue and start <= int(f.entered) < end]
    ok = [f for f in stints if f.outcome != "abandoned"]
    ko = [f for f in stints if f.outcome == "abandoned"]
    waits = [int(f.answered) - int(f.entered) for f in ok]
    return {
        "offered": len(stints),
        "answered": len(ok),
        "lost": len(ko),
        "answered_in_target": sum(1 for w in waits if w <= 20),
        "talk_total_s": sum(int(f.ended) - int(f.answered) for f in ok),
        "longest_wait_answered_s": max(waits, default=None),
        "longest_wait_lost_s": max((int(f.ended) - int(f.entered) for f in ko), default=None),
    }


TRUTH_KEYS = ("offered", "answered", "lost", "answered_in_target", "talk_total_s",
              "longest_wait_answered_s", "longest_wait_lost_s")  # fmt: skip


async def test_incremental_figures_match_the_simulators_day(redis: Redis, prefix: str) -> None:
    app, client = simulated()
    sim = app.state.sim
    k = keeper(client, redis, prefix)
    assert await k.cycle() and k.last_window is not None and k.last_window[2]
    for _ in range(4):
        sim.jump(90)
        assert await k.cycle()
        assert k.last_window is not None
        if k.day is not None and not k.day_over():
            start, _, full = k.last_window
            assert not full and start >= k.day.start
    assert k.day is not None
    figures = k.figures()
    assert figures["day"] == k.day.label and figures["stale"] is False
    assert any(f.outcome == "transferred" for f in sim.center.finished), "multi-queue calls"
    for q in QUEUES:
        expected = truth(sim.center, k.day.start, k.day.end, q)
        assert expected["offered"] > 50
        assert {key: figures["queues"][q][key] for key in TRUTH_KEYS} == expected
    # The windows missed nothing a whole-day fetch sees.
    fresh = keeper(client, redis, prefix + "x:")
    assert await fresh.cycle() and fresh.day is not None
    assert set(of_day(fresh.book, fresh.day)) <= set(of_day(k.book, k.day))
    assert sorted(of_day(fresh.book, fresh.day), key=str) == sorted(of_day(k.book, k.day), key=str)
    stored = json.loads(await redis.get(Keys(prefix).today))
    assert stored["queues"]["300"]["offered"] == figures["queues"]["300"]["offered"]
    assert set(stored) >= {"as_of", "stale", "error", "day", "queues", "all"}
    await client.aclose()


async def test_live_waiting_calls_count_in_the_longest_wait(redis: Redis, prefix: str) -> None:
    app, client = simulated()
    center = app.state.sim.center
    center.set_auto(False)
    callid = center.add_call("301", t=center.time - 5000)  # an hour and more in the queue
    k = keeper(client, redis, prefix)
    realtime, _ = await client.realtime(QUEUES)
    k.notice(derive(realtime, QUEUES, Directory()))
    assert await k.cycle()
    q = k.figures()["queues"]["301"]
    assert q["waiting_since"] == int(center.calls[callid].entered)
    assert q["longest_wait_live_s"] >= 5000 and q["longest_wait_s"] == q["longest_wait_live_s"]
    await client.aclose()


async def test_day_rollover_on_the_simulators_clock(redis: Redis, prefix: str) -> None:
    app = create_app(manual_center(), Config())
    _, client = simulated(app)
    sim, center = app.state.sim, app.state.sim.center
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")
    midnight = (sim.now() // 86400 + 1) * 86400
    await http.post("/sim/clock", json={"advance_s": midnight - 300 - sim.now()})
    center.logon("agent/101", t=midnight - 1000)
    _answered(center, "300", midnight - 250, 10, 20)
    ko = center.add_call("301", t=midnight - 200)
    center.end_call(ko, t=midnight - 170)
    k = keeper(client, redis, prefix, tz="UTC")
    assert await k.cycle()
    if k.day_over() or k.figures()["queues"]["300"]["offered"] == 0:
        assert await k.cycle()  # the first answer taught it QueueMetrics' clock
    before = k.figures()
    assert (before["queues"]["300"]["answered"], before["queues"]["301"]["lost"]) == (1, 1)
    await http.post("/sim/clock", json={"advance_s": 360})
    _answered(center, "300", midnight - 30, 10, 50)  # crosses the day start
    late = center.add_call("301", t=midnight + 10)
    center.end_call(late, t=midnight + 40)
    assert await k.cycle()
    assert k.day_over(), "the answer's Date header shows the new day"
    assert await k.cycle()
    after = k.figures()
    assert after["day"] != before["day"] and k.last_window is not None and k.last_window[2]
    assert after["queues"]["300"]["offered"] == 0, "the crossing call belongs to yesterday"
    assert (after["queues"]["301"]["offered"], after["queues"]["301"]["lost"]) == (1, 1)
    assert json.loads(await redis.get(Keys(prefix).today))["day"] == after["day"]
    await http.aclose()
    await client.aclose()


def _answered(center: CallCenter, queue: str, entered: float, wait: float, talk: float) -> None:
    callid = center.add_call(queue, t=entered)
    center.answer_call(callid, "agent/101", t=entered + wait)
    center.end_call(callid, t=entered + wait + talk)


async def test_a_failure_makes_only_todays_figures_stale(redis: Redis, prefix: str) -> None:
    app, client = simulated()
    sim = app.state.sim
    k = keeper(client, redis, prefix, timeout_s=0.5)
    assert await k.cycle()
    good = k.figures()
    sim.faults.add(parse_fault({"mode": "http_500", "endpoints": ["QmStats"]}))
    assert not await k.cycle()
    bad = k.figures()
    assert bad["stale"] and bad["error"]["kind"] == "unreachable"
    assert bad["queues"] == good["queues"] and bad["as_of"] == good["as_of"]
    assert json.loads(await redis.get(Keys(prefix).today))["stale"] is True
    realtime, _ = await client.realtime(QUEUES)  # the live channel still answers
    assert realtime.agents
    keys = set(await redis.keys(f"{prefix}*"))
    assert keys == {Keys(prefix).today, Keys(prefix).today_calls}, "the channel writes nothing else"
    sim.reset_faults()
    sim.faults.add(parse_fault({"mode": "timeout", "endpoints": ["QmStats"], "seconds": 3}))
    assert not await k.cycle()
    assert k.figures()["error"]["kind"] == "unreachable" and k.delay() > k.base_interval
    sim.reset_faults()
    assert await k.cycle()
    assert k.figures()["stale"] is False and k.figures()["error"] is None
    await client.aclose()


async def test_a_new_leader_carries_on_incrementally(redis: Redis, prefix: str) -> None:
    _, client = simulated()
    first = keeper(client, redis, prefix)
    assert await first.cycle()
    second = keeper(client, redis, prefix)
    assert await second.load()
    assert await second.cycle()
    assert second.last_window is not None and not second.last_window[2]
    assert second.figures()["queues"] == first.figures()["queues"]
    # Nothing usable stored under another prefix: a whole-day fetch.
    other = keeper(client, redis, prefix + "o:")
    assert not await other.load()
    await client.aclose()


async def test_the_interval_stretches_with_qms_elapsed_time(redis: Redis, prefix: str) -> None:
    app, client = simulated(stats_ms_per_call=50.0)
    k = keeper(client, redis, prefix, interval_s=60.0, max_interval_s=600.0)
    assert await k.cycle()
    assert k.last_elapsed_ms is not None and k.last_elapsed_ms > 10_000
    assert k.interval == 600.0 and k.figures()["interval_s"] == 600.0
    app.state.sim.reconfigure({"stats_ms_per_call": 0.01})
    assert await k.cycle()
    assert k.interval == 60.0
    await client.aclose()


async def test_run_asks_only_while_leading_one_request_at_a_time(redis: Redis, prefix: str) -> None:
    app, client = simulated()
    sim = app.state.sim
    k = keeper(
        client, redis, prefix, queues=["*"], interval_s=0.05, reconcile_s=0.2, cost_share=1.0
    )
    stop, leading = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(k.run(stop, leading, idle_s=0.05))
    realtime, _ = await client.realtime(["*"])
    k.notice(derive(realtime, ["*"], Directory()))
    assert k.requests == 0, "a standby never asks"
    leading.set()
    await eventually(lambda: k.requests >= 5)
    leading.clear()
    stop.set()
    await asyncio.wait_for(task, 5)
    stats = sim.requests.describe()["endpoints"]["QmStats"]
    assert stats["max_in_flight"] == 1 and stats["count"] == k.requests
    assert set(k.figures()["queues"]) == {q.code for q in sim.center.queues.values()}
    await client.aclose()
