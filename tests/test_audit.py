from __future__ import annotations

from redis.asyncio import Redis

from wallboard.store.audit import AuditLog
from wallboard.store.keys import Keys


async def test_newest_first_and_bounded(redis: Redis, prefix: str) -> None:
    log = AuditLog(redis, Keys(prefix), maxlen=10)
    for n in range(250):
        await log.append(user="sue", action="pause", target=f"agent/{n}", result="ok")
    recent = await log.recent(5)
    assert [e["target"] for e in recent] == [f"agent/{n}" for n in range(249, 244, -1)]
    assert all(e["at"] > 0 and e["user"] == "sue" for e in recent)
    # Trimmed approximately (whole stream nodes at a time), so not to exactly 10.
    assert await redis.xlen(f"{prefix}audit") < 250, "the stream is trimmed"
