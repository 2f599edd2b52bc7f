"""The poller as a process: Redis, the QueueMetrics client, signals."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path

from redis.asyncio import Redis

from wallboard.model.alerts import DEFAULTS, Thresholds, merged
from wallboard.poller.loop import Poller
from wallboard.qm.client import QMClient
from wallboard.settings import Settings

log = logging.getLogger("wallboard.poller")


def load_thresholds(settings: Settings) -> Thresholds:
    """Defaults, then the file, then the environment; a bad value stops the poller with the
    reason rather than running without alerts."""
    from_file = (
        json.loads(Path(settings.thresholds_file).read_text()) if settings.thresholds_file else None
    )
    from_env = json.loads(settings.thresholds) if settings.thresholds else None
    return Thresholds.parse(merged(DEFAULTS, from_file, from_env))


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3)
    client = QMClient(
        settings.qm_url,
        settings.qm_user,
        settings.qm_password.get_secret_value(),
        connect_timeout=settings.qm_connect_timeout,
        read_timeout=settings.read_timeout_s,
        max_bytes=settings.qm_max_response_bytes,
    )
    log.info(
        "polling %s every %.1f s for queues %s",
        settings.qm_url,
        settings.poll_interval,
        settings.queues,
    )
    try:
        await Poller(settings, redis, client, thresholds=load_thresholds(settings)).run(stop)
    finally:
        await client.aclose()
        await redis.aclose()
