"""Today's figures in Redis, and the call book they are counted from.

Two keys: the figures as the boards show them (one JSON record), and the book, a hash of one
field per queue stint of a call (``callid|queue|entered`` → the call as a JSON array) plus a
``_meta`` field saying which day and queues it covers and when it was fetched. The leading
poller keeps the book so that a new leader carries on from it instead of fetching the whole
day again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from wallboard.qm.stats import CallRecord
from wallboard.store.keys import Keys

META = "_meta"


@dataclass(frozen=True, slots=True)
class BookMark:
    """What the book covers: its day, its queues, and when it was fetched last and fetched
    whole last (QueueMetrics' clock)."""

    day: str
    queues: tuple[str, ...]
    last_fetch: float | None
    last_full: float | None


@dataclass(frozen=True, slots=True)
class StoredBook:
    mark: BookMark
    calls: list[CallRecord]


def _encode(rec: CallRecord) -> str:
    return json.dumps([rec.callid, rec.queue, rec.entered, rec.answered, rec.wait, rec.talk,
                       rec.ended, rec.agent, rec.caller, rec.reason])  # fmt: skip


def _field(rec: CallRecord) -> str:
    return f"{rec.callid}|{rec.queue}|{rec.entered}"


def _mark(raw: str) -> BookMark:
    meta = json.loads(raw)
    return BookMark(
        day=str(meta.get("day")),
        queues=tuple(meta.get("queues", ())),
        last_fetch=meta.get("last_fetch"),
        last_full=meta.get("last_full"),
    )


class TodayStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.figures_key = keys.today
        self.book_key = keys.today_calls

    async def save(
        self,
        figures: Mapping[str, Any],
        mark: BookMark | None = None,
        changed: Iterable[CallRecord] = (),
        *,
        whole: bool = False,
    ) -> None:
        """The figures and, with a mark, the calls that changed, in one transaction; ``whole``
        replaces the book (a whole-day fetch) instead of adding to it."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.figures_key, json.dumps(figures))
            if mark is not None:
                if whole:
                    pipe.delete(self.book_key)
                mapping: dict[Any, Any] = {_field(r): _encode(r) for r in changed}
                mapping[META] = json.dumps(asdict(mark))
                pipe.hset(self.book_key, mapping=mapping)
            await pipe.execute()

    async def figures(self) -> dict[str, Any] | None:
        raw = await self.redis.get(self.figures_key)
        if not raw:
            return None
        figures: dict[str, Any] = json.loads(raw)
        return figures

    async def book(self) -> StoredBook | None:
        """The book kept last, or None when there is none. ValueError or TypeError when what
        is kept cannot be read."""
        stored: dict[Any, Any] = await self.redis.hgetall(self.book_key)  # str: decoded responses
        raw = stored.pop(META, None)
        if raw is None:
            return None
        calls = [CallRecord(*json.loads(value)) for value in stored.values()]
        return StoredBook(_mark(raw), calls)
