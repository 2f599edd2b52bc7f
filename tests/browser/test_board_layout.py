"""No text cut and no scrollbar on the TV pages (the classic /wallboard and the demo's boards)
and the supervisor page, at six screen sizes: a TV nobody touches must show every word whole
(or, where the page shortens on purpose, with an ellipsis). On TV pages no text is smaller than
the reading rule (1/45 of the screen's shorter side at 5 m; a board for 3 m at 0.85 of it).

The demo's boards are imported through the API into a floor the size of the demo's (24 agents,
4 queues) with calls waiting and talking; each page is opened at each size and every element
holding text is measured against its box. German, whose words run longest, is measured too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.drive import control, quiet
from tests.harness import Proc, Stack

ADMIN = ("admin", "admin")
DEMO_BOARDS = Path(__file__).parents[2] / "wallboard" / "demo_boards.json"
SIZES = [(1280, 720), (1366, 768), (1920, 1080), (2560, 1080), (3840, 2160), (1080, 1920)]
BOARDS = [b["id"] for b in json.loads(DEMO_BOARDS.read_text())["boards"]]

# Measured in an animation frame, as the screen paints it: the page lays its tiles out in the
# frame after a swap, and a measure between the two would see the tiles before that.
# Every element with text (its own or its children's: a tile whose figures spill out of it is
# as cut as a word clipped inside its box) whose content is wider or taller than its box, unless it
# ellipsises on purpose; and whether the page itself scrolls.
MEASURE = """() => new Promise((done) => requestAnimationFrame(() => {
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
  done({cut, scrolls: root.scrollHeight > innerHeight || root.scrollWidth > innerWidth});
}))"""

# Every visible text (an element's own text node) whose font, zoom included, is below the
# reading rule of its board's distance.
SMALL = """(rule) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.getClientRects().length) continue;
    if (el.closest("[hidden], .sr-only, svg")) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.opacity === "0") continue;
    const size = parseFloat(style.fontSize) * (el.currentCSSZoom || 1);
    if (size < rule - 0.5) {
      small.push({text: node.textContent.trim().slice(0, 40), cls: el.className, px: size});
    }
  }
  return small;
}"""
DISTANCE_SCALE = {"3m": 0.85, "5m": 1.0, "10m": 1.3}
BOARD_DISTANCE = {b["id"]: b.get("distance", "5m")
                  for b in json.loads(DEMO_BOARDS.read_text())["boards"]}  # fmt: skip


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


def steady_measure(page: Page, samples: int = 4) -> dict[str, Any]:
    """What stays cut on the screen, not what one frame caught: a change that grows the tiles
    above the agents is laid out again in the next frame, and a measure may fall between the
    two (seen under a loaded CI machine). What is cut in every sample, half a second apart, is
    what a viewer sees."""
    found = page.evaluate(MEASURE)
    for _ in range(samples - 1):
        if not found["cut"] and not found["scrolls"]:
            break
        page.wait_for_timeout(500)
        again = page.evaluate(MEASURE)
        keys = {(c["tag"], c["cls"]) for c in again["cut"]}
        found = {"cut": [c for c in found["cut"] if (c["tag"], c["cls"]) in keys],
                 "scrolls": found["scrolls"] and again["scrolls"]}  # fmt: skip
    return found


def log_in(page: Page, url: str) -> None:
    page.fill("input[name=username]", "demosupervisor")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{url}/supervisor")


PAGES = ["/wallboard", "/wallboard?lang=de", *(f"/boards/{b}" for b in BOARDS), "/supervisor"]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("path", PAGES)
def test_no_text_is_cut_or_too_small_and_nothing_scrolls(
    web: Proc, browser: Browser, path: str, size: tuple[int, int]
) -> None:
    width, height = size
    supervisor = path == "/supervisor"
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{web.url}{path}")
        if supervisor:
            log_in(page, web.url)
        # Live: the stream's first event drew the page, the clock and the wait timers ticked.
        expect(page.locator(".freshness.is-live")).to_be_attached(timeout=10_000)
        expect(page.locator(".queue[data-queue]").first).to_be_attached()
        page.wait_for_function("document.fonts.ready.then(() => true)")
        found = steady_measure(page)
        board = path.removeprefix("/boards/") if path.startswith("/boards/") else ""
        rule = min(width, height) / 45 * DISTANCE_SCALE[BOARD_DISTANCE.get(board, "5m")]
        small = [] if supervisor else page.evaluate(SMALL, rule)
    finally:
        context.close()
    where = f"{path} at {width}x{height}"
    # The supervisor page is a desk page: it may scroll, like any document, but cuts nothing.
    assert supervisor or not found["scrolls"], f"{where}: the page scrolls"
    cut = [f"{c['tag']}.{c['cls']} {c['text']!r}: {c['sw']}/{c['cw']} wide, "
           f"{c['sh']}/{c['ch']} high" for c in found["cut"]]  # fmt: skip
    assert not cut, f"{where}, text cut:\n" + "\n".join(cut)
    assert not small, f"{where}, text under {rule:.1f} px: {small[:10]}"
