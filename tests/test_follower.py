"""The web process's reader of the change stream keeps following after a round fails."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis

from wallboard.model.state import Floor
from wallboard.store.keys import Keys
from wallboard.store.snapshot import Change, SnapshotStore
from wallboard.web.follower import StreamFollower


class Listener:
    """A hub whose first refresh fails with a bug of its own."""

    def __init__(self) -> None:
        self.reloads = 0
        self.refreshes = 0
        self.reloaded = asyncio.Event()

    def reload(self, version: str, floor: Floor) -> None:
        self.reloads += 1
        if self.reloads == 2:
            self.reloaded.set()

    def apply(self, change: Change) -> None:
        pass

    async def refresh(self) -> None:
        self.refreshes += 1
        if self.refreshes == 1:
            raise ValueError("a bug in a round")

    def lost_redis(self, message: str) -> None:
        pass


async def test_a_round_that_fails_is_logged_and_the_snapshot_loaded_again(
    redis: Redis, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    listener = Listener()
    follower = StreamFollower(SnapshotStore(redis, Keys(prefix)), listener)
    stop = asyncio.Event()
    with caplog.at_level(logging.ERROR, logger="wallboard.web"):
        task = asyncio.create_task(follower.run(stop))
        try:
            await asyncio.wait_for(listener.reloaded.wait(), 10)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
    assert listener.reloads == 2
    failed = [r for r in caplog.records if "round of the change stream failed" in r.message]
    assert len(failed) == 1 and failed[0].exc_info is not None
