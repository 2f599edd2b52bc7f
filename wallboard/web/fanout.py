"""The clients of one web process, grouped by view, and the writing of the same bytes to all
clients of a view. Per-client queues are bounded: a client too slow to keep up is dropped (its
stream ends) and resynchronizes when it reconnects."""

from __future__ import annotations

import asyncio
from collections import deque

from wallboard.web.views import TooManyViews, View


class Mailbox:
    """A bounded queue with one reader: the calls of ``asyncio.Queue`` the fan-out makes, held
    in one deque and, while the reader waits, one future. An ``asyncio.Queue`` holds three
    deques and an event, about 3 KB, for each of thousands of screens (docs/benchmarks.md,
    memory per connection)."""

    __slots__ = ("_items", "_waiter", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: deque[bytes | None] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: bytes | None) -> None:
        if 0 < self.maxsize <= len(self._items):
            raise asyncio.QueueFull
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def get_nowait(self) -> bytes | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    async def get(self) -> bytes | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


class Subscriber:
    __slots__ = ("dropped", "queue", "view")

    def __init__(self, view: View, size: int) -> None:
        self.view = view
        self.queue = Mailbox(size)
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

    def close(self, last: bytes) -> None:
        """End the stream with ``last`` (a display link revoked): what was queued before is
        dropped, since the screen is blanked anyway, and nothing is offered after it."""
        self.dropped = True
        while not self.queue.empty():
            self.queue.get_nowait()
        if self.queue.maxsize != 1:
            self.queue.put_nowait(last)
        self.queue.put_nowait(None)


class Fanout:
    def __init__(self, queue_size: int, max_views: int) -> None:
        self.queue_size = queue_size
        self.max_views = max_views
        self.subscribers: dict[View, set[Subscriber]] = {}
        self.events_sent = 0
        self.bytes_sent = 0
        self.dropped = 0

    def add(self, view: View) -> Subscriber:
        if view not in self.subscribers and len(self.subscribers) >= self.max_views:
            raise TooManyViews(
                f"this process already serves {self.max_views} different views "
                "(WALLBOARD_MAX_VIEWS); use the filters of an existing board"
            )
        subscriber = Subscriber(view, self.queue_size)
        self.subscribers.setdefault(view, set()).add(subscriber)
        return subscriber

    def remove(self, subscriber: Subscriber) -> None:
        subs = self.subscribers.get(subscriber.view)
        if subs is not None:
            subs.discard(subscriber)
            if not subs:
                del self.subscribers[subscriber.view]

    @property
    def clients(self) -> int:
        return sum(len(s) for s in self.subscribers.values())

    def views(self) -> list[View]:
        return list(self.subscribers)

    def send(self, view: View | None, data: bytes) -> None:
        """To the clients of ``view``, or of every view when it is None."""
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
