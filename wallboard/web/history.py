"""What each recent version of the stream changed, so that a client reconnecting with the
version it last saw (``Last-Event-ID`` or ``since=``) is sent only what it missed."""

from __future__ import annotations

from collections import deque


class History:
    def __init__(self, size: int) -> None:
        self.entries: deque[tuple[str, dict[str, set[str]], set[str]]] = deque(maxlen=size)

    def restart(self, version: str) -> None:
        """After a reload: nothing before ``version`` can be resumed from."""
        self.entries.clear()
        self.entries.append((version, {}, set()))

    def add(self, version: str, changed: dict[str, set[str]], reshaped: set[str]) -> None:
        self.entries.append((version, changed, reshaped))

    def missed(self, since: str) -> tuple[dict[str, set[str]], set[str]] | None:
        """The ids changed and the lists reshaped after ``since``, if the history reaches it."""
        versions = [v for v, _, _ in self.entries]
        if since not in versions:
            return None
        ids: dict[str, set[str]] = {}
        reshaped: set[str] = set()
        for _, changed, shaped in list(self.entries)[versions.index(since) + 1 :]:
            for section, keys in changed.items():
                ids.setdefault(section, set()).update(keys)
            reshaped |= shaped
        return ids, reshaped
