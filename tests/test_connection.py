"""The one Redis connection factory: the URLs it reads, the ones it refuses (and so the settings
refuse at start), and a client through real sentinels."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.harness import Stack
from tests.reliability.sentinels import Sentinels
from tests.waiting import until
from wallboard.settings import Settings
from wallboard.store.connection import (
    SentinelUrl,
    check_url,
    connect,
    connect_sync,
    parse_sentinel_url,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "redis+sentinel://s1:26379,s2:26380,s3/mymaster/0",
            SentinelUrl((("s1", 26379), ("s2", 26380), ("s3", 26379)), "mymaster", 0),
        ),
        (
            "redis+sentinel://:s%40cret@10.0.0.1:5000/cache/3",
            SentinelUrl((("10.0.0.1", 5000),), "cache", 3, None, "s@cret"),
        ),
        (
            "redis+sentinel://app:pw@[::1]:26379,[fe80::2]/mymaster",
            SentinelUrl((("::1", 26379), ("fe80::2", 26379)), "mymaster", 0, "app", "pw"),
        ),
        (
            "REDIS+SENTINEL://h/m/",
            SentinelUrl((("h", 26379),), "m", 0),
        ),
    ],
)
def test_sentinel_urls_that_parse(url: str, expected: SentinelUrl) -> None:
    assert parse_sentinel_url(url) == expected
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("redis+sentinel://s1:26379", "no service"),
        ("redis+sentinel://s1:26379/", "no service"),
        ("redis+sentinel:///mymaster/0", "empty"),
        ("redis+sentinel://s1,,s2/mymaster/0", "empty"),
        ("redis+sentinel://s1:port/mymaster/0", "port"),
        ("redis+sentinel://s1:70000/mymaster/0", "port"),
        ("redis+sentinel://:1/mymaster/0", "no host"),
        ("redis+sentinel://[::1/mymaster/0", "bad sentinel address"),
        ("redis+sentinel://s1/mymaster/zero", "must be a number"),
        ("redis+sentinel://s1/mymaster/0/extra", "must be a number"),
        ("redis+sentinel://s1/mymaster/0?ssl=true", "no query"),
        ("redis+sentinel://password@s1/mymaster/0", "after a colon"),
        ("sentinel://s1/mymaster/0", "must start with"),
        ("127.0.0.1:6379", "must start with"),
        ("", "must start with"),
        ("redis://127.0.0.1:6379/zero", "bad Redis URL"),
    ],
)
def test_malformed_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_url(url)


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://:pw@redis.example:6380/1", "unix:///run/r.sock"]
)
def test_single_redis_urls_are_accepted(url: str) -> None:
    assert check_url(url) == url


def test_a_bad_url_stops_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLBOARD_REDIS_URL", "redis+sentinel://s1:26379")
    with pytest.raises(ValidationError, match="redis_url") as caught:
        Settings()
    assert "no service" in str(caught.value)
    monkeypatch.setenv("WALLBOARD_REDIS_URL", "redis+sentinel://s1,s2,s3/mymaster/0")
    assert Settings().redis_url.startswith("redis+sentinel://")


async def test_both_clients_reach_the_master_the_sentinels_name(tmp_path: Path) -> None:
    with Stack(tmp_path, "") as stack:
        group = Sentinels(stack, tmp_path).start()
        until(group.master, what="the sentinels to name a master")
        sync = connect_sync(group.url)
        try:
            sync.set("written", "by the sync client")
        finally:
            sync.close()
        client = connect(group.url)
        try:
            assert await client.get("written") == "by the sync client"  # decoded, as ever
            assert (await client.info("replication"))["role"] == "master"
        finally:
            await client.aclose()
