"""Today's figures on their own channel: QmStats' raw call lists, fetched by the leader only.

QmStats recomputes its whole analysis at every call, so after one whole-day fetch the channel
asks for overlapping windows only (Loway's margin: twice the average handle time plus the
longest wait), upserts the calls, and reconciles with a whole-day fetch every few minutes and
when the day starts. One request at a time, in its own task: the real-time poll never waits
for it, and its failures make only today's figures stale.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisError

from wallboard.model.agentday import Tally, tally
from wallboard.model.insights import recent_calls
from wallboard.model.staffing import WINDOW_S, Recent
from wallboard.model.state import Floor
from wallboard.model.today import (
    LOST_CAUSES,
    Book,
    Day,
    Figures,
    Targets,
    business_day,
    figures,
    of_day,
    upsert,
    with_live,
)
from wallboard.pacing import backoff, pause
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMError
from wallboard.qm.stats import CallRecord, StartMeans, fetch_calls
from wallboard.store.keys import Keys
from wallboard.store.today import BookMark, TodayStore

log = logging.getLogger("wallboard.poller")


class TodayKeeper:
    def __init__(
        self,
        client: QMClient,
        redis: Redis,
        keys: Keys,
        *,
        queues: list[str],
        tz: str = "UTC",
        day_start: dtime = dtime(0),
        interval_s: float = 60.0,
        reconcile_s: float = 900.0,
        max_interval_s: float = 900.0,
        cost_share: float = 0.02,
        margin_min_s: float = 300.0,
        default_targets: Targets = Targets(),  # noqa: B008 - frozen
        targets: Mapping[str, Targets] | None = None,
        exclude_short_abandons: bool = False,
        sl_basis: str = "offered",
        start_means: StartMeans = "enter",
        causes: Mapping[str, str] = LOST_CAUSES,
        timeout_s: float = 30.0,
        persist: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client, self.store = client, TodayStore(redis, keys)
        self.watched = [q for q in queues if q and q != "*"]
        self.all_queues = "*" in queues or not self.watched
        self.tz, self.day_start = ZoneInfo(tz), day_start
        self.base_interval, self.reconcile_s = interval_s, reconcile_s
        self.max_interval, self.cost_share = max(max_interval_s, interval_s), cost_share
        self.margin_min_s, self.timeout_s = margin_min_s, timeout_s
        self.default, self.targets = default_targets, dict(targets or {})
        self.exclude_short, self.sl_basis = exclude_short_abandons, sl_basis
        self.start_means, self.causes, self.persist = start_means, causes, persist
        self.clock = clock
        self.book: Book = {}
        self.day: Day | None = None
        self.covered: tuple[str, ...] = ()  # the queues the book holds whole days of
        self.last_fetch: float | None = None  # QM time each mark was sent at
        self.last_full: float | None = None
        self.live_queues: list[str] = []
        self.waiting_since: dict[str, float] = {}
        self.live_entered: float | None = None
        self.offset = 0.0  # QueueMetrics' clock minus ours, from its last answer
        self.interval = interval_s
        self.failures = 0
        self.requests = 0
        self.last_window: tuple[float, float, bool] | None = None
        self.last_elapsed_ms: float | None = None
        self.as_of: float | None = None
        self.error: dict[str, str] | None = None
        self._base: Figures = {"queues": {}, "all": None}
        # For the insight widgets (poller/insights.py): per agent, per queue.
        self.tallies: dict[str, Tally] = {}
        self.recent: dict[str, list[Recent]] = {}

    # ------------------------------------------------------------ inputs and outputs

    def notice(self, floor: Floor) -> None:
        """The floor of the last real-time poll: its queues and calls still waiting."""
        self.live_queues = [q.queue for q in floor.queues]
        self.waiting_since = {
            q.queue: q.longest_wait_since for q in floor.queues if q.longest_wait_since
        }
        entered = [c.entered for c in floor.calls if c.entered]
        self.live_entered = min(entered) if entered else None

    def qm_now(self) -> float:
        return self.clock() + self.offset

    def queues(self) -> list[str]:
        # QmStats' acceptance of "*" is not confirmed: ask for the queues seen live instead.
        if not self.all_queues:
            return list(self.watched)
        return list(dict.fromkeys([*self.watched, *self.live_queues]))

    def figures(self) -> dict[str, Any]:
        """Today's figures as stored in Redis, their live part brought up to now."""
        now = self.qm_now()
        since = self.waiting_since
        queues = {q: with_live(f, since.get(q), now) for q, f in self._base["queues"].items()}
        total = self._base["all"]
        if total is not None:
            waits = [since[q] for q in queues if q in since]
            total = with_live(total, min(waits) if waits else None, now)
        too_old = self.as_of is None or self.clock() - self.as_of > 2 * self.interval + 10
        return {
            "as_of": self.as_of,
            "stale": self.error is not None or too_old,
            "error": self.error,
            "day": self.day.label if self.day else None,
            "queues": queues,
            "all": total,
            "interval_s": self.interval,
            "qm_elapsed_ms": self.last_elapsed_ms,
        }

    # ------------------------------------------------------------ one fetch

    def _margin(self) -> float:
        day = of_day(self.book, self.day) if self.day else []
        answered = [c for c in day if c.answered]
        aht = sum(c.talk for c in answered) / len(answered) if answered else 0.0
        longest = max((c.wait for c in day), default=0)
        return max(self.margin_min_s, 2 * aht + longest)

    def plan(self, now: float, queues: list[str]) -> tuple[Day, float, bool]:
        """The day, the window start and whether it is a whole-day fetch."""
        day = business_day(now, self.tz, self.day_start)
        full = (
            self.day is None
            or self.day.label != day.label
            or self.last_full is None
            or self.last_fetch is None
            or now - self.last_full >= self.reconcile_s
            or not set(queues) <= set(self.covered)
        )
        if full or self.last_fetch is None:
            return day, day.start, True
        start = self.last_fetch - self._margin()
        if self.live_entered is not None:
            # A call live at the last fetch may end any time later: keep its entry in view.
            start = min(start, self.live_entered)
        return day, max(day.start, start), False

    async def cycle(self) -> bool:
        """One QmStats request (when there is a queue to ask about); True on success."""
        queues = self.queues()
        if not queues:
            return False
        now = self.qm_now()
        day, start, full = self.plan(now, queues)
        self.requests += 1
        self.last_window = (start, day.end, full)
        try:
            async with asyncio.timeout(self.timeout_s):
                answer = await fetch_calls(
                    self.client, queues, start, day.end, self.tz, self.start_means
                )
        except QMError as exc:
            return await self._failed(exc.kind, exc.message)
        except TimeoutError:
            message = f"QmStats gave no answer in {self.timeout_s:g} s"
            return await self._failed("unreachable", message)
        if answer.clock_offset is not None:
            # The latest, not a median: the day boundary needs no sub-second precision, and a
            # clock set right after a wrong start must be followed at once.
            # The client measures it against the system clock; `clock` may be another one.
            self.offset = answer.clock_offset - (self.clock() - time.time())
        if full:
            self.book, self.day, self.covered, self.last_full = {}, day, tuple(queues), now
        changed = upsert(self.book, answer.calls, None if full else start)
        self.last_fetch = now
        self.failures, self.error, self.as_of = 0, None, self.clock()
        self.last_elapsed_ms = answer.elapsed_ms
        cost = answer.elapsed_ms / 1000 if answer.elapsed_ms is not None else answer.round_trip_s
        self.interval = min(self.max_interval, max(self.base_interval, cost / self.cost_share))
        day_calls = of_day(self.book, day)
        self.tallies = tally(day_calls)
        self.recent = recent_calls(day_calls, now - WINDOW_S - 300)
        self._base = figures(
            day_calls,
            queues,
            now=now,
            default=self.default,
            targets=self.targets,
            exclude_short=self.exclude_short,
            sl_basis=self.sl_basis,
            waiting_since=self.waiting_since,
            causes=self.causes,
        )
        await self._store(changed, full)
        return True

    async def _failed(self, kind: str, message: str) -> bool:
        self.failures += 1
        self.error = {"kind": kind, "message": message}
        log.warning("QmStats failed (%s): %s", kind, message)
        await self._store([], False)
        return False

    def day_over(self) -> bool:
        """The day fetched last has ended on QueueMetrics' clock: fetch the new one now."""
        return self.day is not None and self.qm_now() >= self.day.end

    def delay(self) -> float:
        if self.failures:
            return backoff(self.base_interval, self.failures, self.max_interval)
        return self.interval

    # ------------------------------------------------------------ Redis

    async def _store(self, changed: list[CallRecord], full: bool) -> None:
        mark = None  # the book is kept only when it holds a day fetched without error
        if self.persist and self.day is not None and self.error is None:
            mark = BookMark(self.day.label, self.covered, self.last_fetch, self.last_full)
        try:
            await self.store.save(self.figures(), mark, changed, whole=full)
        except RedisError as exc:
            log.warning("cannot keep today's figures in Redis: %s", exc)

    async def load(self) -> bool:
        """Carry on from what a previous leader kept, if it is today's; True if it was."""
        if not self.persist:
            return False
        stored = await self.store.book()
        if stored is None:
            return False
        mark = stored.mark
        day = business_day(self.qm_now(), self.tz, self.day_start)
        if mark.day != day.label or mark.last_full is None:
            return False
        self.book = {rec.key: rec for rec in stored.calls}
        self.day, self.covered = day, mark.queues
        self.last_fetch, self.last_full = mark.last_fetch, mark.last_full
        return True

    # ------------------------------------------------------------ the loop

    async def run(self, stop: asyncio.Event, leading: asyncio.Event, idle_s: float = 5.0) -> None:
        """While this poller leads: at most one QmStats request outstanding, at the interval."""
        loaded = False
        while not stop.is_set():
            if not leading.is_set():
                loaded = False  # another leader may have moved on meanwhile
                await pause(stop, idle_s, leading)
                continue
            if not loaded:
                try:
                    if not await self.load():
                        self.last_full = None
                except (RedisError, ValueError, TypeError) as exc:
                    log.warning("cannot read today's calls from Redis: %s", exc)
                    self.last_full = None
                loaded = True
            ok = await self.cycle()
            if ok and self.day_over():
                continue
            await pause(stop, self.delay() if self.queues() else idle_s)
