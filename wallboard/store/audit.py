"""The audit log: every action and broadcast, who, what, on whom, why, and QueueMetrics'
answer. A Redis stream, so every web replica appends to and reads the same log."""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from wallboard.store.keys import Keys


class AuditLog:
    def __init__(self, redis: Redis, keys: Keys, maxlen: int = 10_000) -> None:
        self.redis = redis
        self.key = keys.audit
        self.maxlen = maxlen

    async def append(self, **entry: Any) -> str:
        entry = {"at": time.time(), **entry}
        entry_id = await self.redis.xadd(
            self.key, {"e": json.dumps(entry)}, maxlen=self.maxlen, approximate=True
        )
        return str(entry_id)

    async def recent(self, count: int = 50) -> list[dict[str, Any]]:
        """The newest entries first."""
        entries: Any = await self.redis.xrevrange(self.key, "+", "-", count=count)
        return [json.loads(fields["e"]) for _, fields in entries]
