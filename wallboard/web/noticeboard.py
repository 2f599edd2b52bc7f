"""The broadcast messages this process shows, read from Redis so that every replica shows the
same ones, and which of them each view shows (those for everyone and for its queues)."""

from __future__ import annotations

from typing import Any

from wallboard.store.messages import BoardMessages
from wallboard.web.views import View


class Noticeboard:
    def __init__(self, store: BoardMessages | None) -> None:
        self.store = store
        self.messages: list[dict[str, Any]] = []

    async def refresh(self) -> bool:
        """Read the active messages; True when the set changed."""
        if self.store is None:
            return False
        messages = await self.store.active()
        if [m["id"] for m in messages] == [m["id"] for m in self.messages]:
            return False
        self.messages = messages
        return True

    def for_view(self, view: View) -> list[dict[str, Any]]:
        return [m for m in self.messages if not m["queue"] or view.shows_queue(m["queue"])]

    def key(self, view: View) -> tuple[str, ...]:
        return tuple(m["id"] for m in self.for_view(view))
