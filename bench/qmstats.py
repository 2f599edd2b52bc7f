"""QmStats cost of today's figures: incremental windows vs a whole-day fetch every interval.

A simulated day of about 20,000 calls (the in-process simulator, its real code over an ASGI
transport; an embedded Redis). At every hour of the day the channel makes a whole-day fetch,
then an incremental one a minute later; from their sizes and QueueMetrics' modelled "Time
elapsed (ms)" the hour's requests, bytes and QM time are derived for both strategies:

- whole day: one whole-day fetch per interval (the interval stretched by QM's elapsed time);
- incremental: a whole-day reconcile every 15 minutes, overlapping windows in between.

Our processing time is the channel's cycle minus the time spent inside the transport (JSON
decoding, parsing, upsert, figures, the Redis write). Run: `.venv/bin/python bench/qmstats.py`.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wallboard.poller.stats import TodayKeeper
from wallboard.processes import EmbeddedRedis
from wallboard.qm.client import QMClient
from wallboard.simulator import create_app
from wallboard.simulator.population import build_center
from wallboard.store.keys import Keys

CALLS_PER_DAY = 20_000
AGENTS, QUEUES = 32, 4
INTERVAL_S, RECONCILE_S = 60.0, 900.0


class Counting(httpx.AsyncBaseTransport):
    """The simulator's transport, counting the bytes and time of each answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.last_bytes = 0
        self.last_s = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.last_s = time.perf_counter() - started
        self.last_bytes = len(body)
        return httpx.Response(response.status_code, headers=response.headers, content=body)


@dataclass
class Fetch:
    bytes: int
    qm_ms: float
    ours_ms: float


async def measured(keeper: TodayKeeper, transport: Counting) -> Fetch:
    started = time.perf_counter()
    assert await keeper.cycle(), keeper.error
    total = time.perf_counter() - started
    return Fetch(
        transport.last_bytes, keeper.last_elapsed_ms or 0.0, (total - transport.last_s) * 1e3
    )


def per_hour(
    full: Fetch, inc: Fetch
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(requests, bytes, QM seconds) per hour for whole-day and incremental fetching."""
    every_full = max(INTERVAL_S, full.qm_ms / 1000 / 0.02)
    n_full = 3600 / every_full
    whole = (n_full, n_full * full.bytes, n_full * full.qm_ms / 1000)
    reconciles = 3600 / RECONCILE_S
    n_inc = 3600 / max(INTERVAL_S, inc.qm_ms / 1000 / 0.02) - reconciles
    incremental = (
        reconciles + n_inc,
        reconciles * full.bytes + n_inc * inc.bytes,
        (reconciles * full.qm_ms + n_inc * inc.qm_ms) / 1000,
    )
    return whole, incremental


async def main() -> None:
    day0 = (math.floor(time.time() / 86400) + 1) * 86400  # the next UTC midnight
    center = build_center(AGENTS, QUEUES, seed=1, start=day0)
    scale = CALLS_PER_DAY / 86400 / sum(q.arrival_rate for q in center.queues.values())
    for q in center.queues.values():
        q.arrival_rate *= scale
    app = create_app(center)
    sim = app.state.sim
    sim.jump(day0 - sim.now())
    transport = Counting(httpx.ASGITransport(app=app))
    client = QMClient("http://sim/queuemetrics", "robot", "robot", transport=transport)
    rows: list[str] = []
    totals = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    ours: list[float] = []
    with EmbeddedRedis() as server:
        redis = Redis.from_url(server.url)
        queues = list(center.queues)
        # The simulator's clock runs a day ahead and jumps: the channel reads it directly.
        keeper = TodayKeeper(client, redis, Keys("bench:"), queues=queues, clock=sim.now,
                             interval_s=INTERVAL_S, reconcile_s=RECONCILE_S)  # fmt: skip
        for hour in range(24):
            sim.jump(day0 + hour * 3600 + 1800 - sim.now())
            full = await measured(keeper, transport)  # over an hour since the last: whole day
            sim.jump(INTERVAL_S)
            inc = await measured(keeper, transport)
            ours += [full.ours_ms, inc.ours_ms]
            whole, incremental = per_hour(full, inc)
            for total, value in zip(totals, (whole, incremental), strict=True):
                for i in range(3):
                    total[i] += value[i]
            if hour % 4 == 3 or hour == 23:
                done = keeper.figures()["all"]["offered"]
                rows.append(
                    f"| {hour:02d}:30 | {done:,} | {whole[0]:.0f} | {whole[1] / 1e6:.2f} MB | "
                    f"{whole[2]:.1f} s | {incremental[0]:.0f} | {incremental[1] / 1e6:.2f} MB | "
                    f"{incremental[2]:.1f} s | {full.ours_ms:.0f} / {inc.ours_ms:.0f} ms |"
                )
        await redis.aclose()
    await client.aclose()
    print(f"QmStats for a day of {CALLS_PER_DAY:,} calls ({AGENTS} agents, {QUEUES} queues, "
          f"interval {INTERVAL_S:.0f} s, reconcile {RECONCILE_S / 60:.0f} min)\n")  # fmt: skip
    print("| hour | calls so far | whole-day req/h | bytes/h | QM time/h | incremental req/h "
          "| bytes/h | QM time/h | ours per fetch (whole / incr.) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    (wr, wb, wq), (ir, ib, iq) = totals
    print(f"| **day** | {center_total(keeper)} | {wr:.0f} | {wb / 1e6:.0f} MB | {wq / 60:.1f} min "
          f"| {ir:.0f} | {ib / 1e6:.0f} MB | {iq / 60:.1f} min | "
          f"median {sorted(ours)[len(ours) // 2]:.0f} ms, max {max(ours):.0f} ms |")  # fmt: skip


def center_total(keeper: TodayKeeper) -> str:
    return f"{keeper.figures()['all']['offered']:,}"


if __name__ == "__main__":
    started = time.monotonic()
    asyncio.run(main())
    print(f"\n(measured in {time.monotonic() - started:.0f} s)")
