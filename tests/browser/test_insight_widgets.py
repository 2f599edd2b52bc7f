"""A board with the three insight widgets on a TV: agents' day from QmStats' calls, the last
hour's lines, and agents needed now; each redrawn over SSE as the floor moves."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.drive import control, quiet, set_agent
from tests.harness import Stack
from tests.waiting import until

ADMIN = ("admin", "admin")
BOARD = {
    "id": "insights", "title": "Insights", "queues": ["300"], "leaderboard": 3,
    "widgets": ["agents_today", "trend", "staffing", "queues"],
}  # fmt: skip


def test_a_board_shows_agents_day_trend_and_staffing(stack: Stack, page: Page) -> None:
    stack.env["WALLBOARD_STATS_INTERVAL"] = "1"
    sim = stack.simulator()
    state = quiet(sim)
    on_300 = [a["agent"] for a in state["agents"] if "300" in a["logged_queues"]][:2]
    assert on_300, "the simulator has agents on queue 300"
    for code in on_300:
        set_agent(sim, code, "available")
    # Two calls answered and talked for two minutes each: today's call list for QmStats.
    calls = [control(sim, "POST", "calls", json={"queue": "300"})["callid"] for _ in on_300]
    for callid, code in zip(calls, on_300, strict=True):
        control(sim, "POST", f"calls/{callid}/answer", json={"agent": code})
    control(sim, "POST", "clock", json={"advance_s": 120})
    for callid in calls:
        control(sim, "DELETE", f"calls/{callid}")

    stack.poller()
    web = stack.web()
    saved = httpx.post(f"{web.url}/api/boards", json=BOARD, auth=ADMIN, timeout=10)
    assert saved.status_code == 201, saved.text
    page_url = f"{web.url}/boards/insights"
    until(lambda: httpx.get(page_url, timeout=10).status_code == 200, what="the board served")
    page.goto(page_url)
    expect(page.locator(".freshness.is-live")).to_be_attached(timeout=10_000)

    staffing = page.locator("#staffing-panel .staffing-queue[data-queue='300']")
    expect(staffing.locator(".gap")).to_have_text(
        re.compile(r"^(\+\d+ needed|\d+ spare|Staffed to target)$"), timeout=15_000
    )
    expect(staffing).to_contain_text("Projected SL")
    expect(staffing).to_contain_text("80% in 20 s")

    day = page.locator("#agents-today-panel")
    expect(day.get_by_role("heading", name="Top 3 today")).to_be_visible()
    rows = day.locator("tbody tr")
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^[1-9]\d*$"), timeout=15_000)
    expect(rows.first.locator("td").nth(2)).to_have_text(re.compile(r"^\d+ s$"))  # AHT
    answered = [int(t) for t in rows.locator("td:nth-of-type(1)").all_inner_texts()]
    assert 1 <= len(answered) <= 3 and answered == sorted(answered, reverse=True)

    trend = page.locator("#trend-panel .trend-queue[data-queue='300']")
    expect(trend.locator("svg polyline")).to_have_count(3)
    waiting = trend.locator(".spark-waiting .spark-now")
    expect(waiting).to_have_text("0")
    for _ in range(2):
        control(sim, "POST", "calls", json={"queue": "300"})
    set_agent(sim, on_300[0], "paused", "10")
    expect(waiting).to_have_text("2", timeout=10_000)  # over SSE, no reload
    svg = trend.locator(".spark-waiting svg")
    expect(svg).to_have_attribute("aria-label", re.compile(r"calls? waiting|waiting over"))
    assert page.console_errors == []  # type: ignore[attr-defined]
