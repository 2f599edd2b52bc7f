"""Shared fixtures: a real Redis server (the embedded one) for everything that touches Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.harness import TEST_PACE, Stack
from wallboard.processes import EmbeddedRedis
from wallboard.store.connection import connect


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
    client = connect(redis_server.url)
    yield client
    await client.aclose()


@pytest.fixture
def stack(
    redis_server: EmbeddedRedis, prefix: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    """The product's own processes for one test; their logs are printed when it fails, in its
    body or in a fixture that builds on this one."""
    stack = Stack(tmp_path, redis_server.url, prefix=prefix, **TEST_PACE)
    yield stack
    stack.stop()
    reports = [getattr(request.node, f"rep_{when}", None) for when in ("setup", "call")]
    if any(report is not None and report.failed for report in reports):
        print(stack.logs())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
