"""Waiting for a condition with a deadline, the only way tests synchronise with what runs
beside them (a process, a server thread, a task)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


def until(
    condition: Callable[[], Any],
    timeout: float = 10.0,
    what: str = "condition",
    explain: Callable[[], str] | None = None,
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` at the deadline,
    and with what ``explain`` says of the state then (why the condition is still false)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.05)
    why = f"; {explain()}" if explain else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r}){why}")


async def eventually(
    condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
) -> Any:
    """``until`` for async tests: the event loop keeps running while it waits."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.01)
    return value
