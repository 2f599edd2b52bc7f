"""The render cache of full refreshes: one render per view and version, LRU when full."""

from __future__ import annotations

from wallboard.web.cache import RenderCache
from wallboard.web.views import View

A, B, C = View(queues=("300",)), View(queues=("301",)), View(queues=("302",))


class Counting:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def render(self, html: str) -> str:
        self.calls.append(html)
        return html


def test_one_render_per_view_and_version() -> None:
    cache, r = RenderCache(4), Counting()
    assert cache.get(A, "v1", lambda: r.render("a1")) == "a1"
    assert cache.get(A, "v1", lambda: r.render("again")) == "a1"
    assert cache.get(A, "v2", lambda: r.render("a2")) == "a2", "a new version renders again"
    assert cache.get(B, "v2", lambda: r.render("b2")) == "b2"
    assert r.calls == ["a1", "a2", "b2"]
    assert len(cache.entries) == 2, "one entry per view, the latest version only"


def test_the_least_recently_used_view_leaves_first() -> None:
    cache, r = RenderCache(2), Counting()
    cache.get(A, 1, lambda: r.render("a"))
    cache.get(B, 1, lambda: r.render("b"))
    cache.get(A, 1, lambda: r.render("a again"))  # A is now the most recently used
    cache.get(C, 1, lambda: r.render("c"))  # full: B leaves, not A
    assert list(cache.entries) == [A, C]
    assert cache.get(A, 1, lambda: r.render("a again")) == "a"
    assert cache.get(B, 1, lambda: r.render("b again")) == "b again"
    assert list(cache.entries) == [A, B], "C was the least recently used"
    assert r.calls == ["a", "b", "c", "b again"]


def test_a_rerender_counts_as_a_use() -> None:
    cache, r = RenderCache(2), Counting()
    cache.get(A, 1, lambda: r.render("a1"))
    cache.get(B, 1, lambda: r.render("b1"))
    cache.get(A, 2, lambda: r.render("a2"))
    cache.get(C, 1, lambda: r.render("c1"))
    assert list(cache.entries) == [A, C]


def test_clear() -> None:
    cache, r = RenderCache(2), Counting()
    cache.get(A, 1, lambda: r.render("a"))
    cache.clear()
    assert cache.get(A, 1, lambda: r.render("a again")) == "a again"
