"""The one backoff and the one stoppable wait."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from wallboard.pacing import backoff, pause


def test_backoff_doubles_from_the_base_and_caps() -> None:
    assert [backoff(0.5, n, 5.0) for n in range(7)] == [0.5, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff(3.0, 1000, 30.0) == 30.0, "no overflow however many failures"


def test_jitter_stays_within_20_percent_and_under_the_cap() -> None:
    rng = random.Random(7)
    for failures in range(1, 5):
        delay = backoff(1.0, failures, 100.0)
        samples = [backoff(1.0, failures, 100.0, rng) for _ in range(300)]
        assert all(0.8 * delay <= s <= 1.2 * delay for s in samples)
        assert min(samples) < 0.9 * delay and max(samples) > 1.1 * delay, "it does jitter"
    capped = [backoff(1.0, 10, 8.0, rng) for _ in range(300)]
    assert all(0.8 * 8.0 <= s <= 8.0 for s in capped)


async def timed(coro: object) -> float:
    started = time.monotonic()
    await coro  # type: ignore[misc]
    return time.monotonic() - started


async def test_pause_waits_its_time() -> None:
    assert await timed(pause(asyncio.Event(), 0.2)) == pytest.approx(0.2, abs=0.15)


async def test_pause_returns_at_once_when_stopped_or_woken_before() -> None:
    stop, wake = asyncio.Event(), asyncio.Event()
    stop.set()
    assert await timed(pause(stop, 10)) < 0.5
    wake.set()
    assert await timed(pause(asyncio.Event(), 10, wake)) < 0.5
    assert await timed(pause(asyncio.Event(), 0)) < 0.5


async def test_pause_returns_early_on_stop() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    assert await timed(pause(stop, 10)) < 2


async def test_pause_returns_early_on_a_wake_event() -> None:
    stop, other, wake = asyncio.Event(), asyncio.Event(), asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, wake.set)
    assert await timed(pause(stop, 10, other, wake)) < 2
    assert not stop.is_set()
