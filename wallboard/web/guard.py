"""Who is calling, and may they: HTTP Basic with the caller's own QueueMetrics login, or a
browser session with its CSRF token; keys from QueueMetrics; rate limits in Redis.

The order of checks is the contract of design.md §4: 415, 401, 403, then the input (422/400).
A QueueMetrics that cannot answer is a 503, never a 401.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from fastapi import Request
from redis.asyncio import Redis

from wallboard import metrics
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMAuthError, QMError
from wallboard.qm.users import UserInfo
from wallboard.store.keys import Keys
from wallboard.web.sessions import COOKIE, Session, SessionStore


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True, slots=True)
class Caller:
    info: UserInfo
    via: str  # "basic" or "session"
    session: Session | None = None

    @property
    def user(self) -> str:
        return self.info.user

    def holds(self, key: str) -> bool:
        return self.info.holds(key)


class RateLimiter:
    """Fixed-window counters in Redis, shared by every replica."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    async def hit(self, name: str, who: str, window_s: int) -> int:
        key = self.keys.rate(name, who)
        count = int(await self.redis.incr(key))
        if count == 1:
            await self.redis.expire(key, window_s)
        return count

    async def count(self, name: str, who: str) -> int:
        value = await self.redis.get(self.keys.rate(name, who))
        return int(value or 0)

    async def clear(self, name: str, who: str) -> None:
        await self.redis.delete(self.keys.rate(name, who))


class Guard:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        qm: QMClient,
        sessions: SessionStore,
        secret: str,
        *,
        auth_cache_s: int = 60,
        max_failures: int = 5,
        failure_window_s: int = 900,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.qm = qm
        self.sessions = sessions
        self.secret = secret.encode()
        self.auth_cache_s = auth_cache_s
        self.max_failures = max_failures
        self.failure_window_s = failure_window_s
        self.limits = RateLimiter(redis, keys)

    def _cache_key(self, user: str, password: str) -> str:
        # Keyed by an HMAC of the credentials: the password itself is never stored.
        digest = hmac.new(self.secret, f"{user}\0{password}".encode(), hashlib.sha256)
        return self.keys.auth_cache(digest.hexdigest())

    async def check_login(self, user: str, password: str, client_ip: str) -> UserInfo:
        """QueueMetrics' verdict on a login, cached briefly; failures are counted."""
        for who in (f"user:{user.lower()}", f"ip:{client_ip}"):
            if await self.limits.count("login-fail", who) >= self.max_failures:
                metrics.LOGINS.labels(result="limited").inc()
                minutes = self.failure_window_s // 60
                raise ApiError(
                    429,
                    "too-many-failures",
                    f"too many failed logins; try again in {minutes} minutes",
                )
        cache_key = self._cache_key(user, password)
        cached = await self.redis.get(cache_key)
        if cached:
            data = json.loads(cached)
            return UserInfo(
                data["user"],
                data["full_name"],
                data["user_class"],
                frozenset(data["keys"]),
                data["master"],
            )
        try:
            info = await self.qm.authenticate(user, password)
        except QMAuthError:
            metrics.LOGINS.labels(result="denied").inc()
            for who in (f"user:{user.lower()}", f"ip:{client_ip}"):
                await self.limits.hit("login-fail", who, self.failure_window_s)
            raise ApiError(401, "bad-credentials", "wrong user name or password") from None
        except QMError as exc:
            metrics.LOGINS.labels(result="unavailable").inc()
            raise ApiError(
                503, "qm-unavailable", f"QueueMetrics cannot check logins now: {exc.message}"
            ) from None
        metrics.LOGINS.labels(result="ok").inc()
        info = UserInfo(info.user or user, info.full_name, info.user_class, info.keys, info.master)
        body = {
            "user": info.user,
            "full_name": info.full_name,
            "user_class": info.user_class,
            "keys": sorted(info.keys),
            "master": info.master,
        }
        await self.redis.set(cache_key, json.dumps(body), ex=self.auth_cache_s)
        return info

    async def session(self, request: Request) -> Session | None:
        return await self.sessions.get(request.cookies.get(COOKIE))

    async def caller(self, request: Request, *, csrf: bool = True) -> Caller:
        """The authenticated caller; 401 without valid credentials, 403 on a bad CSRF token."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
                user, _, password = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user, password = "", ""
            challenge = {"WWW-Authenticate": 'Basic realm="wallboard", charset="UTF-8"'}
            if not user or not password:
                raise ApiError(401, "bad-credentials", "malformed Basic credentials", challenge)
            try:
                info = await self.check_login(user, password, client_ip(request))
            except ApiError as exc:
                if exc.status == 401:
                    exc.headers = challenge
                raise
            return Caller(info, "basic")
        session = await self.session(request)
        if session is None:
            raise ApiError(
                401, "login-required", "log in, or use HTTP Basic with your QueueMetrics login"
            )
        if csrf:
            token = request.headers.get("x-csrf-token", "")
            if not secrets.compare_digest(token.encode(), session.csrf.encode()):
                raise ApiError(403, "bad-csrf-token", "missing or wrong X-CSRF-Token")
        return Caller(session.info, "session", session)

    @staticmethod
    def require(caller: Caller, key: str) -> None:
        if not caller.holds(key):
            raise ApiError(403, "missing-key", f"this needs the QueueMetrics key {key}")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
