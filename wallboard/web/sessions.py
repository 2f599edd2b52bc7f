"""Browser sessions in Redis, so that any web replica serves any browser.

A session holds who logged in (from QueueMetrics' ``QmAuth``) and its CSRF token, never a
password. Its id is random, replaced at every login and deleted at logout.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from wallboard.qm.users import UserInfo
from wallboard.store.keys import Keys

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

    def holds(self, key: str) -> bool:
        return self.master or key in self.keys

    @property
    def info(self) -> UserInfo:
        return UserInfo(self.user, self.full_name, "", frozenset(self.keys), self.master)


class SessionStore:
    def __init__(self, redis: Redis, keys: Keys, ttl_s: float) -> None:
        self.redis = redis
        self.keys = keys
        self.ttl = max(int(ttl_s), 60)

    def _key(self, sid: str) -> str:
        return self.keys.session(sid)

    async def create(self, user: UserInfo, replacing: str | None = None) -> Session:
        """A new session with a new id; the one it replaces (if any) is gone."""
        if replacing:
            await self.delete(replacing)
        session = Session(
            sid=secrets.token_urlsafe(32),
            user=user.user,
            full_name=user.full_name,
            keys=sorted(user.keys),
            master=user.master,
            csrf=secrets.token_urlsafe(32),
            created=time.time(),
        )
        await self.redis.set(self._key(session.sid), json.dumps(asdict(session)), ex=self.ttl)
        return session

    async def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        raw = await self.redis.get(self._key(sid))
        return Session(**json.loads(raw)) if raw else None

    async def delete(self, sid: str) -> None:
        await self.redis.delete(self._key(sid))
