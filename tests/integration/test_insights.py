"""The trend widget's hour with real processes: kept in Redis by the leading poller, so it
survives a restart of the web and of the poller, and every web replica draws the same line."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import redis

from tests.drive import control, quiet, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.model.trend import Point
from wallboard.store.keys import Keys

FAST = {"WALLBOARD_LEASE_TTL": "1.5", "WALLBOARD_POLL_INTERVAL": "0.5"}


def trends(web: Proc) -> dict[str, list[Any]]:
    return {q["queue"]: q["trend"] for q in snapshot(web)["queues"]}


def test_the_trend_survives_restarts_and_is_the_same_on_two_webs(stack: Stack) -> None:
    sim = stack.simulator()
    queues = [q["queue"] for q in quiet(sim)["queues"]]
    assert queues
    # The last ten minutes as a previous poller left them: the new one must carry on from them.
    now_minute = int(time.time() // 60)
    kept = [Point(now_minute - 10 + i, i, 5 * i, 90.0) for i in range(10)]
    with redis.Redis.from_url(stack.redis_url) as client:
        client.hset(Keys(stack.prefix).trend, queues[0], msgspec.json.encode(kept))

    poller = stack.poller(**FAST)
    first, second = stack.web(), stack.web()
    old = msgspec.to_builtins(kept)

    def carried_on(web: Proc) -> dict[str, list[Any]] | None:
        got = trends(web)
        line = got.get(queues[0], [])
        return got if line[: len(old)] == old and len(line) > len(old) else None

    seen = until(lambda: carried_on(first), what="the kept points and this poll's")
    assert all(seen[q] for q in queues), "every queue gets a point"
    until(lambda: trends(second) == trends(first), what="the same line on both webs")

    stack.remove(first)
    third = stack.web()
    until(lambda: carried_on(third), what="the hour after a web restart")
    until(lambda: trends(third) == trends(second), what="the restarted web agrees")

    # A new leading poller carries on from Redis too, not from nothing: its first polls see
    # calls waiting that the old one never saw, and the kept minutes are still before them.
    stack.remove(poller)
    for _ in range(3):
        control(sim, "POST", "calls", json={"queue": queues[0]})
    stack.poller(**FAST)

    def new_poll_kept(web: Proc) -> bool:
        line = carried_on(web)
        return line is not None and line[queues[0]][-1][1] == 3  # [minute, waiting, ...]

    until(lambda: new_poll_kept(third), what="the hour after a poller restart")
    until(lambda: new_poll_kept(second), what="and on the other web")
