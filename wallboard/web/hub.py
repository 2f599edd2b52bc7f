"""One Redis reader per web process, fanning the change stream out to all of its clients.

A change is rendered once per distinct view and the same bytes are written to every client of
that view. Per-client queues are bounded: a client too slow to keep up is dropped (its stream
ends) and resynchronizes when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from typing import Any

from redis.exceptions import RedisError
from sse_starlette import ServerSentEvent

from wallboard.model.derive import SECTIONS, State
from wallboard.model.diff import apply, touched
from wallboard.settings import Settings
from wallboard.store.messages import BoardMessages
from wallboard.store.snapshot import Change, SnapshotStore
from wallboard.web.freshness import judge
from wallboard.web.render import Renderer, structural
from wallboard.web.views import View

log = logging.getLogger("wallboard.web")

EMPTY: State = {"queues": [], "agents": [], "calls": []}


def encode(html: str, version: str | None = None, retry_ms: int | None = None) -> bytes:
    return ServerSentEvent(data=html, id=version or None, retry=retry_ms).encode()


class Subscriber:
    def __init__(self, view: View, size: int) -> None:
        self.view = view
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(size)
        self.dropped = False

    def offer(self, data: bytes) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.dropped = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    def __init__(
        self,
        store: SnapshotStore,
        renderer: Renderer,
        settings: Settings,
        messages: BoardMessages | None = None,
    ) -> None:
        self.store = store
        self.board = messages
        self.messages: list[dict[str, Any]] = []
        self.renderer = renderer
        self.settings = settings
        self.loaded = False
        self.version = ""
        self.state: State = EMPTY
        self.meta: dict[str, Any] = {}
        self.fresh = judge({}, time.time(), settings.stale_after_s)
        self.history: deque[tuple[str, dict[str, set[str]], set[str]]] = deque(
            maxlen=settings.stream_maxlen
        )
        self.subscribers: dict[View, set[Subscriber]] = {}
        self.events_sent = 0
        self.bytes_sent = 0
        self.dropped = 0
        self._last_beat = 0.0
        self._rng = random.Random()
        self._full_cache: dict[View, tuple[tuple[str, tuple[str, ...]], str]] = {}

    # -- clients ---------------------------------------------------------------------------

    def attach(self, view: View, since: str | None) -> tuple[Subscriber, bytes]:
        """Register a client and what it needs first; no await in between, so nothing is lost."""
        subscriber = Subscriber(view, self.settings.client_queue_size)
        self.subscribers.setdefault(view, set()).add(subscriber)
        return subscriber, self._initial(view, since)

    def detach(self, subscriber: Subscriber) -> None:
        subs = self.subscribers.get(subscriber.view)
        if subs is not None:
            subs.discard(subscriber)
            if not subs:
                del self.subscribers[subscriber.view]

    @property
    def clients(self) -> int:
        return sum(len(s) for s in self.subscribers.values())

    def _missed(self, since: str) -> tuple[dict[str, set[str]], set[str]] | None:
        """What changed after ``since``, if the history still reaches back to it."""
        versions = [v for v, _, _ in self.history]
        if since not in versions:
            return None
        ids: dict[str, set[str]] = {}
        reshaped: set[str] = set()
        for version, changed, shaped in list(self.history)[versions.index(since) + 1 :]:
            del version
            for section, keys in changed.items():
                ids.setdefault(section, set()).update(keys)
            reshaped |= shaped
        return ids, reshaped

    def _initial(self, view: View, since: str | None) -> bytes:
        retry = self._rng.randint(1000, 4000)
        now = time.time()
        selected = view.select(self.state)
        missed = self._missed(since) if since and self.loaded else None
        if since and self.loaded and since == self.version:
            html = self.renderer.freshness(self.fresh, now)
        elif missed is not None:
            html = self.renderer.changes(selected, view, *missed)
            html += self.renderer.freshness(self.fresh, now)
        else:
            html = self._components(view, selected) + self.renderer.freshness(self.fresh, now)
        return encode(html, self.version, retry)

    def _components(self, view: View, selected: State) -> str:
        """A full refresh's components, rendered once per view and version: when thousands of
        screens reconnect at once (a web process restarted) they cost one render, not one each
        (docs/benchmarks.md, fan-out)."""
        messages = self.messages_for(view)
        key = (self.version, tuple(m["id"] for m in messages))
        cached = self._full_cache.get(view)
        if cached is not None and cached[0] == key:
            return cached[1]
        html = self.renderer.components(selected, view, messages)
        if len(self._full_cache) >= 64:
            self._full_cache.clear()
        self._full_cache[view] = (key, html)
        return html

    def page(self, template: str, view: View, title: str, **extra: Any) -> str:
        """A whole page of a view as of the current version, which its stream resumes from."""
        since = {"since": self.version} if self.version else {}
        return self.renderer.page(
            template,
            state=view.select(self.state),
            view=view,
            fresh=self.fresh,
            version=self.version,
            title=title,
            server_now=time.time(),
            stream_query={**view.query(), **since},
            messages=self.messages_for(view),
            **extra,
        )

    def messages_for(self, view: View) -> list[dict[str, Any]]:
        """Messages for everyone, and those for a queue this view shows."""
        return [m for m in self.messages if not m["queue"] or view.shows_queue(m["queue"])]

    # -- fan-out ---------------------------------------------------------------------------

    def _send(self, view: View | None, data: bytes) -> None:
        targets = (
            [s for subs in self.subscribers.values() for s in subs]
            if view is None
            else list(self.subscribers.get(view, ()))
        )
        for subscriber in targets:
            if not subscriber.dropped:
                subscriber.offer(data)
                # Counted when it happens: its connection may take the send timeout to close.
                self.dropped += subscriber.dropped
        self.events_sent += len(targets)
        self.bytes_sent += len(data) * len(targets)

    def _broadcast_full(self) -> None:
        now = time.time()
        for view in list(self.subscribers):
            selected = view.select(self.state)
            html = self.renderer.full(selected, view, self.fresh, now, self.messages_for(view))
            self._send(view, encode(html, self.version))

    def _broadcast_change(self, changed: dict[str, set[str]], reshaped: set[str]) -> None:
        for view in list(self.subscribers):
            html = self.renderer.changes(view.select(self.state), view, changed, reshaped)
            if html:
                self._send(view, encode(html, self.version))

    def _beat(self, force: bool = False) -> None:
        """The freshness line; also the keep-alive that the browser can see."""
        now = time.time()
        self._last_beat = now
        if self.subscribers or force:
            self._send(None, encode(self.renderer.freshness(self.fresh, now)))

    # -- reading Redis ---------------------------------------------------------------------

    async def _load(self) -> None:
        stored = await self.store.snapshot()
        if stored is None:
            self.version, self.state = await self.store.last_version(), EMPTY
        else:
            self.version, self.state = stored
        self.history.clear()
        self.history.append((self.version, {}, set()))
        self._full_cache.clear()
        self.loaded = True
        await self._check_meta(beat=False)
        self._broadcast_full()

    def _apply(self, change: Change) -> bool:
        """Apply one stream entry; ``False`` when it is a reset that needs a reload."""
        if change.delta is None:
            return False
        self.state = apply(self.state, change.delta)
        self.version = change.version
        changed = touched(change.delta)
        reshaped = structural(change.delta)
        self.history.append((change.version, changed, reshaped))
        if any(section in changed for section in SECTIONS):
            self._broadcast_change(changed, reshaped)
        return True

    async def _check_meta(self, beat: bool = True) -> None:
        self.meta = await self.store.meta()
        self._judge(beat)
        if self.board is not None:
            messages = await self.board.active()
            if [m["id"] for m in messages] != [m["id"] for m in self.messages]:
                self.messages = messages
                self._broadcast_messages()

    def _broadcast_messages(self) -> None:
        for view in list(self.subscribers):
            html = self.renderer.messages(self.messages_for(view))
            self._send(view, encode(html))

    def _judge(self, beat: bool = True) -> None:
        fresh = judge(self.meta, time.time(), self.settings.stale_after_s)
        visible = ("stale", "reason", "fetched_at")
        changed = any(fresh[k] != self.fresh.get(k) for k in visible)
        self.fresh = fresh
        due = time.time() - self._last_beat >= min(self.settings.keepalive, 15.0)
        if beat and (changed or due):
            self._beat()

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                if not self.loaded:
                    await self._load()
                for change in await self.store.read(self.version, block_ms=1000):
                    if not self._apply(change):
                        await self._load()
                        break
                await self._check_meta()
                failures = 0
            except RedisError as exc:
                failures += 1
                if failures == 1:
                    log.warning("Redis unavailable: %s", exc)
                self.loaded = False
                self.meta = {**self.meta, "redis_down": f"{type(exc).__name__}: {exc}"}
                self._judge()
                delay = min(5.0, 0.2 * 2**failures) * self._rng.uniform(0.8, 1.2)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
