"""The full refresh of each view, rendered once per view and version: when thousands of
screens reconnect at once (a web process restarted) they cost one render, not one each.
Least recently used views leave first when the cache is full."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from wallboard.web.views import View


class RenderCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[View, tuple[Hashable, str]] = OrderedDict()

    def get(self, view: View, key: Hashable, render: Callable[[], str]) -> str:
        """The HTML rendered for ``view`` at ``key`` (a version), rendering it if needed."""
        cached = self.entries.get(view)
        if cached is not None and cached[0] == key:
            self.entries.move_to_end(view)
            return cached[1]
        html = render()
        self.entries[view] = (key, html)
        self.entries.move_to_end(view)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return html

    def clear(self) -> None:
        self.entries.clear()
