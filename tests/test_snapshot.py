from __future__ import annotations

import pytest
from redis.asyncio import Redis

from wallboard.model.state import EMPTY, Agent, Floor
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import LeaseLost, SnapshotStore

ONE = Floor(agents=(Agent(agent="a", name="A", state="available"),))
TWO = Floor(agents=(Agent(agent="a", name="A", state="paused"),))
DELTA = {"agents": {"set": {"a": {"state": "paused"}}, "del": []}}


async def leader(redis: Redis, prefix: str) -> tuple[SnapshotStore, Lease]:
    lease = Lease(redis, Keys(prefix), 5)
    assert await lease.acquire()
    return SnapshotStore(redis, Keys(prefix)), lease


async def test_first_write_is_a_reset_then_deltas(redis: Redis, prefix: str) -> None:
    store, lease = await leader(redis, prefix)
    assert lease.value
    v1 = await store.publish(lease.value, ONE, {}, {"fetched_at": 1.0})
    v2 = await store.publish(lease.value, TWO, DELTA, {"fetched_at": 2.0})
    changes = await store.read("0-0", block_ms=10)
    assert [(c.version, c.delta) for c in changes] == [(v1, None), (v2, DELTA)]
    assert await store.snapshot() == (v2, TWO)
    assert (await store.meta())["fetched_at"] == 2.0


async def test_no_delta_no_entry_but_meta_moves(redis: Redis, prefix: str) -> None:
    store, lease = await leader(redis, prefix)
    assert lease.value
    v1 = await store.publish(lease.value, ONE, {}, {"fetched_at": 1.0})
    assert await store.publish(lease.value, ONE, {}, {"fetched_at": 2.0}) == ""
    assert await store.last_version() == v1
    assert (await store.meta())["fetched_at"] == 2.0


async def test_a_former_leader_writes_nothing(redis: Redis, prefix: str) -> None:
    store, lease = await leader(redis, prefix)
    old_value = lease.value
    assert old_value
    await store.publish(old_value, ONE, {}, {"fetched_at": 1.0})
    await redis.delete(Keys(prefix).lease)  # the lease expired while it was frozen
    other = Lease(redis, Keys(prefix), 5)
    assert await other.acquire() and other.value
    await store.publish(other.value, TWO, DELTA, {"fetched_at": 3.0})
    with pytest.raises(LeaseLost):
        await store.publish(old_value, ONE, DELTA, {"fetched_at": 4.0})
    assert (await store.snapshot() or ("", EMPTY))[1] == TWO
    assert (await store.meta())["fetched_at"] == 3.0


async def test_lost_snapshot_makes_the_next_write_a_reset(redis: Redis, prefix: str) -> None:
    store, lease = await leader(redis, prefix)
    assert lease.value
    await store.publish(lease.value, ONE, {}, {})
    await redis.delete(Keys(prefix).snapshot, Keys(prefix).changes)  # Redis lost its data
    version = await store.publish(lease.value, TWO, DELTA, {})
    changes = await store.read("0-0", block_ms=10)
    assert [(c.version, c.delta) for c in changes] == [(version, None)]
    assert await store.snapshot() == (version, TWO)
