"""Who is calling, and what may they do: HTTP Basic with the caller's own QueueMetrics login
(for scripts), or a browser session with its CSRF token; keys from QueueMetrics.

Checks run in the order of the HTTP contract: no credentials (or refused ones) first, then the
CSRF token, then the key; a QueueMetrics that cannot answer is ``Unavailable``, never a refusal.
A session's keys are confirmed again with QueueMetrics (through the robot, since no password is
kept) at least every ``auth_cache_s`` and before every action, so a user disabled or stripped of
a key loses it within that time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

from fastapi import Request
from redis.asyncio import Redis

from wallboard import metrics
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMAuthError, QMError
from wallboard.qm.users import UserInfo
from wallboard.store.keys import Keys
from wallboard.web.errors import (
    BadCredentials,
    Forbidden,
    NotLoggedIn,
    RateLimited,
    Unavailable,
)
from wallboard.web.identity import normalise_user
from wallboard.web.limits import LoginLimiter
from wallboard.web.sessions import COOKIE, Session, SessionStore

log = logging.getLogger("wallboard.web")

# Not a QueueMetrics key: nobody holds it, so only the master key passes a check for it.
MASTER_ONLY = "MASTERKEY"


@dataclass(frozen=True, slots=True)
class Caller:
    info: UserInfo
    via: str  # "basic" or "session"
    session: Session | None = None

    @property
    def user(self) -> str:
        return self.info.user

    @property
    def name(self) -> str:
        """The login as counted and compared (``normalise_user``)."""
        return normalise_user(self.info.user)

    def holds(self, key: str) -> bool:
        return self.info.holds(key)


def client_ip(request: Request) -> str:
    """The peer's address, or the one a trusted proxy forwarded (``forwarded.TrustedProxies``)."""
    return request.client.host if request.client else "unknown"


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of bytes: any text compares, whatever characters it holds."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def basic_credentials(header: str) -> tuple[str, str]:
    """User and password of an ``Authorization: Basic`` header; empty when malformed."""
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    user, _, password = decoded.partition(":")
    return user, password


class Guard:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        qm: QMClient,
        sessions: SessionStore,
        logins: LoginLimiter,
        secret: str,
        *,
        auth_cache_s: int = 60,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.qm = qm
        self.sessions = sessions
        self.logins = logins
        self.secret = secret.encode()
        self.auth_cache_s = auth_cache_s

    def _cache_key(self, user: str, password: str) -> str:
        # Keyed by an HMAC of the credentials: the password itself is never stored.
        digest = hmac.new(self.secret, f"{user}\0{password}".encode(), hashlib.sha256)
        return self.keys.auth_cache(digest.hexdigest())

    async def _cached(self, cache_key: str) -> UserInfo | None:
        cached = await self.redis.get(cache_key)
        if not cached:
            return None
        data = json.loads(cached)
        keys = frozenset(data["keys"])
        return UserInfo(data["user"], data["full_name"], data["user_class"], keys, data["master"])

    async def _remember(self, cache_key: str, info: UserInfo) -> None:
        body = {
            "user": info.user,
            "full_name": info.full_name,
            "user_class": info.user_class,
            "keys": sorted(info.keys),
            "master": info.master,
        }
        await self.redis.set(cache_key, json.dumps(body), ex=max(self.auth_cache_s, 1))

    async def check_login(self, user: str, password: str, address: str) -> UserInfo:
        """QueueMetrics' verdict on a login, cached briefly. Each attempt takes its place in
        the failure counters before QueueMetrics is asked, and gives it back unless it failed."""
        try:
            attempt = await self.logins.reserve(normalise_user(user), address)
        except RateLimited:
            metrics.LOGINS.labels(result="limited").inc()
            raise
        cache_key = self._cache_key(user, password)
        cached = await self._cached(cache_key)
        if cached is not None:
            await self.logins.not_counted(attempt)
            return cached
        try:
            info = await self.qm.authenticate(user, password)
        except QMAuthError:
            metrics.LOGINS.labels(result="denied").inc()
            raise BadCredentials("wrong user name or password") from None
        except QMError as exc:
            metrics.LOGINS.labels(result="unavailable").inc()
            await self.logins.not_counted(attempt)
            raise Unavailable(
                f"QueueMetrics cannot check logins now: {exc.message}", "qm-unavailable"
            ) from None
        metrics.LOGINS.labels(result="ok").inc()
        await self.logins.succeeded(attempt)
        info = UserInfo(info.user or user, info.full_name, info.user_class, info.keys, info.master)
        await self._remember(cache_key, info)
        return info

    async def session(self, request: Request, *, recheck_now: bool = False) -> Session | None:
        """The request's session with its keys as QueueMetrics says they are; None without one
        or when QueueMetrics says its user is disabled (the session then ends)."""
        session = await self.sessions.get(request.cookies.get(COOKIE))
        return None if session is None else await self._confirmed(session, recheck_now)

    async def _confirmed(self, session: Session, recheck_now: bool) -> Session | None:
        now = time.time()
        if not recheck_now and now - session.checked < self.auth_cache_s:
            return session
        try:
            profile = await self.qm.profile(session.user)
        except QMError as exc:
            if recheck_now:
                raise Unavailable(
                    f"QueueMetrics cannot confirm your keys now: {exc.message}", "qm-unavailable"
                ) from None
            # Watching goes on through a passing outage; no action goes without a check.
            log.warning("cannot recheck the keys of %s: %s", session.user, exc.message)
            return session
        if not profile.enabled:
            log.info("the session of %s ended: QueueMetrics disabled the user", session.user)
            await self.sessions.delete(session.sid)
            return None
        session = session.rechecked(profile.keys, profile.full_name, now)
        await self.sessions.save(session)
        return session

    async def caller(self, request: Request, *, key: str, csrf: bool, basic: bool = True) -> Caller:
        """The authenticated caller holding ``key``. ``csrf``: a session must send its token in
        ``X-CSRF-Token`` (and its keys are confirmed now: it is an action); ``basic``: HTTP Basic
        is accepted (the JSON API) or not (the pages' forms, where a browser could replay it)."""
        header = request.headers.get("authorization", "")
        if basic and header.lower().startswith("basic "):
            caller = await self._basic(request, header)
        else:
            caller = await self._session_caller(request, csrf)
        if not caller.holds(key):
            needed = "the master key" if key == MASTER_ONLY else f"the QueueMetrics key {key}"
            raise Forbidden(f"this needs {needed}", "missing-key")
        return caller

    async def _basic(self, request: Request, header: str) -> Caller:
        user, password = basic_credentials(header)
        if not user or not password:
            raise BadCredentials("malformed Basic credentials", basic=True)
        try:
            info = await self.check_login(user, password, client_ip(request))
        except BadCredentials as exc:
            exc.basic = True
            raise
        return Caller(info, "basic")

    async def _session_caller(self, request: Request, csrf: bool) -> Caller:
        found = await self.sessions.get(request.cookies.get(COOKIE))
        if found is None:
            raise NotLoggedIn("log in, or use HTTP Basic with your QueueMetrics login")
        if csrf:
            token = request.headers.get("x-csrf-token", "")
            if not same_secret(token, found.csrf):
                raise Forbidden("missing or wrong X-CSRF-Token", "bad-csrf-token")
        session = await self._confirmed(found, recheck_now=csrf)
        if session is None:
            raise NotLoggedIn("your QueueMetrics login is no longer enabled; log in again")
        return Caller(session.info, "session", session)
