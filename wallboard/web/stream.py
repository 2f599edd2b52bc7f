"""One screen's SSE stream: sse-starlette's response, with a leaner path per send.

sse-starlette guards every send with a timeout of its own (an anyio cancel scope around each
send) and runs a ping task per connection. With thousands of screens on one process both cost
more than the writes themselves (docs/benchmarks.md, fan-out), so here:

- no ping task: the hub's freshness line is the heartbeat, sent at least every keep-alive
  interval to every screen (``Liveness``);
- the send timeout still holds, judged by one sweep a second over all streams (``Watchdog``)
  instead of a cancel scope per send: a stream whose send has waited longer than the timeout
  (a client that stopped reading with its buffers full) is cancelled; its client resumes from
  its last id when it reconnects.

A stream also gives back what it holds (its hub place, its address's slot) however it ends,
even when the client leaves before the first byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from sse_starlette import EventSourceResponse
from starlette.types import Message, Receive, Scope, Send


class Watchdog:
    """The streams of one process and how long each one's pending send has waited."""

    def __init__(self, send_timeout: float) -> None:
        self.send_timeout = send_timeout
        self.streams: set[Stream] = set()
        self.cancelled = 0

    def sweep(self, now: float | None = None) -> int:
        """Cancel the streams stuck in a send for longer than the timeout; how many."""
        now = time.monotonic() if now is None else now
        late = [s for s in self.streams if s.stuck_for(now) > self.send_timeout]
        for stream in late:
            stream.cancel()
        self.cancelled += len(late)
        return len(late)

    async def run(self, stop: asyncio.Event, every: float = 1.0) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            self.sweep()


class Stream(EventSourceResponse):
    def __init__(
        self,
        body: AsyncIterator[bytes],
        release: Callable[[], None],
        watchdog: Watchdog,
        **kw: Any,
    ) -> None:
        super().__init__(body, ping=0, **kw)
        self.release = release
        self.watchdog = watchdog
        self.sending_since: float | None = None
        self._scope: anyio.CancelScope | None = None

    def stuck_for(self, now: float) -> float:
        return 0.0 if self.sending_since is None else now - self.sending_since

    def cancel(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        # sse-starlette's hook for every body send: timed by the watchdog, not a scope here.
        self.sending_since = time.monotonic()
        try:
            await send(message)
        except BaseException:
            self._send_interrupted = True
            raise
        finally:
            self.sending_since = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.watchdog.streams.add(self)
        try:
            with anyio.CancelScope() as self._scope:
                await super().__call__(scope, receive, send)
        finally:
            self.watchdog.streams.discard(self)
            self.release()
