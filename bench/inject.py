"""Changes written straight into Redis through the store, as the poller writes them.

The injector holds the poller lease (``store/lease.py``) and publishes with
``SnapshotStore.publish``. Each change sets one agent's activity to ``seq<n>`` (and moves its
state along), and the injector keeps the time each sequence number entered Redis, so that a
client seeing ``seq<n>`` knows the change's age.
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from redis.asyncio import Redis

from wallboard.model.derive import State
from wallboard.model.diff import diff
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import SnapshotStore

STATES = ("available", "on_call", "paused")


class Injector:
    def __init__(self, redis_url: str, prefix: str, state: State) -> None:
        self.redis = Redis.from_url(redis_url)
        self.keys = Keys(prefix)
        self.store = SnapshotStore(self.redis, self.keys)
        self.lease = Lease(self.redis, self.keys, ttl_s=120)
        self.state: State = copy.deepcopy(state)
        for agent in self.state["agents"]:
            agent["alert"] = None
        self.seq = 0
        self.sent: dict[int, float] = {}

    def _meta(self) -> dict[str, Any]:
        return {
            "fetched_at": time.time(),
            "stale": False,
            "error": None,
            "qm_clock_offset": 0.0,
            "epoch": self.lease.epoch,
            "poller": "bench-injector",
        }

    async def start(self) -> None:
        if not await self.lease.acquire():
            raise RuntimeError("the injector cannot take the poller lease")
        assert self.lease.value is not None
        await self.store.publish(self.lease.value, self.state, {}, self._meta(), reset=True)

    async def change(self, agents: int = 1) -> int:
        """One change: ``agents`` agents move on; returns its sequence number."""
        self.seq += 1
        new = copy.copy(self.state)
        new["agents"] = list(self.state["agents"])
        count = len(new["agents"])
        for k in range(agents):
            i = (self.seq * agents + k) % count
            agent = dict(new["agents"][i])
            agent["state"] = STATES[(STATES.index(agent["state"]) + 1) % len(STATES)]
            agent["activity"] = f"seq{self.seq}" if k == 0 else None
            agent["state_since"] = int(time.time())
            new["agents"][i] = agent
        delta = diff(self.state, new)
        assert self.lease.value is not None
        self.sent[self.seq] = time.time()
        await self.store.publish(self.lease.value, new, delta, self._meta())
        self.state = new
        return self.seq

    async def run(self, rate: float, duration: float, agents: int = 1) -> list[int]:
        """Changes at ``rate`` per second for ``duration`` seconds, start to start."""
        seqs: list[int] = []
        period = 1.0 / rate
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < duration:
            seqs.append(await self.change(agents))
            if n % max(1, int(rate * 10)) == 0:
                await self.lease.renew()
            n += 1
            await asyncio.sleep(max(0.0, started + n * period - time.monotonic()))
        return seqs

    async def close(self) -> None:
        await self.lease.release()
        await self.redis.aclose()
