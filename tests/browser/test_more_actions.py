"""The actions beyond pause from the supervisor page, one test per family (the agent's, the
call's), each result seen on a TV page: log off and log on, queues, text; listen, transfer and
hang up, the dangerous ones asked on the page first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.drive import agent_in, control, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.web.fragments import dom_id

SEEN_MS = 10_000


@dataclass
class Scene:
    sim: Proc
    web: Proc
    agent: dict[str, Any]  # logged on, two queues or more, a phone
    off: str  # logged off
    tv: Page
    page: Page


@pytest.fixture
def scene(stack: Stack, page: Page, browser: Browser) -> Iterator[Scene]:
    sim = stack.simulator()
    state = quiet(sim)
    agent = next(a for a in state["agents"] if len(a["logged_queues"]) > 1 and a["terminal"])
    off = state["agents"][-1]["agent"]
    set_agent(sim, off, "logged_off")
    set_agent(sim, agent["agent"], "available")
    control(sim, "POST", "faults", json={"config": {"action_delay_s": 0.3}})
    stack.poller()
    web = stack.web()
    until(lambda: agent_in(snapshot(web), agent["agent"]) and not agent_in(snapshot(web), off))
    # Names shown: the poller has read QueueMetrics' configuration, the agents one may log on.
    until(lambda: (agent_in(snapshot(web), agent["agent"]) or {})["name"] == agent["name"])
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(f"{web.url}/wallboard")
    page.goto(f"{web.url}/supervisor")
    page.fill("input[name=username]", "demosupervisor")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{web.url}/supervisor")
    yield Scene(sim, web, agent, off, tv, page)
    assert page.console_errors == []  # type: ignore[attr-defined]
    tv.context.close()


def status(page: Page) -> Locator:
    return page.locator("#action-status .action-result")


def test_agent_actions_from_the_page_show_on_the_tv(scene: Scene) -> None:
    page, tv, code = scene.page, scene.tv, scene.agent["agent"]
    row, tile = page.locator(f"#{dom_id('agents', code)}"), tv.locator(f"#{dom_id('agents', code)}")
    expect(tile).to_be_visible()
    queue = scene.agent["logged_queues"][0]

    row.get_by_role("button", name="More…").click()
    panel = page.locator(".agent-panel")
    panel.locator(".remove-form").get_by_label(queue).check()
    panel.locator(".remove-form").get_by_role("button", name="Remove").click()
    expect(status(page)).to_contain_text("done, the data shows it", timeout=SEEN_MS)
    assert queue not in (row.get_attribute("data-sort-queues") or "").split()

    row.get_by_role("button", name="More…").click()
    panel.locator(".text-form textarea").fill("Please call the team lead")
    panel.get_by_role("button", name="Send text").click()
    expect(status(page)).to_contain_text("Text sent")
    until(lambda: control(scene.sim, "GET", "phones"), what="the text on the agent's phone")

    row.get_by_role("button", name="More…").click()
    panel.get_by_role("button", name="Log off…").click()
    expect(panel.locator(".confirm-step")).to_be_visible()
    assert [a["body"]["action"] for a in control(scene.sim, "GET", "actions")][-1] != "logout"
    panel.get_by_role("button", name="Yes, log off").click()
    expect(row).to_have_count(0, timeout=SEEN_MS)
    expect(tile).to_have_count(0, timeout=SEEN_MS)

    page.get_by_role("button", name="Log on an agent…").click()
    form = page.locator(".login-form")
    form.get_by_label("Agent").select_option(scene.off)
    form.get_by_label("Extension").fill("SIP/299")
    form.get_by_label(queue).check()
    form.get_by_role("button", name="Log on").click()
    expect(tv.locator(f"#{dom_id('agents', scene.off)}")).to_be_visible(timeout=SEEN_MS)
    expect(status(page)).to_contain_text("done, the data shows it", timeout=SEEN_MS)
    sent = [a["body"]["action"] for a in control(scene.sim, "GET", "actions")]
    assert sent == ["remove", "sendtext", "logout", "login"]


def test_call_actions_from_the_page_show_on_the_tv(scene: Scene) -> None:
    page, tv, sim, code = scene.page, scene.tv, scene.sim, scene.agent["agent"]
    queue, other = scene.agent["logged_queues"][:2]
    talking = control(sim, "POST", "calls", json={"queue": queue})["callid"]
    control(sim, "POST", f"calls/{talking}/answer", json={"agent": code})
    waiting = control(sim, "POST", "calls", json={"queue": other})["callid"]
    on_tv = {c: tv.locator(f"li[data-callid='{c}']") for c in (talking, waiting)}
    expect(on_tv[talking]).to_have_attribute("data-queue", queue, timeout=SEEN_MS)
    expect(on_tv[waiting]).to_be_visible(timeout=SEEN_MS)
    assert page.locator(".call-act").count() >= 2 and tv.locator(".call-act").count() == 0

    page.locator(f"li[data-callid='{talking}']").get_by_role("button", name="Act…").click()
    panel = page.locator(".call-panel")
    panel.get_by_label("Your phone").fill("250")
    panel.get_by_label("remember for this session").check()
    panel.get_by_role("button", name="Listen").click()
    expect(status(page)).to_contain_text("your phone 250 rings")
    until(lambda: control(sim, "GET", "phones"), what="the supervisor's phone rang")

    page.locator(f"li[data-callid='{talking}']").get_by_role("button", name="Act…").click()
    expect(panel.get_by_label("Your phone")).to_have_value("250")  # saved for the session
    panel.get_by_label("Transfer to").fill(other)
    panel.get_by_role("button", name="Transfer…").click()
    panel.get_by_role("button", name="Yes, transfer").click()
    expect(on_tv[talking]).to_have_attribute("data-queue", other, timeout=SEEN_MS)

    page.locator(f"li[data-callid='{waiting}']").get_by_role("button", name="Act…").click()
    panel.get_by_role("button", name="Hang up…").click()
    panel.get_by_role("button", name="No").click()
    expect(panel.get_by_role("button", name="Hang up…")).to_be_visible()
    panel.get_by_role("button", name="Hang up…").click()
    panel.get_by_role("button", name="Yes, hang up").click()
    expect(on_tv[waiting]).to_have_count(0, timeout=SEEN_MS)
    expect(status(page)).to_contain_text("done, the data shows it", timeout=SEEN_MS)
    sent = [a["body"]["action"] for a in control(sim, "GET", "actions")]
    assert sent == ["inboundmonitor", "transfer", "softhangup"]
