"""The screens in Redis: every TV page that ever opened, what it shows, when it was last seen,
its device, and the last command sent to it. Any web process sees and steers every screen.

A screen is a hash (``Keys.screen``) and a member of a sorted set scored by when it was last
seen (``Keys.screens``). A command is a kind and a sequence number in the screen's hash, and
a bump of ``Keys.screens_rev``; the web process holding the screen's stream notices the bump
in its next round and delivers what is newer than what that stream already had. Pairing codes
are keys of their own with a lifetime, taken once (``GETDEL``).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from redis.asyncio import Redis

from wallboard.store.keys import Keys

# Six characters a person reads off a TV across a room: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
CODE_TTL_S = 15 * 60
Field = str | float | int
COMMANDS = ("reload", "assign", "identify")
FIELDS = ("name", "shows", "last_seen", "connected_since", "first_seen", "address",
          "user_agent", "viewport", "dpr", "build", "events", "reconnects", "reconnects_day",
          "command", "command_seq", "code", "streams")  # fmt: skip


CONNECTED_WITHIN_S = 15.0  # a pairing screen polls every 2 s; a stream is marked every 5 s
SILENT_AFTER_S = 60.0


def is_connected(screen: dict[str, Any], now: float) -> bool:
    """A stream of the screen is open, or it was seen (a pairing screen's poll) just now."""
    return bool(screen["streams"] > 0 or now - screen["last_seen"] < CONNECTED_WITHIN_S)


def is_silent(screen: dict[str, Any], now: float) -> bool:
    return bool(now - screen["last_seen"] > SILENT_AFTER_S)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A code as typed: case, spaces and dashes do not matter."""
    return "".join(text.upper().split()).replace("-", "")


def today(at: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(at))


class ScreenStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    async def get(self, screen_id: str) -> dict[str, Any] | None:
        raw: dict[Any, Any] = await self.redis.hgetall(self.keys.screen(screen_id))
        if not raw:
            return None
        record: dict[str, Any] = {_text(k): _text(v) for k, v in raw.items()}
        record["id"] = screen_id
        record["shows"] = json.loads(record.get("shows") or "{}")
        for name in ("last_seen", "connected_since", "first_seen", "dpr"):
            record[name] = float(record.get(name) or 0)
        for name in ("events", "reconnects", "command_seq", "streams"):
            record[name] = int(record.get(name) or 0)
        return record

    async def all(self) -> list[dict[str, Any]]:
        ids = [_text(i) for i in await self.redis.zrevrange(self.keys.screens, 0, 999)]
        found = [await self.get(i) for i in ids]
        return [r for r in found if r is not None]

    async def seen(self, screen_id: str, now: float, **fields: Field) -> None:
        """The screen is alive now; ``fields`` are what its request or stream told."""
        key = self.keys.screen(screen_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, "first_seen", now)
            tag = "".join(c for c in screen_id if c.isalnum())[:4].upper()
            pipe.hsetnx(key, "name", f"Screen {tag}")
            mapping: dict[Any, Any] = {"last_seen": now, **fields}
            pipe.hset(key, mapping=mapping)
            pipe.zadd(self.keys.screens, {screen_id: now})
            await pipe.execute()

    async def connected(self, screen_id: str, now: float, **fields: Field) -> int:
        """A stream of the screen opened; the command sequence it starts from."""
        key = self.keys.screen(screen_id)
        day = today(now)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(key, "reconnects_day")
            pipe.hget(key, "command_seq")
            pipe.hincrby(key, "streams", 1)
            answers = await pipe.execute()
        await self.seen(screen_id, now, **fields)
        if answers[2] == 1:
            await self.redis.hset(key, "connected_since", now)
        if _text(answers[0] or "") != day:
            await self.redis.hset(key, mapping={"reconnects_day": day, "reconnects": 0})
        else:
            await self.redis.hincrby(key, "reconnects", 1)
        return int(answers[1] or 0)

    async def disconnected(self, screen_id: str, now: float) -> None:
        key = self.keys.screen(screen_id)
        if not await self.redis.exists(key):
            return  # forgotten meanwhile
        if await self.redis.hincrby(key, "streams", -1) <= 0:
            await self.redis.hset(key, mapping={"streams": 0, "connected_since": 0})
        await self.redis.hset(key, "last_seen", now)

    async def alive(self, screens: dict[str, int], now: float) -> None:
        """The streams of one web process: each screen seen now, with its events so far."""
        if not screens:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for screen_id in screens:
                pipe.exists(self.keys.screen(screen_id))
            known = await pipe.execute()
        # A screen forgotten while its stream is open stays forgotten (not a record remade).
        screens = {i: n for (i, n), there in zip(screens.items(), known, strict=True) if there}
        async with self.redis.pipeline(transaction=False) as pipe:
            for screen_id, events in screens.items():
                pipe.hset(self.keys.screen(screen_id), mapping={"last_seen": now})
                pipe.hincrby(self.keys.screen(screen_id), "events", events)
                pipe.zadd(self.keys.screens, {screen_id: now}, xx=True)
            await pipe.execute()

    async def update(self, screen_id: str, **fields: Field) -> bool:
        """Change what a person set (name, shows); False for an unknown screen."""
        key = self.keys.screen(screen_id)
        if not await self.redis.exists(key):
            return False
        mapping: dict[Any, Any] = dict(fields)
        await self.redis.hset(key, mapping=mapping)
        return True

    async def command(self, screen_id: str, kind: str) -> int:
        """Send ``kind`` to the screen: its new sequence number."""
        assert kind in COMMANDS
        key = self.keys.screen(screen_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "command", kind)
            pipe.hincrby(key, "command_seq", 1)
            pipe.incr(self.keys.screens_rev)
            answers = await pipe.execute()
        return int(answers[1])

    async def commands(self, screen_ids: list[str]) -> dict[str, tuple[int, str]]:
        """The last command of each screen: its sequence number and kind."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for screen_id in screen_ids:
                pipe.hmget(self.keys.screen(screen_id), "command_seq", "command")
            answers = await pipe.execute()
        return {
            i: (int(seq or 0), _text(kind or ""))
            for i, (seq, kind) in zip(screen_ids, answers, strict=True)
        }

    async def revision(self) -> int:
        return int(await self.redis.get(self.keys.screens_rev) or 0)

    async def forget(self, screen_id: str) -> bool:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(self.keys.screen(screen_id), "code")
            pipe.delete(self.keys.screen(screen_id))
            pipe.zrem(self.keys.screens, screen_id)
            code, deleted, _ = await pipe.execute()
        if code:
            await self.redis.delete(self.keys.pairing(_text(code)))
        await self.redis.incr(self.keys.screens_rev)
        return bool(deleted)

    async def pairing_code(self, screen_id: str) -> str:
        """The screen's pairing code, made anew when the last one expired."""
        key = self.keys.screen(screen_id)
        code = _text(await self.redis.hget(key, "code") or "")
        if code and _text(await self.redis.get(self.keys.pairing(code)) or "") == screen_id:
            return code
        for _ in range(10):
            code = new_code()
            if await self.redis.set(self.keys.pairing(code), screen_id, ex=CODE_TTL_S, nx=True):
                await self.redis.hset(key, "code", code)
                return code
        raise RuntimeError("no free pairing code after ten tries")

    async def claim(self, code: str) -> str | None:
        """The screen a code was shown on, once: the code is gone after it."""
        screen_id = await self.redis.getdel(self.keys.pairing(normal_code(code)))
        if screen_id is None:
            return None
        await self.redis.hset(self.keys.screen(_text(screen_id)), "code", "")
        return _text(screen_id)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
