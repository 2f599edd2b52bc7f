"""The streams that a board's display link let in, ended when that link is revoked.

The hub asks once per round (about every second, after each read of the change stream), so a
revoked link blanks its screens within a couple of seconds on every web process. A round costs
one read of the links' revision; the list of live links is read only when it moved, or when a
stream joined since the last look (its link may have been revoked between its admission and
now). The alternative, each stream asking Redis about its own link now and then, would cost a
read per screen per period: a thousand screens, a thousand reads.
"""

from __future__ import annotations

from collections.abc import Callable

from wallboard.store.links import LinkStore
from wallboard.web.fanout import Subscriber


class LinkWatch:
    def __init__(self, store: LinkStore, farewell: Callable[[], bytes]) -> None:
        self.store = store
        self.farewell = farewell  # the last event of a revoked screen: "link revoked"
        self.streams: dict[Subscriber, str] = {}
        self._revision = -1
        self.revoked = 0  # streams ended, for the tests and the metrics

    def watch(self, subscriber: Subscriber, link: str) -> None:
        self.streams[subscriber] = link
        self._revision = -1  # look at the live links again next round

    def forget(self, subscriber: Subscriber) -> None:
        self.streams.pop(subscriber, None)

    async def refresh(self) -> None:
        if not self.streams:
            return
        revision = await self.store.revision()
        if revision == self._revision:
            return
        live = await self.store.live()
        self._revision = revision
        gone = [s for s, link in self.streams.items() if link not in live]
        if gone:
            last = self.farewell()
            for subscriber in gone:
                subscriber.close(last)
                self.forget(subscriber)
            self.revoked += len(gone)
