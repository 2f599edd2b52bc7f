"""The insight widgets on the leading poller: inputs for each poll, memory kept in Redis.

Each poll the keeper hands the pipeline what the insight figures need (today's tallies and
recent calls from the QmStats channel, the trend points and ended pauses so far), keeps what
the poll brought up to date, and writes to Redis only the queues whose points changed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisError

from wallboard.model.insights import Insights, Outcome, Target
from wallboard.model.today import Targets, business_day
from wallboard.model.trend import Series
from wallboard.poller.stats import TodayKeeper
from wallboard.store.insights import InsightStore
from wallboard.store.keys import Keys

log = logging.getLogger("wallboard.poller")


def _target(t: Targets) -> Target:
    return (t.sl_s, t.sl_pct) if t.sl_pct > 0 else None


class InsightKeeper:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        *,
        default_targets: Targets = Targets(),  # noqa: B008 - frozen
        targets: Mapping[str, Targets] | None = None,
        tz: str = "UTC",
    ) -> None:
        self.store = InsightStore(redis, keys)
        self.default = _target(default_targets)
        self.targets = {q: _target(t) for q, t in (targets or {}).items()}
        self.tz = ZoneInfo(tz)
        self.trend: dict[str, Series] = {}
        self.pauses: dict[str, float] = {}
        self.day = ""
        self.saved: dict[str, Series] = {}
        self.saved_pauses: dict[str, float] = {}

    async def load(self, now: float) -> None:
        """Carry on from the points and pauses the previous leader kept."""
        self.day = business_day(now, self.tz).label
        try:
            self.trend = await self.store.trend()
            self.pauses = await self.store.pauses(self.day)
        except (RedisError, ValueError) as exc:
            log.warning("cannot read the insight widgets' memory from Redis: %s", exc)
        self.saved, self.saved_pauses = dict(self.trend), dict(self.pauses)

    def inputs(self, today: TodayKeeper | None, now: float) -> Insights:
        day = today.day if today is not None and today.day is not None else None
        if day is None:
            start, label = business_day(now, self.tz).start, business_day(now, self.tz).label
        else:
            start, label = day.start, day.label
        if label != self.day:
            self.day, self.pauses = label, {}  # a new day: pauses start from nothing
        tallies = recent = None
        if today is not None and today.as_of is not None and day is not None:
            tallies, recent = today.tallies, today.recent
        return Insights(
            day_start=start,
            tallies=tallies,
            recent=recent,
            targets=self.targets,
            default_target=self.default,
            trend=self.trend,
            pauses=self.pauses,
        )

    def keep(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.trend, self.pauses = outcome.trend, outcome.pauses

    async def save(self) -> None:
        """What changed since the last save; a failure is retried with the next poll."""
        changed = {q: s for q, s in self.trend.items() if self.saved.get(q) != s}
        gone = [q for q in self.saved if q not in self.trend]
        pauses = (self.day, self.pauses) if self.pauses != self.saved_pauses else None
        if not changed and not gone and pauses is None:
            return
        try:
            await self.store.save(changed, gone, pauses)
        except RedisError as exc:
            log.warning("cannot keep the insight widgets' memory in Redis: %s", exc)
            return
        self.saved, self.saved_pauses = dict(self.trend), dict(self.pauses)
