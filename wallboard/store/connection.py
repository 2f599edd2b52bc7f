"""The one way to open Redis: every process (poller, web, metrics, health checks) connects here.

Responses are decoded to ``str``: every value the wallboard keeps in Redis is text (JSON,
counters, stream ids).
"""

from __future__ import annotations

from redis.asyncio import Redis

SOCKET_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 3.0


def connect(url: str) -> Redis:
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
    )
