"""The guard's parts on their own: rate-limit counters on a real Redis, the trusted-proxy rule
on a real ASGI app, user-name spelling, and the settings that refuse weak or wrong values."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from wallboard.processes import EmbeddedRedis
from wallboard.settings import Settings
from wallboard.store.keys import Keys
from wallboard.web.errors import RateLimited
from wallboard.web.forwarded import TrustedProxies
from wallboard.web.identity import normalise_user
from wallboard.web.limits import Counters, LoginLimiter, LoginPolicy


async def test_reservations_never_pass_the_limit_however_concurrent(
    redis_server: EmbeddedRedis, prefix: str
) -> None:
    redis = Redis.from_url(redis_server.url, decode_responses=True, max_connections=200)
    try:
        counters = Counters(redis, Keys(prefix))
        limits = {counters.key("t", "a"): 5, counters.key("t", "b"): 50}
        taken = await asyncio.gather(*(counters.reserve(limits, 60) for _ in range(200)))
        assert sum(1 for full in taken if full is None) == 5
        assert {full for full in taken if full} == {counters.key("t", "a")}
        assert await counters.count("t", "a") == 5 and await counters.count("t", "b") == 5
    finally:
        await redis.aclose()


async def test_a_counter_without_expiry_gets_one(redis: Redis, prefix: str) -> None:
    """A counter whose EXPIRE was lost (written by a process that died in between) must not
    lock anybody out for ever: the next change gives it its window."""
    counters = Counters(redis, Keys(prefix))
    stuck = counters.key("login-pair", "sue|10.0.0.1")
    await redis.set(stuck, 3)
    assert await redis.pttl(stuck) == -1
    assert await counters.reserve({stuck: 5}, 60) is None
    assert 0 < await redis.pttl(stuck) <= 60_000
    other = counters.key("actions", "sue")
    await redis.set(other, 7)
    assert await counters.hit("actions", "sue", 60) == 8 and await redis.pttl(other) > 0


async def test_released_places_are_given_back(redis: Redis, prefix: str) -> None:
    counters = Counters(redis, Keys(prefix))
    key = counters.key("t", "x")
    assert await counters.reserve({key: 1}, 60) is None
    assert await counters.reserve({key: 1}, 60) == key
    await counters.release([key])
    assert not await redis.exists(key), "nothing left at zero"
    assert await counters.reserve({key: 1}, 60) is None


async def test_the_owner_logs_in_from_their_usual_address_whatever_others_try(
    redis: Redis, prefix: str
) -> None:
    policy = LoginPolicy(per_pair=3, per_address=100, per_user=6, window_s=60)
    logins = LoginLimiter(Counters(redis, Keys(prefix)), policy)
    await logins.succeeded(await logins.reserve("sue", "10.0.0.1"))
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(3):
            await logins.reserve("sue", address)  # wrong passwords: each keeps its place
    with pytest.raises(RateLimited):
        await logins.reserve("sue", "203.0.113.3")
    owner = await logins.reserve("sue", "10.0.0.1")
    await logins.succeeded(owner)
    for _ in range(3):
        await logins.reserve("sue", "10.0.0.1")
    with pytest.raises(RateLimited):
        await logins.reserve("sue", "10.0.0.1")


async def test_an_unanswered_attempt_is_no_failure(redis: Redis, prefix: str) -> None:
    logins = LoginLimiter(Counters(redis, Keys(prefix)), LoginPolicy(per_pair=1))
    for _ in range(3):
        await logins.not_counted(await logins.reserve("sue", "10.0.0.1"))
    await logins.reserve("sue", "10.0.0.1")
    with pytest.raises(RateLimited):
        await logins.reserve("sue", "10.0.0.1")


def test_user_names_have_one_spelling() -> None:
    assert normalise_user("  Sue ") == normalise_user("SUE") == "sue"
    assert normalise_user("Strauß") == normalise_user("STRAUSS")


@pytest.mark.parametrize("token", ["tv-secret", "0123456789abcdef0123456789abcde", "a" * 21])
def test_a_short_tv_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError, match="at least 128 bits"):
        Settings(tv_token=token)


def test_long_tv_tokens_and_an_empty_one_are_accepted() -> None:
    assert Settings(tv_token="0123456789abcdef" * 2).tv_token is not None
    assert Settings(tv_token="Zm9vYmFyYmF6cXV4cXV1eDEy").tv_token is not None
    assert Settings(tv_token="").tv_token is None


def test_trusted_proxies_are_addresses_or_networks() -> None:
    networks = Settings(trusted_proxies="10.0.0.5, 172.16.0.0/12,::1").trusted_proxy_networks
    assert [str(n) for n in networks] == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]
    assert Settings().trusted_proxy_networks == ()
    with pytest.raises(ValidationError, match="no address or network"):
        Settings(trusted_proxies="proxy.example")


async def seen_by_app(proxies: str, peer: str, headers: list[tuple[bytes, bytes]]) -> Any:
    """The client and scheme an ASGI app behind ``TrustedProxies`` sees."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(client=scope["client"][0], scheme=scope["scheme"])

    middleware = TrustedProxies(app, Settings(trusted_proxies=proxies).trusted_proxy_networks)
    scope = {"type": "http", "client": (peer, 5000), "scheme": "http", "headers": headers}
    await middleware(scope, None, None)  # type: ignore[arg-type]
    return seen["client"], seen["scheme"]


async def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    forged = [(b"x-forwarded-for", b"198.51.100.7"), (b"x-forwarded-proto", b"https")]
    assert await seen_by_app("", "203.0.113.9", forged) == ("203.0.113.9", "http")
    assert await seen_by_app("10.0.0.5", "203.0.113.9", forged) == ("203.0.113.9", "http")
    assert await seen_by_app("10.0.0.5", "10.0.0.5", forged) == ("198.51.100.7", "https")
    # The client may prepend anything; only what our proxies appended counts.
    chain = [(b"x-forwarded-for", b"1.2.3.4, 198.51.100.7, 10.0.0.6")]
    assert await seen_by_app("10.0.0.0/24", "10.0.0.5", chain) == ("198.51.100.7", "http")
