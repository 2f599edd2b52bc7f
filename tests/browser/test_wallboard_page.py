"""The TV page in a real headless Chromium, against real processes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.procs import Stack, agent_in, quiet, set_agent, snapshot, until
from wallboard.web.render import dom_id


def test_the_page_shows_a_new_state_without_reload(stack: Stack, page: Page) -> None:
    sim = stack.simulator()
    state = quiet(sim)
    code = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    set_agent(sim, code, "available")
    stack.poller()
    web = stack.web()
    until(lambda: (agent_in(snapshot(web), code) or {}).get("state") == "available")

    page.goto(f"{web.url}/wallboard")
    tile = page.locator(f"#{dom_id('agents', code)}")
    expect(tile).to_have_attribute("data-state", "available")
    expect(page.locator("#freshness .badge")).to_have_text("LIVE")
    page.evaluate("window.__marker = 'no reload'")

    set_agent(sim, code, "paused", "10")
    expect(tile).to_have_attribute("data-state", "paused", timeout=10_000)
    expect(tile.locator(".state")).to_contain_text("Paused")
    set_agent(sim, code, "available")
    expect(tile).to_have_attribute("data-state", "available", timeout=10_000)
    assert page.evaluate("window.__marker") == "no reload"
    assert page.console_errors == []  # type: ignore[attr-defined]
