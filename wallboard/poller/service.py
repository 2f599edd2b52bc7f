"""The poller as a process: Redis, the QueueMetrics client, signals."""

from __future__ import annotations

import asyncio
import logging
import signal

from redis.asyncio import Redis

from wallboard.poller.loop import Poller
from wallboard.poller.stats import TodayKeeper
from wallboard.qm.client import QMClient
from wallboard.settings import Settings
from wallboard.store.connection import connect
from wallboard.store.keys import Keys

log = logging.getLogger("wallboard.poller")


def today_keeper(settings: Settings, client: QMClient, redis: Redis) -> TodayKeeper:
    return TodayKeeper(
        client,
        redis,
        Keys(settings.redis_prefix),
        queues=settings.queue_list,
        tz=settings.qm_timezone,
        day_start=settings.day_start_time,
        interval_s=settings.stats_interval,
        reconcile_s=settings.stats_reconcile,
        max_interval_s=settings.stats_max_interval,
        default_targets=settings.default_targets,
        targets=settings.queue_target_map,
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
    redis = connect(settings.redis_url)
    client = QMClient.from_settings(settings)
    log.info(
        "polling %s every %.1f s for queues %s",
        settings.qm_url,
        settings.poll_interval,
        settings.queues,
    )
    try:
        today = today_keeper(settings, client, redis) if settings.stats_enabled else None
        poller = Poller(settings, redis, client, today=today)
        await poller.run(stop)
    finally:
        await client.aclose()
        await redis.aclose()
