"""Rate limits: counters in Redis shared by every replica, each change one atomic script, and
the streams each address holds open in this process.

A counter gets its expiry in the same script that raises it, so no lost ``EXPIRE`` can leave
one that never resets (and so locks someone out for ever). Attempts are *reserved* before the
work they guard (asking QueueMetrics about a password, comparing a TV token): concurrent
attempts each take a place first, so no burst gets past the limit, however parallel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from redis.asyncio import Redis

from wallboard.store.keys import Keys
from wallboard.web.errors import RateLimited

_HIT = """
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# KEYS: the counters; ARGV: the window in ms, then each counter's limit. Returns 0 when a place
# was taken in every counter, else the (1-based) number of the first counter that is full.
_RESERVE = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0
"""

_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
end
return 0
"""


class Counters:
    """Fixed-window counters under ``Keys.rate(name, who)``."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._hit = redis.register_script(_HIT)
        self._reserve = redis.register_script(_RESERVE)
        self._release = redis.register_script(_RELEASE)

    def key(self, name: str, who: str) -> str:
        return self.keys.rate(name, who)

    async def hit(self, name: str, who: str, window_s: float) -> int:
        """Count one more and return the count in this window."""
        return int(await self._hit(keys=[self.key(name, who)], args=[int(window_s * 1000)]))

    async def reserve(self, limits: dict[str, int], window_s: float) -> str | None:
        """Take a place in every counter (full key -> limit), or in none: then the key of the
        first full one is returned."""
        keys = list(limits)
        args = [int(window_s * 1000), *limits.values()]
        full = int(await self._reserve(keys=keys, args=args))
        return keys[full - 1] if full else None

    async def release(self, keys: list[str]) -> None:
        """Give back a place taken by ``reserve``: the attempt did not count."""
        if keys:
            await self._release(keys=keys, args=[])

    async def count(self, name: str, who: str) -> int:
        return int(await self.redis.get(self.key(name, who)) or 0)

    async def clear(self, keys: list[str]) -> None:
        if keys:
            await self.redis.delete(*keys)


@dataclass(frozen=True)
class LoginPolicy:
    """Failed logins allowed per window: per user at one address (what its owner mistypes),
    per address (one attacker, many users), per user from addresses it never logged in from
    (many attackers, one user: higher, so that nobody locks its owner out at their own)."""

    per_pair: int = 5
    per_address: int = 20
    per_user: int = 50
    window_s: float = 900.0
    known_s: float = 30 * 86400.0


@dataclass(frozen=True)
class LoginAttempt:
    user: str  # normalised
    address: str
    counted: tuple[str, ...]  # the counters it holds a place in


class LoginLimiter:
    def __init__(self, counters: Counters, policy: LoginPolicy) -> None:
        self.counters = counters
        self.policy = policy
        self.redis = counters.redis

    def _known_key(self, user: str, address: str) -> str:
        return self.counters.keys.login_known(user, address)

    async def reserve(self, user: str, address: str) -> LoginAttempt:
        """A place for one more attempt, or ``RateLimited``; taken before QueueMetrics is asked."""
        pair = self.counters.key("login-pair", f"{user}|{address}")
        limits = {
            pair: self.policy.per_pair,
            self.counters.key("login-address", address): self.policy.per_address,
        }
        if not await self.redis.exists(self._known_key(user, address)):
            limits[self.counters.key("login-user", user)] = self.policy.per_user
        if await self.counters.reserve(limits, self.policy.window_s) is not None:
            minutes = max(1, int(self.policy.window_s // 60))
            raise RateLimited(
                f"too many failed logins; try again in {minutes} minutes", "too-many-failures"
            )
        return LoginAttempt(user, address, tuple(limits))

    async def succeeded(self, attempt: LoginAttempt) -> None:
        """The right password: its pair starts afresh and this address is its owner's."""
        pair, *others = attempt.counted
        await self.counters.clear([pair])
        await self.counters.release(others)
        known = self._known_key(attempt.user, attempt.address)
        await self.redis.set(known, "1", ex=int(self.policy.known_s))

    async def not_counted(self, attempt: LoginAttempt) -> None:
        """QueueMetrics could not say: the attempt is no failure."""
        await self.counters.release(list(attempt.counted))


class StreamSlots:
    """Open event streams per client address, in this process."""

    def __init__(self, per_address: int) -> None:
        self.per_address = per_address
        self.open: Counter[str] = Counter()

    def take(self, address: str) -> None:
        if self.open[address] >= self.per_address:
            raise RateLimited(
                f"this address already has {self.per_address} streams open here; close some",
                "too-many-streams",
            )
        self.open[address] += 1

    def give_back(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]
