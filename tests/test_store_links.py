"""Display links in a real Redis: a link opens its board only, nothing kept opens anything,
revoking is for the board's own links, and the revision moves with every change."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from wallboard.store.keys import Keys
from wallboard.store.links import LinkStore, NoLink


@pytest.fixture
def store(redis: Redis, prefix: str) -> LinkStore:
    return LinkStore(redis, Keys(prefix), "s3cret-key-for-tests")


async def test_a_link_admits_its_board_only(store: LinkStore) -> None:
    link, token = await store.create("sales", "sup", 100.0)
    cookie = store.cookie_of(token)
    assert await store.admits("sales", cookie) == link
    assert await store.admits("support", cookie) is None
    assert await store.admits("sales", store.cookie_of(token + "x")) is None
    assert await store.admits("sales", "") is None
    assert len(token) >= 43  # 32 random bytes, URL-safe base64


async def test_neither_the_token_nor_the_cookie_is_stored(
    store: LinkStore, redis: Redis, prefix: str
) -> None:
    _, token = await store.create("sales", "sup", 100.0)
    cookie = store.cookie_of(token)
    stored: list[str] = []
    for key in (store.keys.links, store.keys.links_by_digest):
        stored += [str(part) for pair in (await redis.hgetall(key)).items() for part in pair]
    assert stored and not any(token in s or cookie in s for s in stored)
    # Another secret makes other digests: a copy of Redis without the key opens nothing.
    other = LinkStore(redis, Keys(prefix), "another-key")
    assert await other.admits("sales", other.cookie_of(token)) is None


async def test_listing_and_revoking(store: LinkStore) -> None:
    first, token = await store.create("sales", "sup", 100.0)
    second, _ = await store.create("sales", "ann", 200.0)
    await store.create("support", "sup", 150.0)
    assert [k.id for k in await store.links("sales")] == [first.id, second.id]
    assert set(first.public()) == {"id", "board", "created_by", "created_at"}
    before = await store.revision()
    with pytest.raises(NoLink):
        await store.revoke("support", first.id)  # not that board's link
    assert await store.revoke("sales", first.id) == first
    assert await store.revision() == before + 1
    assert await store.admits("sales", store.cookie_of(token)) is None
    assert first.id not in await store.live() and second.id in await store.live()
    with pytest.raises(NoLink):
        await store.revoke("sales", first.id)


async def test_revoke_all_of_a_deleted_board(store: LinkStore) -> None:
    _, one = await store.create("sales", "sup", 1.0)
    await store.create("sales", "sup", 2.0)
    _, other = await store.create("support", "sup", 3.0)
    assert await store.revoke_all("sales") == 2
    assert await store.links("sales") == []
    assert await store.admits("sales", store.cookie_of(one)) is None
    assert await store.admits("support", store.cookie_of(other)) is not None
