"""Alerts in Redis: the open ones (a hash, id → JSON) and today's history (a list, newest
first, bounded), the same for every web replica and screen.

Two writers change an alert: the leading poller (its level, value, clearing) and supervisors
through any web process (acknowledge, snooze). Each writes in an optimistic transaction
(``WATCH``, then ``MULTI``), retried when the other wrote meanwhile, so neither's change is lost.
The poller's transaction also watches its lease, so a leader that lost it writes nothing.
A counter (``alerts:rev``) changes at every write, for the web processes to notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import WatchError

from wallboard.model.alert import Alert, Outcome
from wallboard.model.state import encode
from wallboard.store.keys import Keys

HISTORY_MAX = 1000
RETRIES = 20

_decode_alert = msgspec.json.Decoder(Alert).decode


class LeaseGone(Exception):
    """The poller's lease is not held by this poller any more: nothing was written."""


class AlertStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    async def revision(self) -> int:
        return int(await self.redis.get(self.keys.alerts_rev) or 0)

    async def open_alerts(self) -> list[Alert]:
        raw = await self.redis.hgetall(self.keys.alerts_open)
        return sorted((_decode_alert(v) for v in raw.values()), key=lambda a: a.since)

    async def history(self, count: int = HISTORY_MAX) -> list[Alert]:
        raw = await self.redis.lrange(self.keys.alerts_history, 0, count - 1)
        return [_decode_alert(v) for v in raw]

    async def get(self, ident: str) -> Alert | None:
        raw = await self.redis.hget(self.keys.alerts_open, ident)
        return _decode_alert(raw) if raw else None

    async def stats(self) -> dict[str, float]:
        raw = await self.redis.hgetall(self.keys.alerts_stats)
        return {str(k): float(v) for k, v in raw.items()}

    async def update(
        self,
        change: Callable[[list[Alert]], Awaitable[Outcome] | Outcome],
        lease: tuple[str, str] | None = None,
    ) -> Outcome:
        """Read the open alerts, ``change`` them, write what changed, all or nothing.

        ``lease`` (key, value): write only while that lease holds (the poller's)."""
        for _ in range(RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    watched = [self.keys.alerts_open, *([lease[0]] if lease else [])]
                    await pipe.watch(*watched)
                    if lease is not None and await pipe.get(lease[0]) != lease[1]:
                        raise LeaseGone("the poller lease is held by another poller")
                    raw = await pipe.hgetall(self.keys.alerts_open)
                    current = [_decode_alert(v) for v in raw.values()]
                    outcome = change(current)
                    if not isinstance(outcome, Outcome):
                        outcome = await outcome
                    pipe.multi()  # type: ignore[no-untyped-call]
                    self._write(pipe, outcome)
                    await pipe.execute()
                    return outcome
                except WatchError:
                    continue
        raise RuntimeError("alerts kept changing while being written; try again")

    def _write(self, pipe: Any, outcome: Outcome) -> None:
        if not outcome.alerts:
            return
        for alert in outcome.alerts:
            if alert.open:
                pipe.hset(self.keys.alerts_open, alert.id, encode(alert))
            else:
                pipe.hdel(self.keys.alerts_open, alert.id)
                pipe.lpush(self.keys.alerts_history, encode(alert))
        pipe.ltrim(self.keys.alerts_history, 0, HISTORY_MAX - 1)
        pipe.incr(self.keys.alerts_rev)

    async def count(self, **figures: float) -> None:
        """Add to the alert figures /metrics shows (raised, acknowledged, seconds to ack)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for name, value in figures.items():
                pipe.hincrbyfloat(self.keys.alerts_stats, name, value)
            await pipe.execute()

    async def clear_all(self) -> None:
        await self.redis.delete(self.keys.alerts_open, self.keys.alerts_history)
