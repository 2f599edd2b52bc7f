"""Log in, pause an agent with a reason, see it paused on the TV page; unpause."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.drive import agent_in, control, quiet, set_agent, snapshot
from tests.harness import Stack
from tests.waiting import until
from wallboard.web.fragments import dom_id


def test_pause_from_the_supervisor_page_shows_on_the_tv(
    stack: Stack, page: Page, browser: Browser
) -> None:
    sim = stack.simulator()
    state = quiet(sim)
    agent = next(a for a in state["agents"] if a["logged_queues"])
    code, reason = agent["agent"], agent["pause_codes"][0]
    set_agent(sim, code, "available")
    control(sim, "POST", "faults", json={"config": {"action_delay_s": 0.5}})
    stack.poller()
    web = stack.web()
    until(lambda: (agent_in(snapshot(web), code) or {}).get("state") == "available")

    tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(f"{web.url}/wallboard")
    tile = tv.locator(f"#{dom_id('agents', code)}")
    expect(tile).to_have_attribute("data-state", "available")

    page.goto(f"{web.url}/supervisor")
    page.fill("input[name=username]", "demosupervisor")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{web.url}/supervisor")
    row = page.locator(f"#{dom_id('agents', code)}")
    row.get_by_role("button", name="Pause…").click()
    page.locator(f".pause-form button[value='{reason}']").click()
    expect(page.locator("#action-status .action-result.ok")).to_contain_text("Pause sent")
    expect(row).to_have_attribute("data-state", "paused", timeout=10_000)
    expect(tile).to_have_attribute("data-state", "paused", timeout=10_000)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Unpause").click()
    expect(row).to_have_attribute("data-state", "available", timeout=10_000)
    expect(tile).to_have_attribute("data-state", "available", timeout=10_000)
    sent = [a["body"]["action"] for a in control(sim, "GET", "actions")]
    assert sent == ["pause", "unpause"]
    assert page.console_errors == []  # type: ignore[attr-defined]
    tv.context.close()
