"""Saved boards and playlists in Redis, shared by every web replica.

Two hashes, id → JSON (``boards``, ``playlists``), and a revision counter (``boards:rev``) that
every write increments, so that each web process notices a change within one read of the
stream and updates the screens showing it. Writes are Lua scripts: the version check and the
write happen together (optimistic locking), and an import replaces everything at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import msgspec
from redis.asyncio import Redis

from wallboard.model.board import Board, Playlist
from wallboard.model.state import encode
from wallboard.store.keys import Keys

Kind = Literal["boards", "playlists"]

# KEYS: hash, rev. ARGV: id, json, expected version ("" = must not exist), max count.
# Returns 1, or an error code: -1 missing, -2 stale version, -3 exists, -4 too many.
_WRITE = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[3] == '' then
  if current then return -3 end
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return -4 end
else
  if not current then return -1 end
  if tostring(cjson.decode(current)['version']) ~= ARGV[3] then return -2 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 1
"""

# KEYS: boards, playlists, rev. ARGV: n boards, then id, json pairs, then playlists' pairs.
_REPLACE = """
redis.call('DEL', KEYS[1], KEYS[2])
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[1], ARGV[2 + 2 * i], ARGV[3 + 2 * i])
end
for i = 2 + 2 * n, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('INCR', KEYS[3])
return 1
"""


class Missing(LookupError):
    """No board or playlist with that id."""


class Stale(Exception):
    """The version given is not the stored one: someone else saved it meanwhile."""


class Exists(Exception):
    """A board or playlist with that id exists already."""


class Full(Exception):
    """As many boards (or playlists) are stored as the settings allow."""


_OUTCOME: dict[int, type[Exception]] = {-1: Missing, -2: Stale, -3: Exists, -4: Full}


class BoardStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    def _hash(self, kind: Kind) -> str:
        return self.keys.boards if kind == "boards" else self.keys.playlists

    async def revision(self) -> int:
        return int(await self.redis.get(self.keys.boards_rev) or 0)

    async def boards(self) -> list[Board]:
        raw = await self.redis.hgetall(self.keys.boards)
        return sorted((msgspec.json.decode(v, type=Board) for v in raw.values()), key=_by_id)

    async def playlists(self) -> list[Playlist]:
        raw = await self.redis.hgetall(self.keys.playlists)
        return sorted((msgspec.json.decode(v, type=Playlist) for v in raw.values()), key=_by_id)

    async def board(self, ident: str) -> Board:
        raw = await self.redis.hget(self.keys.boards, ident)
        if raw is None:
            raise Missing(f"no board {ident!r}")
        return msgspec.json.decode(raw, type=Board)

    async def playlist(self, ident: str) -> Playlist:
        raw = await self.redis.hget(self.keys.playlists, ident)
        if raw is None:
            raise Missing(f"no playlist {ident!r}")
        return msgspec.json.decode(raw, type=Playlist)

    async def write(
        self, kind: Kind, item: Board | Playlist, expected: int | None, limit: int
    ) -> None:
        """Create (``expected`` None) or replace the version ``expected`` with ``item``."""
        outcome = await self.redis.eval(
            _WRITE,
            2,
            self._hash(kind),
            self.keys.boards_rev,
            item.id,
            encode(item),
            "" if expected is None else str(expected),
            limit,
        )
        if int(outcome) != 1:
            raise _OUTCOME[int(outcome)](f"{kind[:-1]} {item.id!r}")

    async def delete(self, kind: Kind, ident: str) -> dict[str, Any]:
        """Remove and return it."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(self._hash(kind), ident)
            pipe.hdel(self._hash(kind), ident)
            pipe.incr(self.keys.boards_rev)
            raw, removed, _ = await pipe.execute()
        if not removed:
            raise Missing(f"no {kind[:-1]} {ident!r}")
        found: dict[str, Any] = json.loads(raw)
        return found

    async def replace_all(self, boards: Sequence[Board], playlists: Sequence[Playlist]) -> None:
        """Everything at once: what was stored before is gone, nothing is half-written."""
        args: list[Any] = [len(boards)]
        for board in boards:
            args += [board.id, encode(board)]
        for playlist in playlists:
            args += [playlist.id, encode(playlist)]
        keys = (self.keys.boards, self.keys.playlists, self.keys.boards_rev)
        await self.redis.eval(_REPLACE, 3, *keys, *args)

    async def empty(self) -> bool:
        return not await self.redis.exists(self.keys.boards, self.keys.playlists)


def _by_id(item: Board | Playlist) -> str:
    return item.id
