from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from wallboard.store.keys import Keys
from wallboard.store.lease import Lease


async def test_only_one_holder(redis: Redis, prefix: str) -> None:
    one, two = Lease(redis, Keys(prefix), 5), Lease(redis, Keys(prefix), 5)
    assert await one.acquire()
    assert not await two.acquire()
    assert one.held and not two.held


async def test_epoch_grows_with_each_acquisition(redis: Redis, prefix: str) -> None:
    one, two = Lease(redis, Keys(prefix), 5), Lease(redis, Keys(prefix), 5)
    assert await one.acquire()
    await one.release()
    assert await two.acquire()
    assert two.epoch == one.epoch + 1 if one.epoch else two.epoch > 1


async def test_expiry_lets_a_standby_take_over(redis: Redis, prefix: str) -> None:
    one, two = Lease(redis, Keys(prefix), 0.3), Lease(redis, Keys(prefix), 0.3)
    assert await one.acquire()
    deadline = time.monotonic() + 5
    while not await two.acquire():
        assert time.monotonic() < deadline, "the standby never got the lease"
        await asyncio.sleep(0.05)
    assert not await one.renew(), "a lapsed holder must not renew over the new one"
    assert not one.held


async def test_renewal_keeps_it(redis: Redis, prefix: str) -> None:
    one, two = Lease(redis, Keys(prefix), 0.5), Lease(redis, Keys(prefix), 0.5)
    assert await one.acquire()
    ttl_before = await redis.pttl(Keys(prefix).lease)
    await redis.pexpire(Keys(prefix).lease, 50)
    assert await one.renew()
    assert await redis.pttl(Keys(prefix).lease) > 50
    assert ttl_before > 0
    assert not await two.acquire()


async def test_only_the_holder_releases(redis: Redis, prefix: str) -> None:
    one, two = Lease(redis, Keys(prefix), 5), Lease(redis, Keys(prefix), 5)
    assert await one.acquire()
    two.value = "999:forged"
    await two.release()
    assert await redis.get(Keys(prefix).lease) == one.value
    await one.release()
    assert await redis.get(Keys(prefix).lease) is None
