"""Broadcast messages shown on the TV boards until they expire.

Kept in a Redis hash, id → JSON, each with its expiry; every web process reads the same
set, so a message sent through one replica shows on the screens of all of them.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from redis.asyncio import Redis

from wallboard.store.keys import Keys


class BoardMessages:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.key = keys.messages

    async def add(self, text: str, queue: str, sender: str, ttl_s: float) -> dict[str, Any]:
        now = time.time()
        message: dict[str, Any] = {
            "id": secrets.token_hex(6),
            "text": text,
            "queue": queue,
            "sender": sender,
            "at": now,
            "expires": now + ttl_s,
        }
        await self.redis.hset(self.key, str(message["id"]), json.dumps(message))
        return message

    async def active(self, now: float | None = None) -> list[dict[str, Any]]:
        """Unexpired messages, oldest first; expired ones are removed on the way."""
        now = time.time() if now is None else now
        raw: Any = await self.redis.hgetall(self.key)
        messages = [json.loads(v) for v in raw.values()]
        expired = [m["id"] for m in messages if m["expires"] <= now]
        if expired:
            await self.redis.hdel(self.key, *expired)
        return sorted((m for m in messages if m["expires"] > now), key=lambda m: m["at"])
