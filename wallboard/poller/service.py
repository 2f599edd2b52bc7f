"""The poller as a process: Redis, the QueueMetrics client, signals."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from datetime import time as dtime
from pathlib import Path

from redis.asyncio import Redis

from wallboard.model.alerts import DEFAULTS, Thresholds, merged
from wallboard.model.today import Targets, parse_targets
from wallboard.poller.loop import Poller
from wallboard.poller.stats import TodayKeeper
from wallboard.qm.client import QMClient
from wallboard.settings import Settings
from wallboard.store.keys import Keys

log = logging.getLogger("wallboard.poller")


def load_thresholds(settings: Settings) -> Thresholds:
    """Defaults, then the file, then the environment; a bad value stops the poller with the
    reason rather than running without alerts."""
    from_file = (
        json.loads(Path(settings.thresholds_file).read_text()) if settings.thresholds_file else None
    )
    from_env = json.loads(settings.thresholds) if settings.thresholds else None
    return Thresholds.parse(merged(DEFAULTS, from_file, from_env))


def today_keeper(settings: Settings, client: QMClient, redis: Redis) -> TodayKeeper:
    default = Targets(settings.sl_target_s, settings.sl_target_pct, settings.short_abandon_s)
    hours, _, minutes = settings.day_start.partition(":")
    return TodayKeeper(
        client,
        redis,
        Keys(settings.redis_prefix),
        queues=settings.queue_list,
        tz=settings.qm_timezone,
        day_start=dtime(int(hours), int(minutes or 0)),
        interval_s=settings.stats_interval,
        reconcile_s=settings.stats_reconcile,
        max_interval_s=settings.stats_max_interval,
        default_targets=default,
        targets=parse_targets(settings.queue_targets, default),
        exclude_short_abandons=settings.exclude_short_abandons,
        sl_basis=settings.sl_basis,
        start_means=settings.qm_tststart,
        timeout_s=settings.stats_timeout,
    )


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3)
    client = QMClient.from_settings(settings)
    log.info(
        "polling %s every %.1f s for queues %s",
        settings.qm_url,
        settings.poll_interval,
        settings.queues,
    )
    try:
        today = today_keeper(settings, client, redis) if settings.stats_enabled else None
        poller = Poller(settings, redis, client, thresholds=load_thresholds(settings), today=today)
        await poller.run(stop)
    finally:
        await client.aclose()
        await redis.aclose()
