"""The web process's garbage collector, kept from stopping every screen at once.

Each open event stream holds a few hundred objects that live as long as it does (uvicorn's
protocol, Starlette's scope, sse-starlette's tasks, our generator). Python's full collection
scans every one of them: at 5,000 streams it held the event loop for about 400 ms every dozen
seconds and found nothing to free, and each screen's change waited behind it (the p99 of
fan-out in docs/benchmarks.md). So what survives a full collection is frozen (``gc.freeze``:
the collector no longer scans it); the next full collections scan only what came since, and
the young are collected as usual. Now and then the frozen part is thawed and collected in
full, so a cycle of objects that died while frozen (a closed stream's tasks and frames) is
freed then, not never. Objects without cycles are freed by reference counting when they
die, frozen or not. The time each generation's collections held the loop is counted either
way (``wallboard_gc_pause_seconds_total`` on ``/metrics``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from typing import Any

CHECK_EVERY_S = 1.0


class Heap:
    """Times the collections; when ``freezing``, freezes what survived each full collection (at
    the next check, within a second) and thaws and collects all every ``sweep_every`` seconds."""

    def __init__(self, freezing: bool, sweep_every: float) -> None:
        self.freezing = freezing
        self.sweep_every = sweep_every
        self.freezes = 0
        self.sweeps = 0
        self.paused = [0.0, 0.0, 0.0]  # seconds, by generation
        self.due = False  # a full collection ran since the last freeze
        self.swept_at = time.monotonic()
        self._started = 0.0

    def install(self) -> None:
        gc.callbacks.append(self._collected)

    def uninstall(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._collected)

    def _collected(self, phase: str, info: dict[str, Any]) -> None:
        # Plain assignments only: the collection may have interrupted any code, the event
        # loop's own included, so nothing here takes a lock or calls into the loop.
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.paused[info["generation"]] += time.perf_counter() - self._started
        if info["generation"] == 2:
            self.due = True

    def tick(self, now: float | None = None) -> None:
        """The sweep when its time has come, else the freeze a full collection made due."""
        now = time.monotonic() if now is None else now
        if now >= self.swept_at + self.sweep_every and self._sweep():
            self.swept_at = now
            self.sweeps += 1
        if self.due:
            self.due = False
            gc.freeze()
            self.freezes += 1

    def _sweep(self) -> bool:
        """Thaw all and collect all (which makes the freeze due); False when Python skipped the
        collection because another thread's was running, so the next check tries again."""
        full = _full_collections()
        gc.unfreeze()
        gc.collect()
        return _full_collections() > full

    async def run(self, stop: asyncio.Event) -> None:
        self.install()
        try:
            if not self.freezing:
                await stop.wait()
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), CHECK_EVERY_S)
                self.tick()
        finally:
            self.uninstall()
            if self.freezing:
                gc.unfreeze()  # the process, or a test's, has Python's collector back


def _full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])
