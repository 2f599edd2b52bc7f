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


class Heap:
    """Times the collections; when ``freezing``, freezes what survived each full collection and
    thaws and collects all every ``sweep_every`` seconds."""

    def __init__(self, freezing: bool, sweep_every: float) -> None:
        self.freezing = freezing
        self.sweep_every = sweep_every
        self.freezes = 0
        self.sweeps = 0
        self.paused = [0.0, 0.0, 0.0]  # seconds, by generation
        self._started = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        self._loop = asyncio.get_running_loop()
        gc.callbacks.append(self._collected)

    def uninstall(self) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._collected)
        self._loop = None

    def _collected(self, phase: str, info: dict[str, Any]) -> None:
        # Plain arithmetic only: a lock taken here could be the one the collection interrupted.
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.paused[info["generation"]] += time.perf_counter() - self._started
        # Frozen from the loop, not from inside the collector; the collection may also have
        # run in a worker thread.
        if self.freezing and info["generation"] == 2 and self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self.freeze)

    def freeze(self) -> None:
        gc.freeze()
        self.freezes += 1

    def sweep(self) -> None:
        """Everything is collected once (the callback freezes the survivors again)."""
        gc.unfreeze()
        gc.collect()
        self.sweeps += 1

    async def run(self, stop: asyncio.Event) -> None:
        self.install()
        try:
            if not self.freezing:
                await stop.wait()
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.sweep_every)
                if not stop.is_set():
                    self.sweep()
        finally:
            self.uninstall()
            if self.freezing:
                gc.unfreeze()  # the process, or a test's, has Python's collector back
