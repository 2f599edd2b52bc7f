"""A playlist made in the editor, on a TV: its boards in turn every few seconds, and a board
whose queue turns red shown at once and held while it is red."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser.editing import log_in, unexpected
from tests.drive import control, quiet
from tests.harness import Proc, Stack

ADMIN = ("admin", "admin")
SECONDS = 5


# Thresholds no agent or queue of the simulator reaches (a queue without an available agent,
# an agent paused since before the test), so that only calls waiting can turn a board red.
NEVER = {"available": [0, -1], "paused_time": [86_400, 172_800]}


def save_boards(web: Proc) -> None:
    """Three boards through the JSON API; only "hot" turns red, at two calls waiting."""
    boards = [
        {"id": "calm", "title": "Calm", "queues": ["301"], "thresholds": {"*": NEVER}},
        {"id": "hot", "title": "Hot", "queues": ["300"],
         "thresholds": {"*": {**NEVER, "waiting": [1, 2]}}},
        {"id": "other", "title": "Other", "widgets": ["queues", "clock"],
         "thresholds": {"*": NEVER}},
    ]  # fmt: skip
    for board in boards:
        answer = httpx.post(f"{web.url}/api/boards", json=board, auth=ADMIN, timeout=10)
        assert answer.status_code == 201, answer.text


def make_playlist(page: Page, web: Proc) -> None:
    """In the editor: a mistake first (no board ticked), then the boards in their order."""
    log_in(page, web, *ADMIN)
    page.get_by_role("link", name="New playlist").click()
    page.get_by_label("Title", exact=True).fill("Floor")
    page.get_by_label("Seconds per board").fill(str(SECONDS))
    page.get_by_role("button", name="Create playlist").click()
    expect(page.locator("#f-boards .field-error")).to_contain_text("name 1 to 50 boards")
    for title in ("Calm", "Hot", "Other"):
        page.get_by_label(title, exact=True).check()
    page.get_by_role("button", name="Create playlist").click()
    expect(page).to_have_url(f"{web.url}/playlists/floor/edit")
    expect(page.locator(".ed-id")).to_contain_text("version 1")


def test_a_playlist_rotates_and_holds_a_red_board(
    stack: Stack, page: Page, browser: Browser
) -> None:
    sim = stack.simulator(queues=2)
    quiet(sim)
    stack.poller()
    web = stack.web()
    save_boards(web)
    make_playlist(page, web)

    tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(f"{web.url}/playlists/floor")
    body = tv.locator("body")
    expect(body).to_have_attribute("data-showing", "calm")
    # Every change of board, as the page makes it, to see later that none happened.
    tv.evaluate(
        """() => { window.__shown = [];
        new MutationObserver(() => window.__shown.push(document.body.dataset.showing))
          .observe(document.body, {attributes: true, attributeFilter: ["data-showing"]}); }"""
    )
    expect(body).to_have_attribute("data-showing", "hot", timeout=SECONDS * 2000)
    expect(body).to_have_attribute("data-showing", "other", timeout=SECONDS * 2000)
    expect(tv.locator("iframe.slide.current")).to_have_attribute("data-board", "other")
    hot = tv.frame_locator("iframe[data-board='hot']")
    expect(hot.locator("#board-main")).to_be_attached()

    calls = [control(sim, "POST", "calls", json={"queue": "300"})["callid"] for _ in range(2)]
    expect(body).to_have_attribute("data-held", "true", timeout=10_000)
    expect(body).to_have_attribute("data-showing", "hot")
    expect(tv.locator("#playlist-status")).to_contain_text("held: red alert")
    tv.evaluate("window.__shown = []")
    # Held past two turns: the hot board's own longest-wait clock passes twice SECONDS.
    longest = hot.locator(".queue[data-queue='300'] .figure.longest .num")
    expect(longest).to_have_text(re.compile(r"^0:(1[1-9]|[2-5]\d)$"), timeout=20_000)
    assert tv.evaluate("window.__shown") == []
    expect(body).to_have_attribute("data-showing", "hot")

    for callid in calls:
        control(sim, "DELETE", f"calls/{callid}")
    expect(body).to_have_attribute("data-held", "false", timeout=10_000)
    expect(body).not_to_have_attribute("data-showing", "hot", timeout=SECONDS * 2000)
    assert tv.evaluate("window.__shown")[0] == "other"
    assert unexpected(page) == []
    tv.context.close()
