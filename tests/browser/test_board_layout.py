"""No text cut and no scrollbar on the demo's boards, at four screen sizes: a TV nobody touches
must show every word whole (or, where the page shortens on purpose, with an ellipsis).

The demo's boards are imported through the API into a floor the size of the demo's (24 agents,
4 queues) with calls waiting and talking; each board is opened at each size and every element
holding text is measured against its box.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.drive import control, quiet
from tests.harness import Proc, Stack

ADMIN = ("admin", "admin")
DEMO_BOARDS = Path(__file__).parents[2] / "wallboard" / "demo_boards.json"
SIZES = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920)]
BOARDS = [b["id"] for b in json.loads(DEMO_BOARDS.read_text())["boards"]]

# Every element with text (its own or its children's: a tile whose figures spill out of it is
# as cut as a word clipped inside its box) whose content is wider or taller than its box, unless it
# ellipsises on purpose; and whether the page itself scrolls.
MEASURE = """() => {
  const cut = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.textContent.trim() || !el.getClientRects().length) continue;
    if (getComputedStyle(el).textOverflow === "ellipsis") continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      cut.push({tag: el.tagName, cls: el.className, text: el.textContent.trim().slice(0, 40),
                sw: el.scrollWidth, cw: el.clientWidth, sh: el.scrollHeight, ch: el.clientHeight});
    }
  }
  const root = document.documentElement;
  return {cut, scrolls: root.scrollHeight > innerHeight || root.scrollWidth > innerWidth};
}"""


@pytest.fixture(scope="module")
def web(redis_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    with Stack(tmp_path_factory.mktemp("layout"), redis_server.url,
               prefix="layout:", WALLBOARD_POLL_INTERVAL="0.5") as stack:  # fmt: skip
        sim = stack.simulator(agents=24, queues=4)
        quiet(sim)
        stack.poller()
        web = stack.web()
        imported = httpx.post(f"{web.url}/api/import", json=json.loads(DEMO_BOARDS.read_text()),
                              auth=ADMIN, timeout=10)  # fmt: skip
        assert imported.status_code == 200, imported.text
        # Calls waiting and talking on every queue: the lists and tiles at their fullest text.
        for queue in ("300", "301", "302", "303"):
            control(sim, "POST", "calls", json={"queue": queue})
        yield web


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("board", BOARDS)
def test_no_text_is_cut_and_nothing_scrolls(
    web: Proc, browser: Browser, board: str, size: tuple[int, int]
) -> None:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{web.url}/boards/{board}")
        expect(page.locator("#board-main[data-board]")).to_be_attached()
        # Live: the stream's first event drew the board, the clock and the wait timers ticked.
        expect(page.locator(".freshness.is-live")).to_be_attached(timeout=10_000)
        expect(page.locator(".queue[data-queue]").first).to_be_attached()
        page.wait_for_function("document.fonts.ready.then(() => true)")
        found = page.evaluate(MEASURE)
    finally:
        context.close()
    assert not found["scrolls"], f"{board} at {width}x{height}: the page scrolls"
    cut = [f"{c['tag']}.{c['cls']} {c['text']!r}: {c['sw']}/{c['cw']} wide, "
           f"{c['sh']}/{c['ch']} high" for c in found["cut"]]  # fmt: skip
    assert not cut, f"{board} at {width}x{height}, text cut:\n" + "\n".join(cut)
