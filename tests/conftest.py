"""Shared fixtures: a real Redis server (the embedded one) for everything that touches Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from wallboard.processes import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis() as server:
        yield server


@pytest.fixture
def prefix() -> str:
    """A key prefix of its own per test, so tests sharing the server never see each other."""
    return f"t{uuid.uuid4().hex[:10]}:"


@pytest.fixture
async def redis(redis_server: EmbeddedRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    yield client
    await client.aclose()
