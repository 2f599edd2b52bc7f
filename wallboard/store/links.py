"""Display links of boards in Redis: a token that opens one board, and can be revoked.

The token is shown once, when the link is made, and never stored. What a TV keeps in its cookie
is ``cookie_of(token)``, a keyed digest (so a stolen cookie jar does not reveal the link), and
what Redis keeps is a keyed digest of that again (so a copy of Redis opens nothing: neither the
token nor a cookie can be made from it without the secret key). Two hashes, id → JSON and
digest → id, and a revision counter that every creation and revocation increments, which each
web process watches to end the streams of a revoked link (``web.linkwatch``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import msgspec
from redis.asyncio import Redis

from wallboard.store.keys import Keys

TOKEN_BYTES = 32  # 256 bits: no budget of guesses comes near it

# KEYS: links, digests, rev. ARGV: id, board. Returns the link's JSON, or false when no link of
# that board has that id; the check and the removal happen together.
_REVOKE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local link = cjson.decode(raw)
if link['board'] ~= ARGV[2] then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], link['digest'])
redis.call('INCR', KEYS[3])
return raw
"""


class Link(msgspec.Struct, frozen=True):
    id: str
    board: str
    digest: str  # of the cookie, keyed: never the token
    created_by: str
    created_at: float

    def public(self) -> dict[str, str | float]:
        """What the API lists: never the digest."""
        return {"id": self.id, "board": self.board, "created_by": self.created_by,
                "created_at": self.created_at}  # fmt: skip


class NoLink(LookupError):
    """No link of that board with that id (or it was revoked already)."""


class LinkStore:
    def __init__(self, redis: Redis, keys: Keys, secret: str) -> None:
        self.redis = redis
        self.keys = keys
        self._secret = secret.encode()

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def cookie_of(self, token: str) -> str:
        """What a TV opened with the token keeps in its cookie."""
        return self._mac("link-cookie", token)

    def _stored(self, cookie: str) -> str:
        return self._mac("link-store", cookie)

    async def create(self, board: str, user: str, now: float) -> tuple[Link, str]:
        """A new link of ``board`` and its token (which nothing keeps: show it once)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = Link(secrets.token_hex(8), board, self._stored(self.cookie_of(token)), user, now)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.links, link.id, msgspec.json.encode(link))
            pipe.hset(self.keys.links_by_digest, link.digest, link.id)
            pipe.incr(self.keys.links_rev)
            await pipe.execute()
        return link, token

    async def links(self, board: str) -> list[Link]:
        raw = await self.redis.hgetall(self.keys.links)
        found = (msgspec.json.decode(v, type=Link) for v in raw.values())
        return sorted((k for k in found if k.board == board), key=lambda k: k.created_at)

    async def revoke(self, board: str, ident: str) -> Link:
        keys = (self.keys.links, self.keys.links_by_digest, self.keys.links_rev)
        raw = await self.redis.eval(_REVOKE, 3, *keys, ident, board)
        if not raw:
            raise NoLink(f"board {board!r} has no link {ident!r}")
        return msgspec.json.decode(raw, type=Link)

    async def revoke_all(self, board: str) -> int:
        """Every link of ``board`` (it was deleted: a new board of the same id starts clean)."""
        revoked = 0
        for link in await self.links(board):
            try:
                await self.revoke(board, link.id)
                revoked += 1
            except NoLink:
                continue
        return revoked

    async def admits(self, board: str, cookie: str) -> Link | None:
        """The link of ``board`` whose cookie this is, if it was not revoked."""
        if not cookie:
            return None
        ident = await self.redis.hget(self.keys.links_by_digest, self._stored(cookie))
        raw = await self.redis.hget(self.keys.links, ident) if ident else None
        link = msgspec.json.decode(raw, type=Link) if raw else None
        return link if link is not None and link.board == board else None

    async def revision(self) -> int:
        return int(await self.redis.get(self.keys.links_rev) or 0)

    async def live(self) -> set[str]:
        """The ids of every link not revoked."""
        return {str(k) for k in await self.redis.hkeys(self.keys.links)}
