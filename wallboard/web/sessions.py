"""Browser sessions in Redis, so that any web replica serves any browser.

A session holds who logged in (from QueueMetrics' ``QmAuth``), their keys as last checked and
its CSRF token, never a password. Its id is random, replaced at every login and deleted at
logout. Each user's session ids are indexed, so that an operator can end all of them at once.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from wallboard.qm.users import UserInfo
from wallboard.store.keys import Keys
from wallboard.web.identity import normalise_user

COOKIE = "wb_session"


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    user: str
    full_name: str
    keys: list[str]
    master: bool
    csrf: str
    created: float
    checked: float = 0.0  # when QueueMetrics last confirmed the user and their keys
    phone: str = ""  # the supervisor's own phone, saved for listening in

    def holds(self, key: str) -> bool:
        return self.master or key in self.keys

    @property
    def info(self) -> UserInfo:
        return UserInfo(self.user, self.full_name, "", frozenset(self.keys), self.master)

    def rechecked(self, keys: frozenset[str], full_name: str, at: float) -> Session:
        return dataclasses.replace(
            self, keys=sorted(keys), full_name=full_name or self.full_name, checked=at
        )


class SessionStore:
    def __init__(self, redis: Redis, keys: Keys, ttl_s: float) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl = max(int(ttl_s), 60)

    def _key(self, sid: str) -> str:
        return self.keys.session(sid)

    def _index(self, user: str) -> str:
        return self.keys.user_sessions(normalise_user(user))

    async def create(self, user: UserInfo, replacing: str | None = None) -> Session:
        """A new session with a new id; the one it replaces (if any) is gone."""
        if replacing:
            await self.delete(replacing)
        now = time.time()
        session = Session(
            sid=secrets.token_urlsafe(32),
            user=user.user,
            full_name=user.full_name,
            keys=sorted(user.keys),
            master=user.master,
            csrf=secrets.token_urlsafe(32),
            created=now,
            checked=now,
        )
        index = self._index(session.user)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(session.sid), json.dumps(asdict(session)), ex=self.ttl)
            pipe.sadd(index, session.sid)
            pipe.expire(index, self.ttl)
            await pipe.execute()
        return session

    async def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        raw = await self.redis.get(self._key(sid))
        return Session(**json.loads(raw)) if raw else None

    async def save(self, session: Session) -> None:
        """Write back a rechecked session; it keeps the lifetime it had."""
        await self.redis.set(
            self._key(session.sid), json.dumps(asdict(session)), keepttl=True, xx=True
        )

    async def delete(self, sid: str) -> None:
        session = await self.get(sid)
        await self.redis.delete(self._key(sid))
        if session is not None:
            await self.redis.srem(self._index(session.user), sid)

    async def end_user(self, user: str) -> int:
        """End every session of this user; returns how many were open."""
        index = self._index(user)
        sids = [s.decode() if isinstance(s, bytes) else s for s in await self.redis.smembers(index)]
        ended = await self.redis.delete(*(self._key(s) for s in sids)) if sids else 0
        await self.redis.delete(index)
        return int(ended)
