"""One reader of Redis per web process: it loads the snapshot, follows the change stream and
refreshes what is read by polling (meta, messages), telling a listener (the hub) of each. When
Redis fails it says so at once and retries with backoff; after it returns the snapshot is
loaded again, since the stream may have moved on or been reset. A Sentinel failover is such an
outage: connection errors while the master is down, then (through ``store.connection``) a
demoted master's READONLY answers, which drop the connection so that the next one asks the
sentinels again; and the new master's stream may lack the last entries, hence the reload. Any
other failure of a round is logged and handled the same way: the next round loads again."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Protocol

from redis.exceptions import RedisError

from wallboard.model.state import EMPTY, Floor
from wallboard.pacing import backoff, pause
from wallboard.store.snapshot import Change, SnapshotStore

log = logging.getLogger("wallboard.web")

READ_BLOCK_MS = 1000
# Capped at 2 s: a Sentinel failover brings a new master within seconds, and every second of
# backoff after that is a second of STALE on every screen; a retry costs one connection attempt.
RETRY_BASE_S, RETRY_CAP_S = 0.4, 2.0


class Listener(Protocol):
    def reload(self, version: str, floor: Floor) -> None: ...
    def apply(self, change: Change) -> None: ...
    async def refresh(self) -> None: ...
    def lost_redis(self, message: str) -> None: ...


class StreamFollower:
    def __init__(self, store: SnapshotStore, listener: Listener) -> None:
        self.store = store
        self.listener = listener
        self.loaded = False
        self.version = ""
        self.rng = random.Random()

    async def _load(self) -> None:
        stored = await self.store.snapshot()
        if stored is None:
            self.version, floor = await self.store.last_version(), EMPTY
        else:
            self.version, floor = stored
        self.listener.reload(self.version, floor)
        self.loaded = True

    async def _follow(self) -> None:
        """One round: the changes after our version (a reset means: load again), then the rest."""
        if not self.loaded:
            await self._load()
            await self.listener.refresh()
        for change in await self.store.read(self.version, block_ms=READ_BLOCK_MS):
            if change.delta is None:
                await self._load()
                break
            self.listener.apply(change)
            self.version = change.version
        await self.listener.refresh()

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                await self._follow()
                failures = 0
            except RedisError as exc:
                failures += 1
                if failures == 1:
                    log.warning("Redis unavailable: %s", exc)
                self.loaded = False
                self.listener.lost_redis(f"{type(exc).__name__}: {exc}")
                await pause(stop, backoff(RETRY_BASE_S, failures, RETRY_CAP_S, self.rng))
            except Exception:
                # A fault of ours, not of Redis: logged with its traceback, and the next round
                # loads the snapshot again, instead of this process's screens never being
                # updated again (the task would end, and nothing would say so).
                failures += 1
                if failures == 1:
                    log.exception("a round of the change stream failed; loading the snapshot again")
                self.loaded = False
                await pause(stop, backoff(RETRY_BASE_S, failures, RETRY_CAP_S, self.rng))
