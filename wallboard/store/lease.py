"""The poller's lease: exactly one poller polls a QueueMetrics at a time.

``SET NX PX`` with a value ``"<epoch>:<token>"``: the epoch grows at each acquisition and fences
writes (see ``SnapshotStore.publish``), so a former leader that was paused and lost the lease
can never overwrite what the new one wrote. Only the holder renews or releases it.

A Sentinel failover may lose the last writes, and with them the last ``INCR`` of the epoch: the
counter then comes back lower. Never below the epoch of a write that survived, though:
replication keeps the master's order, and an epoch's ``INCR`` comes before every write made
under it, so a write that survived brought its ``INCR`` along. A number that does come back
belonged to a lease whose writes are all gone, and the fence compares the whole value, token
included, so a former holder of that number still writes nothing.
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

from wallboard.store.keys import Keys

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease:
    def __init__(self, redis: Redis, keys: Keys, ttl_s: float) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl_ms = max(int(ttl_s * 1000), 100)
        self.token = secrets.token_hex(8)
        self.value: str | None = None
        # While another poller holds the lease: how long until it expires, as last seen.
        self.free_in_ms: int | None = None

    @property
    def held(self) -> bool:
        return self.value is not None

    @property
    def epoch(self) -> int:
        return int(self.value.split(":", 1)[0]) if self.value else 0

    async def acquire(self) -> bool:
        """Take the lease if nobody holds it; ``True`` when we hold it afterwards."""
        if self.value is not None:
            return await self.renew()
        remaining = await self.redis.pttl(self.keys.lease)
        if remaining != -2:  # -2: no such key
            self.free_in_ms = remaining if remaining >= 0 else None
            return False
        self.free_in_ms = None
        epoch = await self.redis.incr(self.keys.epoch)
        value = f"{epoch}:{self.token}"
        if await self.redis.set(self.keys.lease, value, nx=True, px=self.ttl_ms):
            self.value = value
            return True
        return False

    def next_try_s(self, period: float) -> float:
        """When a standby should try again: at the holder's expiry if that comes first, so a
        dead leader is replaced within the TTL rather than up to a third of it later."""
        if self.value is not None or self.free_in_ms is None:
            return period
        return min(period, self.free_in_ms / 1000 + 0.005)

    async def renew(self) -> bool:
        if self.value is None:
            return False
        renewed = await self.redis.eval(_RENEW, 1, self.keys.lease, self.value, self.ttl_ms)
        if not renewed:
            self.value = None
        return bool(renewed)

    async def release(self) -> None:
        if self.value is not None:
            await self.redis.eval(_RELEASE, 1, self.keys.lease, self.value)
            self.value = None
