"""The insight widgets' memory in Redis: the trend points and today's ended pauses.

The leading poller writes them and a new leader carries on from them, so the last hour's line
survives a restart of any process. The trend is one hash (a field per queue, its points as a
JSON array, at most an hour of them: model/trend.py bounds it); the pauses are one record
with the business day they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from redis.asyncio import Redis

from wallboard.model.trend import Series
from wallboard.store.keys import Keys

_series = msgspec.json.Decoder(Series)
_pauses = msgspec.json.Decoder(dict[str, Any])


class InsightStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.trend_key = keys.trend
        self.pauses_key = keys.pauses

    async def save(
        self,
        trend: Mapping[str, Series],
        gone: Iterable[str] = (),
        pauses: tuple[str, Mapping[str, float]] | None = None,
    ) -> None:
        """The queues' points that changed, the queues that have none left, and the pauses."""
        async with self.redis.pipeline(transaction=True) as pipe:
            if trend:
                mapping: dict[Any, Any] = {q: msgspec.json.encode(p) for q, p in trend.items()}
                pipe.hset(self.trend_key, mapping=mapping)
            dropped = list(gone)
            if dropped:
                pipe.hdel(self.trend_key, *dropped)
            if pauses is not None:
                day, ended = pauses
                pipe.set(self.pauses_key, msgspec.json.encode({"day": day, "ended": ended}))
            await pipe.execute()

    async def trend(self) -> dict[str, Series]:
        """Every queue's points as kept; ValueError when what is kept cannot be read."""
        stored: dict[Any, Any] = await self.redis.hgetall(self.trend_key)
        try:
            return {str(q): _series.decode(raw) for q, raw in stored.items()}
        except msgspec.DecodeError as exc:
            raise ValueError(f"unreadable trend in Redis: {exc}") from exc

    async def pauses(self, day: str) -> dict[str, float]:
        """The ended pauses kept for ``day``; none when they belong to another day."""
        raw = await self.redis.get(self.pauses_key)
        if not raw:
            return {}
        try:
            record = _pauses.decode(raw)
        except msgspec.DecodeError as exc:
            raise ValueError(f"unreadable pauses in Redis: {exc}") from exc
        if record.get("day") != day:
            return {}
        return {str(k): float(v) for k, v in dict(record.get("ended") or {}).items()}
