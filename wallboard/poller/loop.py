"""The poll loop: fetch both raw blocks, derive, diff, publish; stand by without the lease."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import statistics
import time
from collections import deque
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from wallboard.metrics import PollerFigures
from wallboard.model.alerts import DEFAULTS, Thresholds, apply_alerts
from wallboard.model.derive import Directory, State, derive
from wallboard.model.diff import diff
from wallboard.model.today import attach
from wallboard.poller.directory import DirectoryKeeper
from wallboard.poller.stats import TodayKeeper
from wallboard.poller.waiting import wait, wait_any
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMError
from wallboard.settings import Settings
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import LeaseLost, SnapshotStore

log = logging.getLogger("wallboard.poller")

EMPTY: State = {"queues": [], "agents": [], "calls": []}


def backoff_delay(interval: float, failures: int, cap: float, rng: random.Random) -> float:
    """From the poll interval, doubling per failure, up to the cap, with ±20 % jitter."""
    if failures <= 0:
        return interval
    base = min(cap, interval * 2 ** (failures - 1))
    return min(cap, base * rng.uniform(0.8, 1.2))


class Poller:
    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        client: QMClient,
        *,
        thresholds: Thresholds | None = None,
        today: TodayKeeper | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.thresholds = thresholds or Thresholds.parse(DEFAULTS)
        keys = Keys(settings.redis_prefix)
        self.store = SnapshotStore(redis, keys, settings.stream_maxlen)
        self.lease = Lease(redis, keys, settings.lease_ttl_s)
        self.names = DirectoryKeeper(
            client,
            redis,
            keys,
            refresh_s=settings.directory_refresh,
            queue_names=settings.queue_name_map,
            supervisors_from=settings.supervisors_from,
        )
        self.today = today
        self.identity = f"{socket.gethostname()}:{os.getpid()}"
        self.figures = PollerFigures(redis, settings.redis_prefix, self.identity)
        self.rng = random.Random()
        self.failures = 0
        self.polls = 0
        self.published: State | None = None
        self.published_meta: dict[str, Any] = {}
        self.offsets: deque[float] = deque(maxlen=9)
        self.fetched_at: float | None = None
        self.leading = asyncio.Event()

    @property
    def directory(self) -> Directory:
        return self.names.directory

    async def run(self, stop: asyncio.Event) -> None:
        helpers = [
            asyncio.create_task(self._keep_lease(stop)),
            asyncio.create_task(self.names.run(stop, self.leading)),
        ]
        if self.today is not None:
            helpers.append(asyncio.create_task(self.today.run(stop, self.leading)))
        try:
            await self._poll_loop(stop)
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            with contextlib.suppress(RedisError):
                await self.lease.release()

    async def _keep_lease(self, stop: asyncio.Event) -> None:
        """Renewed by its own task, so a slow QueueMetrics answer never costs the lease."""
        period = self.settings.lease_ttl_s / 3
        while not stop.is_set():
            try:
                had = self.lease.held
                if await self.lease.acquire():
                    if not had:
                        log.info("lease acquired (epoch %s)", self.lease.epoch)
                        await self._on_leadership()
                        self.leading.set()
                elif had:
                    log.warning("lease lost; standing by")
            except RedisError as exc:
                if self.lease.held:
                    log.warning("Redis unavailable, dropping the lease: %s", exc)
                self.lease.value = None
            if not self.lease.held:
                self.leading.clear()
            # A standby reports too, so that /metrics shows it alive.
            await self.figures.publish(self.lease.held, self.lease.epoch)
            await wait(stop, self.lease.next_try_s(period))

    async def _on_leadership(self) -> None:
        """Carry on from what the previous leader published, so the stream stays a diff."""
        stored = await self.store.snapshot()
        self.published = stored[1] if stored else None
        self.published_meta = await self.store.meta()

    async def _poll_loop(self, stop: asyncio.Event) -> None:
        interval = self.settings.poll_interval
        next_start = time.monotonic()
        while not stop.is_set():
            if not self.lease.held:
                self.leading.clear()
                await wait_any(stop, self.leading, self.settings.lease_ttl_s / 3)
                next_start = time.monotonic()
                continue
            await self.poll_once()
            await self.figures.publish(self.lease.held, self.lease.epoch)
            if self.failures:
                next_start = time.monotonic() + backoff_delay(
                    interval, self.failures, self.settings.backoff_cap, self.rng
                )
            else:
                # Start to start, without drift; an overrun skips ahead rather than bunching.
                next_start = max(next_start + interval, time.monotonic())
            await wait(stop, next_start - time.monotonic())

    async def poll_once(self) -> None:
        started = time.monotonic()
        state, error = await self._fetch()
        self.figures.record(time.monotonic() - started, error["kind"] if error else None)
        stale = error is not None
        meta: dict[str, Any] = {
            "fetched_at": self.fetched_at,
            "stale": stale,
            "error": error,
            "qm_clock_offset": round(statistics.median(self.offsets), 3) if self.offsets else 0.0,
            "epoch": self.lease.epoch,
            "poller": self.identity,
            "polls": self.polls,
            "failures": self.failures,
        }
        delta = diff(self.published or EMPTY, state)
        flags = {"stale": stale, "error": error}
        if {k: self.published_meta.get(k) for k in flags} != flags:
            delta["meta"] = flags
        value = self.lease.value
        if value is None:
            return
        try:
            await self.store.publish(value, state, delta, meta, reset=self.published is None)
        except LeaseLost:
            log.warning("lease lost while publishing; standing by")
            self.lease.value = None
            self.leading.clear()
            return
        except RedisError as exc:
            log.warning("cannot publish to Redis: %s", exc)
            return
        self.published = state
        self.published_meta = meta

    async def _fetch(self) -> tuple[State, dict[str, str] | None]:
        self.polls += 1
        limit = self.settings.read_timeout_s + self.settings.qm_connect_timeout
        try:
            async with asyncio.timeout(limit):
                realtime, answer = await self.client.realtime(self.settings.queue_list)
            state = derive(realtime, self.settings.queue_list, self.directory)
        except QMError as exc:
            self.failures += 1
            log.warning("poll failed (%s): %s", exc.kind, exc.message)
            return self.published or EMPTY, {"kind": exc.kind, "message": exc.message}
        except TimeoutError:
            self.failures += 1
            message = f"QueueMetrics did not answer within {limit:.1f} s"
            return self.published or EMPTY, {"kind": "unreachable", "message": message}
        self.failures = 0
        self.fetched_at = time.time()
        if answer.clock_offset is not None:
            self.offsets.append(answer.clock_offset)
        qm_now = self.fetched_at + (statistics.median(self.offsets) if self.offsets else 0.0)
        self.names.notice(state)
        if self.today is not None:
            self.today.notice(state)
            attach(state, self.today.figures())
        apply_alerts(state, self.thresholds, self.published, qm_now)
        return state, None
