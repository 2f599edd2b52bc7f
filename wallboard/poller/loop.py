"""The poll loop: fetch both raw blocks, run the poll pipeline, publish; stand by without the
lease. When names arrive between two polls the last answer is run through the pipeline again at
once, so a new name shows without waiting for the next poll."""

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
from wallboard.model.alert import Alert, Outcome, readings, reconcile
from wallboard.model.derive import Directory
from wallboard.model.pipeline import Context, Step, step
from wallboard.model.state import EMPTY, Floor
from wallboard.pacing import backoff, pause
from wallboard.poller.directory import DirectoryKeeper
from wallboard.poller.insights import InsightKeeper
from wallboard.poller.stats import TodayKeeper
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMError
from wallboard.qm.realtime import Realtime
from wallboard.settings import Settings
from wallboard.store.alerts import AlertStore, LeaseGone
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import LeaseLost, SnapshotStore

log = logging.getLogger("wallboard.poller")


class Poller:
    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        client: QMClient,
        *,
        today: TodayKeeper | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.thresholds = settings.alert_thresholds
        keys = Keys(settings.redis_prefix)
        self.store = SnapshotStore(redis, keys, settings.stream_maxlen)
        self.alerts = AlertStore(redis, keys)
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
        self.insights = InsightKeeper(
            redis,
            keys,
            default_targets=settings.default_targets,
            targets=settings.queue_target_map,
            tz=settings.qm_timezone,
        )
        self.identity = f"{socket.gethostname()}:{os.getpid()}"
        self.figures = PollerFigures(redis, settings.redis_prefix, self.identity)
        self.rng = random.Random()
        self.failures = 0
        self.polls = 0
        self.published: Floor | None = None
        self.published_meta: dict[str, Any] = {}
        self.last_answer: Realtime | None = None  # the last good raw answer, for re-deriving
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
            await pause(stop, self.lease.next_try_s(period))

    async def _on_leadership(self) -> None:
        """Carry on from what the previous leader published, so the stream stays a diff."""
        stored = await self.store.snapshot()
        self.published = stored[1] if stored else None
        self.published_meta = await self.store.meta()
        await self.insights.load(time.time())

    async def _poll_loop(self, stop: asyncio.Event) -> None:
        interval = self.settings.poll_interval
        next_start = time.monotonic()
        while not stop.is_set():
            if not self.lease.held:
                self.leading.clear()
                await pause(stop, self.settings.lease_ttl_s / 3, self.leading)
                next_start = time.monotonic()
                continue
            await self.poll_once()
            await self.figures.publish(self.lease.held, self.lease.epoch)
            if self.failures:
                delay = backoff(interval, self.failures, self.settings.backoff_cap, self.rng)
                next_start = time.monotonic() + delay
            else:
                # Start to start, without drift; an overrun skips ahead rather than bunching.
                next_start = max(next_start + interval, time.monotonic())
            await self._until(stop, next_start)

    async def _until(self, stop: asyncio.Event, start: float) -> None:
        """Wait for the next poll; names that arrive meanwhile are published at once."""
        while not stop.is_set() and (left := start - time.monotonic()) > 0:
            await pause(stop, left, self.names.changed)
            if self.names.changed.is_set():
                self.names.changed.clear()
                await self.republish()

    async def poll_once(self) -> None:
        started = time.monotonic()
        result, error = await self._fetch()
        self.figures.record(time.monotonic() - started, error["kind"] if error else None)
        await self._publish(result, error)

    async def republish(self) -> None:
        """The last good answer through the pipeline again, with what is known now."""
        if self.last_answer is not None and not self.failures and self.fetched_at is not None:
            await self._publish(self._derive(self.last_answer), None)

    def _meta(self, error: dict[str, str] | None) -> dict[str, Any]:
        offset = round(statistics.median(self.offsets), 3) if self.offsets else 0.0
        return {
            "fetched_at": self.fetched_at,
            "stale": error is not None,
            "error": error,
            "qm_clock_offset": offset,
            "epoch": self.lease.epoch,
            "poller": self.identity,
            "polls": self.polls,
            "failures": self.failures,
        }

    async def _publish(self, result: Step, error: dict[str, str] | None) -> None:
        """The floor, its delta (none after a failure: the floor is kept) and the meta."""
        meta = self._meta(error)
        value = self.lease.value
        if value is None:
            return
        reset = self.published is None
        try:
            await self.store.publish(value, result.floor, result.delta, meta, reset=reset)
        except LeaseLost:
            log.warning("lease lost while publishing; standing by")
            self.lease.value = None
            self.leading.clear()
            return
        except RedisError as exc:
            log.warning("cannot publish to Redis: %s", exc)
            return
        self.published = result.floor
        self.published_meta = meta
        if error is None:
            self.insights.keep(result.insights)
            await self.insights.save()
            await self._judge_alerts(result.floor, value)

    async def _judge_alerts(self, floor: Floor, lease_value: str) -> None:
        """The alert objects brought up to date with the floor just published."""
        now = time.time()
        offset = statistics.median(self.offsets) if self.offsets else 0.0
        found = readings(floor, now + offset)
        clear_after = self.settings.alert_clear_after

        def change(current: list[Alert]) -> Outcome:
            return reconcile(current, found, now, clear_after)

        try:
            outcome = await self.alerts.update(change, lease=(self.lease.keys.lease, lease_value))
            if outcome.new:
                await self.alerts.count(raised=len(outcome.new))
        except LeaseGone:
            log.warning("lease lost while judging alerts; standing by")
        except RedisError as exc:
            log.warning("cannot keep alerts in Redis: %s", exc)

    def _kept(self) -> Step:
        """After a failure: the last floor published, unchanged."""
        return Step(self.published or EMPTY, {})

    def _derive(self, answer: Realtime) -> Step:
        assert self.fetched_at is not None
        qm_now = self.fetched_at + (statistics.median(self.offsets) if self.offsets else 0.0)
        context = Context(
            watched=self.settings.queue_list,
            directory=self.directory,
            thresholds=self.thresholds,
            today=self.today.figures() if self.today is not None else None,
            insights=self.insights.inputs(self.today, qm_now),
        )
        result = step(self.published or EMPTY, answer, context, qm_now)
        self.names.notice(result.floor)
        if self.today is not None:
            self.today.notice(result.floor)
        return result

    async def _fetch(self) -> tuple[Step, dict[str, str] | None]:
        self.polls += 1
        limit = self.settings.read_timeout_s + self.settings.qm_connect_timeout
        try:
            async with asyncio.timeout(limit):
                realtime, answer = await self.client.realtime(self.settings.queue_list)
        except QMError as exc:
            self.failures += 1
            log.warning("poll failed (%s): %s", exc.kind, exc.message)
            return self._kept(), {"kind": exc.kind, "message": exc.message}
        except TimeoutError:
            self.failures += 1
            message = f"QueueMetrics did not answer within {limit:.1f} s"
            return self._kept(), {"kind": "unreachable", "message": message}
        self.failures = 0
        self.fetched_at = time.time()
        if answer.clock_offset is not None:
            self.offsets.append(answer.clock_offset)
        self.last_answer = realtime
        return self._derive(realtime), None
