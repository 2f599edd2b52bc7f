"""The screens' registry in a real Redis: pairing codes taken once and readable across a room,
streams counted in and out, commands numbered, forgetting takes the code with it."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from wallboard.store.keys import Keys
from wallboard.store.screens import CODE_ALPHABET, ScreenStore, new_code, normal_code


@pytest.fixture
def store(redis: Redis, prefix: str) -> ScreenStore:
    return ScreenStore(redis, Keys(prefix))


def test_codes_avoid_characters_that_read_as_others() -> None:
    codes = {new_code() for _ in range(500)}
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set(CODE_ALPHABET) & set("0O1IL2Z5S8B")
    assert len(codes) > 490, "codes are random"
    assert normal_code(" ac-d efg ") == "ACDEFG"


async def test_a_code_is_kept_while_it_lasts_and_taken_once(
    store: ScreenStore, redis: Redis, prefix: str
) -> None:
    await store.seen("screen-aaaaaaaaaa", 100.0, page="/tv")
    code = await store.pairing_code("screen-aaaaaaaaaa")
    assert await store.pairing_code("screen-aaaaaaaaaa") == code
    assert 0 < await redis.ttl(Keys(prefix).pairing(code)) <= 900
    assert await store.claim(code.lower()) == "screen-aaaaaaaaaa"
    assert await store.claim(code) is None, "single use"
    assert await store.pairing_code("screen-aaaaaaaaaa") != code, "a new one after it"


async def test_streams_in_and_out_and_reconnects_counted(store: ScreenStore) -> None:
    assert await store.connected("s1", 100.0, address="127.0.0.1") == 0
    await store.connected("s1", 101.0)
    record = await store.get("s1")
    assert record and record["streams"] == 2 and record["connected_since"] == 100.0
    assert record["reconnects"] == 1 and record["name"].startswith("Screen ")
    await store.disconnected("s1", 102.0)
    await store.disconnected("s1", 103.0)
    record = await store.get("s1")
    assert record and record["streams"] == 0 and record["connected_since"] == 0
    assert record["last_seen"] == 103.0 and record["address"] == "127.0.0.1"


async def test_commands_are_numbered_and_move_the_revision(store: ScreenStore) -> None:
    await store.seen("s1", 100.0)
    before = await store.revision()
    assert await store.command("s1", "identify") == 1
    assert await store.command("s1", "reload") == 2
    assert await store.commands(["s1", "s2"]) == {"s1": (2, "reload"), "s2": (0, "")}
    assert await store.revision() == before + 2


async def test_alive_counts_events_and_forget_takes_the_code(
    store: ScreenStore, redis: Redis, prefix: str
) -> None:
    await store.seen("s1", 100.0)
    await store.alive({"s1": 5}, 110.0)
    await store.alive({"s1": 3}, 115.0)
    record = await store.get("s1")
    assert record and (record["events"], record["last_seen"]) == (8, 115.0)
    code = await store.pairing_code("s1")
    assert await store.forget("s1")
    assert await store.get("s1") is None and await store.all() == []
    assert await redis.get(Keys(prefix).pairing(code)) is None
    await store.alive({"s1": 1}, 120.0)
    assert await store.all() == [], "a forgotten screen's stream does not bring it back"
    assert not await store.update("s1", name="x")
