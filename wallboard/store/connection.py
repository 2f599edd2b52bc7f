"""The one way to open Redis: every process (poller, web, metrics, health checks) connects here.

``WALLBOARD_REDIS_URL`` is one of
- ``redis://[[user]:password@]host[:port][/db]``, ``rediss://`` (TLS), ``unix:///path?db=0``:
  one Redis, as redis-py reads them;
- ``redis+sentinel://[[user]:password@]host1[:26379],host2[:26379],.../service[/db]``: the
  master of ``service`` as Redis Sentinel names it now. The password is the Redis servers' own
  (master and replicas); the sentinels are asked without one. After a failover the next
  connection asks the sentinels again, and a demoted master's READONLY answer drops the
  connection (redis-py turns it into a ``ConnectionError``): callers see a failover as a Redis
  outage, which they already survive.

Responses are decoded to ``str``: every value the wallboard keeps in Redis is text (JSON,
counters, stream ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import redis as redis_sync
import redis.sentinel as sentinel_sync
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import parse_url
from redis.asyncio.sentinel import Sentinel

SOCKET_TIMEOUT_S = 5.0
MAX_CONNECTIONS = 100  # per process
CONNECT_TIMEOUT_S = 3.0
# Asking a sentinel is one short command: a dead or hung one must not hold up the next.
SENTINEL_TIMEOUT_S = 1.0
SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379
EXAMPLE = "redis+sentinel://[:password@]host1:26379,host2:26379,host3:26379/mymaster/0"


@dataclass(frozen=True, slots=True)
class SentinelUrl:
    """What a ``redis+sentinel://`` URL names."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None


def parse_sentinel_url(url: str) -> SentinelUrl:
    """The sentinels, service and database a ``redis+sentinel://`` URL names; ``ValueError``
    with the reason (and the expected shape) when it is malformed."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() != SENTINEL_SCHEME:
        raise ValueError(f"not a {SENTINEL_SCHEME}:// URL; expected {EXAMPLE}")
    if "?" in rest or "#" in rest:
        raise ValueError(
            f"a {SENTINEL_SCHEME}:// URL takes no query or fragment; expected {EXAMPLE}"
        )
    netloc, _, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    username, password = _credentials(userinfo) if at else (None, None)
    service, db = _service_and_db(path)
    return SentinelUrl(_sentinels(hosts), service, db, username, password)


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    user, colon, password = userinfo.partition(":")
    if not colon:
        # "secret@host" is ambiguous (a user or a password?): redis-py reads it as a user.
        raise ValueError(f"the password goes after a colon (:password@host); expected {EXAMPLE}")
    return unquote(user) or None, unquote(password) or None


def _sentinels(hosts: str) -> tuple[tuple[str, int], ...]:
    found = []
    for part in hosts.split(","):
        part = part.strip()
        if not part:
            raise ValueError(f"a sentinel address is empty; expected {EXAMPLE}")
        found.append(_address(part))
    return tuple(found)


def _address(part: str) -> tuple[str, int]:
    if part.startswith("["):  # [IPv6]:port
        host, bracket, port = part[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            raise ValueError(f"bad sentinel address {part!r}")
        port = port[1:]
    else:
        host, _, port = part.partition(":")
    if not host:
        raise ValueError(f"bad sentinel address {part!r}: no host")
    if not port:
        return host, SENTINEL_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad sentinel address {part!r}: the port must be 1-65535")
    return host, int(port)


def _service_and_db(path: str) -> tuple[str, int]:
    service, _, db = path.partition("/")
    if not service:
        raise ValueError(f"no service (master) name after the sentinels; expected {EXAMPLE}")
    db = db.rstrip("/")
    if db and not db.isdigit():
        raise ValueError(f"the database must be a number, not {db!r}; expected {EXAMPLE}")
    if "/" in db:
        raise ValueError(f"too many path parts; expected {EXAMPLE}")
    return unquote(service), int(db or 0)


def check_url(url: str) -> str:
    """``url`` if this factory can open it; ``ValueError`` with the reason otherwise (for the
    settings, so that a bad URL stops ``web`` and ``poller`` at start)."""
    if url.lower().startswith(f"{SENTINEL_SCHEME}:"):
        parse_sentinel_url(url)
        return url
    if not url.lower().startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"must start with redis://, rediss://, unix:// or {SENTINEL_SCHEME}://")
    try:
        parse_url(url)
    except ValueError as exc:
        raise ValueError(f"bad Redis URL: {exc}") from None
    # redis-py ignores a database it cannot read ("/zero"): that would silently be database 0.
    path = urlsplit(url).path.strip("/")
    if not url.lower().startswith("unix:") and path and not path.isdigit():
        raise ValueError(f"bad Redis URL: the database must be a number, not {path!r}")
    return url


def _client_options() -> dict[str, Any]:
    return {
        "decode_responses": True,
        "socket_timeout": SOCKET_TIMEOUT_S,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
    }


def _sentinel_options() -> dict[str, Any]:
    return {"socket_timeout": SENTINEL_TIMEOUT_S, "socket_connect_timeout": SENTINEL_TIMEOUT_S}


def _master_options(target: SentinelUrl) -> dict[str, Any]:
    return {
        **_client_options(),
        "db": target.db,
        "username": target.username,
        "password": target.password,
    }


class _SentinelRedis(Redis):
    """The master's client, which closes its sentinels' connections with its own."""

    sentinels: Sentinel | None = None

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        if self.sentinels is not None:
            await self.sentinels.aclose()


class _SentinelRedisSync(redis_sync.Redis):
    sentinels: sentinel_sync.Sentinel | None = None

    def close(self) -> None:
        super().close()
        if self.sentinels is not None:
            self.sentinels.close()


def connect(url: str) -> Redis:
    """An asyncio client for ``url`` (see the module's docstring for the schemes)."""
    check_url(url)
    if not url.lower().startswith(f"{SENTINEL_SCHEME}:"):
        # A blocking pool: past its size a command waits for a free connection (up to the
        # socket timeout) instead of failing at once, so a burst of requests is slowed, not 500s.
        pool = BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=SOCKET_TIMEOUT_S, **_client_options()
        )
        return Redis.from_pool(pool)
    target = parse_sentinel_url(url)
    # redis-py's Sentinel classes carry annotations only from 8.2 on; both are supported, so the
    # ignores below name the error of the older ones and allow it not to occur.
    sentinel = Sentinel(  # type: ignore[no-untyped-call, unused-ignore]
        list(target.sentinels), sentinel_kwargs=_sentinel_options()
    )
    client = cast(
        _SentinelRedis,
        sentinel.master_for(target.service, redis_class=_SentinelRedis, **_master_options(target)),
    )
    client.sentinels = sentinel
    return client


def connect_sync(url: str) -> redis_sync.Redis:
    """``connect`` for synchronous callers (container health checks)."""
    check_url(url)
    if not url.lower().startswith(f"{SENTINEL_SCHEME}:"):
        return redis_sync.Redis.from_url(url, **_client_options())
    target = parse_sentinel_url(url)
    sentinel = sentinel_sync.Sentinel(  # type: ignore[no-untyped-call, unused-ignore]
        list(target.sentinels), sentinel_kwargs=_sentinel_options()
    )
    client = cast(
        _SentinelRedisSync,
        sentinel.master_for(  # type: ignore[no-untyped-call, unused-ignore]
            target.service, redis_class=_SentinelRedisSync, **_master_options(target)
        ),
    )
    client.sentinels = sentinel
    return client
