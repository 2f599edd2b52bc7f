"""The screens whose streams this web process holds: marked alive in Redis every few seconds,
and given the commands sent to them from any web process.

The hub calls ``refresh`` once per round (about every second). A round reads one counter, the
screens' revision; only when it moved are the open screens' last commands read, in one
pipeline, and a command newer than what a stream already had is sent down it. So a command
reaches its screen within a round or two of being sent, whichever replica holds the stream,
and a thousand quiet screens cost one read a second. Closing a stream is noted at once and
written in the next round (a stream ends in code that cannot wait on Redis).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from wallboard.store.screens import ScreenStore
from wallboard.web.fanout import Subscriber

ALIVE_EVERY_S = 5.0


@dataclass
class Watched:
    screen_id: str
    seq: int  # the last command this stream has (or had when it opened)
    events: int = 0  # events sent since the last write of its figures


class ScreenWatch:
    def __init__(
        self, store: ScreenStore, command: Callable[[str, int, dict[str, str]], bytes]
    ) -> None:
        self.store = store
        self.command = command  # the event that carries a command (kind, seq, the screen)
        self.streams: dict[Subscriber, Watched] = {}
        self.closed: list[str] = []
        self._revision = -1
        self._alive_at = 0.0
        self.delivered = 0  # commands sent down streams, for the tests and the metrics

    async def watch(self, subscriber: Subscriber, screen_id: str, **fields: str) -> None:
        seq = await self.store.connected(screen_id, time.time(), **fields)
        self.streams[subscriber] = Watched(screen_id, seq)

    def sent(self, subscriber: Subscriber) -> None:
        watched = self.streams.get(subscriber)
        if watched is not None:
            watched.events += 1

    def leave(self, subscriber: Subscriber) -> None:
        watched = self.streams.pop(subscriber, None)
        if watched is not None:
            self.closed.append(watched.screen_id)

    async def refresh(self) -> None:
        now = time.time()
        while self.closed:
            await self.store.disconnected(self.closed.pop(), now)
        if not self.streams:
            return
        if now - self._alive_at >= ALIVE_EVERY_S:
            self._alive_at = now
            counts: dict[str, int] = {}
            for watched in self.streams.values():
                counts[watched.screen_id] = counts.get(watched.screen_id, 0) + watched.events
                watched.events = 0
            await self.store.alive(counts, now)
        revision = await self.store.revision()
        if revision == self._revision:
            return
        self._revision = revision
        ids = sorted({w.screen_id for w in self.streams.values()})
        latest = await self.store.commands(ids)
        for subscriber, watched in list(self.streams.items()):
            seq, kind = latest.get(watched.screen_id, (0, ""))
            if seq > watched.seq and kind:
                watched.seq = seq
                record = await self.store.get(watched.screen_id) or {}
                screen = {"name": str(record.get("name", "")), "id": watched.screen_id}
                subscriber.offer(self.command(kind, seq, screen))
                self.delivered += 1
