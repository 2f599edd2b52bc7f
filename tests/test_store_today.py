"""Today's figures and call book in a real Redis: written in one transaction, read back whole."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from wallboard.qm.stats import CallRecord
from wallboard.store.keys import Keys
from wallboard.store.today import BookMark, TodayStore

MARK = BookMark("2026-03-02", ("300", "301"), last_fetch=1000.5, last_full=900.0)
FIGURES = {"day": "2026-03-02", "stale": False, "queues": {"300": {"offered": 2}}}


def call(callid: str, queue: str = "300", entered: int = 100) -> CallRecord:
    return CallRecord(callid, queue, entered, True, 5, 60, entered + 65, "agent/101", "555", "C")


async def test_figures_alone_keep_no_book(redis: Redis, prefix: str) -> None:
    store = TodayStore(redis, Keys(prefix))
    assert await store.figures() is None
    await store.save(FIGURES)
    assert await store.figures() == FIGURES
    assert await store.book() is None
    assert not await redis.exists(Keys(prefix).today_calls)


async def test_the_book_grows_and_is_replaced_by_a_whole_day(redis: Redis, prefix: str) -> None:
    store = TodayStore(redis, Keys(prefix))
    await store.save(FIGURES, MARK, [call("a"), call("b")], whole=True)
    # A transferred call: the same id in another queue is another stint, kept apart.
    await store.save(FIGURES, MARK, [call("a", "301", 130)])
    stored = await store.book()
    assert stored is not None and stored.mark == MARK
    assert sorted(c.key for c in stored.calls) == [("a", "300", 100), ("a", "301", 130),
                                                   ("b", "300", 100)]  # fmt: skip
    await store.save(FIGURES, MARK, [call("c")], whole=True)
    stored = await store.book()
    assert stored is not None and [c.callid for c in stored.calls] == ["c"]
    assert stored.calls[0] == call("c")


async def test_a_garbled_book_is_an_error_for_the_caller(redis: Redis, prefix: str) -> None:
    await redis.hset(Keys(prefix).today_calls, mapping={"_meta": "{}", "x": "not json"})
    with pytest.raises(ValueError):
        await TodayStore(redis, Keys(prefix)).book()
