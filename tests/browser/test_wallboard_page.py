"""The TV page in a real headless Chromium, against real processes."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.drive import agent_in, control, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.web.fragments import dom_id


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


def start(stack: Stack, agents: int = 8, **web_env: str) -> tuple[Proc, Proc, str]:
    """A quiet floor with one available agent, a poller and a web process."""
    stack.env["WALLBOARD_STATS_INTERVAL"] = "1"
    sim = stack.simulator()
    state = quiet(sim)
    code = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    set_agent(sim, code, "available")
    stack.poller()
    web = stack.web(**web_env)
    until(lambda: (agent_in(snapshot(web), code) or {}).get("state") == "available")
    return sim, web, code


def test_stale_banner_when_queuemetrics_fails_and_back_to_live(stack: Stack, page: Page) -> None:
    sim, web, _ = start(stack)
    page.goto(f"{web.url}/wallboard")
    badge = page.locator("#freshness .badge")
    expect(badge).to_have_text("LIVE")
    control(sim, "POST", "faults", json={"mode": "http_500"})
    expect(badge).to_have_text("STALE", timeout=10_000)
    expect(page.locator("#freshness")).to_contain_text("QueueMetrics unreachable")
    expect(page.locator("body")).to_have_class(re.compile(r"\bdata-stale\b"))
    control(sim, "DELETE", "faults")
    expect(badge).to_have_text("LIVE", timeout=10_000)
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bdata-stale\b"))
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_page_reconnects_after_the_web_process_restarts(stack: Stack, page: Page) -> None:
    sim, web, code = start(stack)
    page.goto(f"{web.url}/wallboard")
    tile = page.locator(f"#{dom_id('agents', code)}")
    expect(tile).to_have_attribute("data-state", "available")
    port = web.port
    assert port is not None
    assert web.stop() < 10, "graceful shutdown with a client connected"
    set_agent(sim, code, "paused", "10")
    stack.web(port=port)
    # The extension reconnects by itself (backoff of 0.5 s, 1 s, 2 s...) and resynchronizes.
    expect(tile).to_have_attribute("data-state", "paused", timeout=20_000)


SHIFT_CLOCK = """
(() => {
  const shift = 3600 * 1000;
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) { super(RealDate.now() + shift); } else { super(...args); }
    }
    static now() { return RealDate.now() + shift; }
  }
  window.Date = ShiftedDate;
})();
"""


def shown_seconds(text: str) -> int:
    parts = [int(p) for p in text.strip().split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(parts)))


def test_durations_are_right_when_the_tv_clock_is_an_hour_off(stack: Stack, page: Page) -> None:
    sim, web, code = start(stack)
    set_agent(sim, code, "paused", "10")
    until(lambda: (agent_in(snapshot(web), code) or {}).get("state") == "paused")
    page.add_init_script(SHIFT_CLOCK)
    page.goto(f"{web.url}/wallboard")
    assert page.evaluate("Date.now() - performance.timeOrigin") > 3_000_000, "the clock is shifted"
    since = page.locator(f"#{dom_id('agents', code)} .since")
    expect(since).to_have_text(re.compile(r"^\d+:\d\d$"))
    agent = agent_in(snapshot(web), code) or {}
    expected = time.time() + snapshot(web)["qm_clock_offset"] - agent["state_since"]
    assert abs(shown_seconds(since.inner_text()) - expected) <= 3


def test_no_scrollbars_at_1080p_and_4k(stack: Stack, browser: Browser, tmp_path: Path) -> None:
    stack.env["WALLBOARD_STATS_INTERVAL"] = "1"
    sim = stack.simulator(agents=60, queues=5)
    stack.poller()
    web = stack.web()
    until(lambda: len(snapshot(web)["agents"]) > 20)
    for width, height in ((1920, 1080), (3840, 2160)):
        context = browser.new_context(viewport={"width": width, "height": height})
        tv = context.new_page()
        tv.goto(f"{web.url}/wallboard")
        expect(tv.locator(".agent").first).to_be_visible()
        scroll = tv.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert scroll == [width, height], f"no scrollbar at {width}x{height}"
        # Names big enough for across the room; with 60 agents that means pages of tiles.
        name = tv.locator(".agent:not([hidden]) .name").first
        assert float(name.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= height / 60
        if width == 1920:
            expect(tv.locator("#pager")).to_contain_text("page 1 of")
        tv.screenshot(path=str(tmp_path / f"wallboard-{width}x{height}.png"))
        context.close()
    del sim


def test_a_deploy_reloads_the_page(stack: Stack, page: Page) -> None:
    _, web, _ = start(stack, WALLBOARD_BUILD="1.0+old")
    page.goto(f"{web.url}/wallboard")
    expect(page.locator("body")).to_have_attribute("data-build", "1.0+old")
    page.evaluate("window.__marker = 'old page'")
    port = web.port
    assert port is not None
    web.stop()
    stack.web(port=port, WALLBOARD_BUILD="1.1+new")
    expect(page.locator("body")).to_have_attribute("data-build", "1.1+new", timeout=20_000)
    assert page.evaluate("window.__marker === undefined"), "the page was reloaded"


def test_a_silent_stream_is_shown_as_down(stack: Stack, page: Page) -> None:
    _, web, _ = start(stack)
    page.goto(f"{web.url}/wallboard")
    body = page.locator("body")
    expect(page.locator("#freshness .badge")).to_have_text("LIVE")
    web.signal(signal.SIGSTOP)  # alive but silent: no event, no heartbeat
    try:
        expect(body).to_have_class(re.compile(r"\bstream-down\b"), timeout=15_000)
    finally:
        web.signal(signal.SIGCONT)
    expect(body).not_to_have_class(re.compile(r"\bstream-down\b"), timeout=15_000)
