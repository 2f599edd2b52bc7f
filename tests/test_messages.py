from __future__ import annotations

import time

from redis.asyncio import Redis

from wallboard.store.keys import Keys
from wallboard.store.messages import BoardMessages


async def test_messages_show_until_they_expire(redis: Redis, prefix: str) -> None:
    board = BoardMessages(redis, Keys(prefix))
    first = await board.add("Team meeting at 3", "", "Sue", ttl_s=60)
    second = await board.add("Queue 300 is busy", "300", "Sue", ttl_s=60)
    assert [m["id"] for m in await board.active()] == [first["id"], second["id"]]
    later = time.time() + 120
    assert await board.active(now=later) == []
    assert await redis.hlen(f"{prefix}messages") == 0, "expired messages are removed"
