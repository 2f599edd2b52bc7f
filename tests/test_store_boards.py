"""Boards in a real Redis: optimistic locking, limits, all-or-nothing replace, the revision."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from wallboard.model.board import Board, Playlist
from wallboard.store.boards import BoardStore, Exists, Full, Missing, Stale
from wallboard.store.keys import Keys


def make(ident: str, version: int = 1, title: str = "T") -> Board:
    return Board(id=ident, title=title, version=version)


@pytest.fixture
def store(redis: Redis, prefix: str) -> BoardStore:
    return BoardStore(redis, Keys(prefix))


async def test_create_read_and_revision(store: BoardStore) -> None:
    before = await store.revision()
    await store.write("boards", make("a"), None, 10)
    assert await store.board("a") == make("a")
    assert [b.id for b in await store.boards()] == ["a"]
    assert await store.revision() == before + 1


async def test_create_refuses_a_taken_id_and_past_the_limit(store: BoardStore) -> None:
    await store.write("boards", make("a"), None, 2)
    with pytest.raises(Exists):
        await store.write("boards", make("a", title="other"), None, 2)
    await store.write("boards", make("b"), None, 2)
    with pytest.raises(Full):
        await store.write("boards", make("c"), None, 2)
    assert (await store.board("a")).title == "T"
    with pytest.raises(Missing):
        await store.board("c")


async def test_update_needs_the_stored_version(store: BoardStore) -> None:
    await store.write("boards", make("a", 1), None, 10)
    await store.write("boards", make("a", 2, "second"), 1, 10)
    with pytest.raises(Stale):
        await store.write("boards", make("a", 2, "third"), 1, 10)
    assert (await store.board("a")).title == "second"
    with pytest.raises(Missing):
        await store.write("boards", make("z", 2), 1, 10)


async def test_delete_returns_what_it_removed(store: BoardStore) -> None:
    await store.write("boards", make("a"), None, 10)
    deleted = await store.delete("boards", "a")
    assert deleted["id"] == "a" and deleted["title"] == "T"
    with pytest.raises(Missing):
        await store.delete("boards", "a")


async def test_replace_all_drops_what_was_there(store: BoardStore) -> None:
    await store.write("boards", make("old"), None, 10)
    lists = [Playlist(id="p", title="P", boards=("a", "b"))]
    await store.replace_all([make("a"), make("b")], lists)
    assert [b.id for b in await store.boards()] == ["a", "b"]
    assert await store.playlists() == lists
    assert not await store.empty()
    await store.replace_all([], [])
    assert await store.empty()
