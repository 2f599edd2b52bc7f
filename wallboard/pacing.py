"""Waiting in long-running loops: the one backoff, and the one wait that a stop cuts short."""

from __future__ import annotations

import asyncio
import contextlib
import random


def backoff(base: float, failures: int, cap: float, rng: random.Random | None = None) -> float:
    """``base`` doubled per failure after the first, up to ``cap``; with ``rng``, ±20 % jitter
    (still capped) so that many clients do not retry in step."""
    if failures <= 0:
        return base
    delay = min(cap, base * 2.0 ** (failures - 1))
    if rng is None:
        return delay
    jittered: float = delay * rng.uniform(0.8, 1.2)
    return min(cap, jittered)


async def pause(stop: asyncio.Event, seconds: float, *wake: asyncio.Event) -> None:
    """Wait ``seconds``, or less if ``stop`` or any of ``wake`` is set meanwhile."""
    if seconds <= 0 or stop.is_set() or any(event.is_set() for event in wake):
        return
    waiters = [asyncio.ensure_future(event.wait()) for event in (stop, *wake)]
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
