"""The directory's record in a real Redis: what the poller saves, a new leader and the web read."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from wallboard.model.derive import Directory
from wallboard.store.directory import DirectoryStore
from wallboard.store.keys import Keys

ANN = {"name": "Ann", "group": "Day", "location": "Rome", "supervisor": "demosupervisor"}


def directory() -> Directory:
    return Directory(agents={"agent/101": ANN}, queues={"300": "Sales"}, pauses={"10": "Lunch"})


async def test_nothing_kept_yet(redis: Redis, prefix: str) -> None:
    store = DirectoryStore(redis, Keys(prefix))
    assert await store.load() is None
    assert await store.supervisors() is None
    assert not await store.knows_agent("agent/101")


async def test_saved_and_loaded_back(redis: Redis, prefix: str) -> None:
    store = DirectoryStore(redis, Keys(prefix))
    await store.save(directory())
    assert await store.load() == directory()
    assert await store.knows_agent("agent/101") and not await store.knows_agent("agent/102")
    assert await store.supervisors() == "ok"
    record = json.loads(await redis.get(Keys(prefix).directory))
    assert set(record) == {"agents", "queues", "pauses", "supervisors"}


async def test_supervisors_missing_are_said_in_the_record(redis: Redis, prefix: str) -> None:
    store = DirectoryStore(redis, Keys(prefix))
    await store.save(directory(), "the user editor is refused: HTTP 403")
    assert await store.supervisors() == "unavailable: the user editor is refused: HTTP 403"
    await store.save(directory())
    assert await store.supervisors() == "ok"


async def test_a_record_of_an_earlier_version_reads_as_supervisors_ok(
    redis: Redis, prefix: str
) -> None:
    await redis.set(Keys(prefix).directory, json.dumps({"agents": {"agent/7": ANN}}))
    store = DirectoryStore(redis, Keys(prefix))
    assert await store.supervisors() == "ok"
    assert await store.load() == Directory(agents={"agent/7": ANN})
