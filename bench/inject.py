"""Changes written straight into Redis through the store, as the poller writes them.

The injector holds the poller lease (``store/lease.py``) and publishes with
``SnapshotStore.publish``. Each change pauses one agent with the reason ``seq<n>`` (the pause
reason is free text the tile shows; its other fields are checked values), further agents of
the change move their state along, and the injector keeps the time each sequence number entered
Redis, so that a client seeing ``seq<n>`` knows the change's age.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from msgspec.structs import replace

from wallboard.model.diff import diff
from wallboard.model.state import Agent, AgentState, Floor
from wallboard.store.connection import connect
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import SnapshotStore

STATES: tuple[AgentState, ...] = ("available", "on_call", "paused")


def _moved(agent: Agent, seq: int | None) -> Agent:
    """The agent after one change: paused with the reason ``seq<n>``, or (no seq) in its next
    state."""
    since = int(time.time())
    if seq is not None:
        stamp = {"state": "paused", "pause_code": "10", "pause_reason": f"seq{seq}"}
        return replace(agent, **stamp, activity=None, state_since=since)
    state = STATES[(STATES.index(agent.state) + 1) % len(STATES)]
    code = "10" if state == "paused" else None
    return replace(
        agent, state=state, pause_code=code, pause_reason="", activity=None, state_since=since
    )


class Injector:
    def __init__(self, redis_url: str, prefix: str, state: Floor) -> None:
        self.redis = connect(redis_url)
        self.keys = Keys(prefix)
        self.store = SnapshotStore(self.redis, self.keys)
        self.lease = Lease(self.redis, self.keys, ttl_s=120)
        self.state = replace(state, agents=tuple(replace(a, alert=None) for a in state.agents))
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
        moved = list(self.state.agents)
        for k in range(agents):
            i = (self.seq * agents + k) % len(moved)
            moved[i] = _moved(moved[i], self.seq if k == 0 else None)
        new = replace(self.state, agents=tuple(moved))
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
