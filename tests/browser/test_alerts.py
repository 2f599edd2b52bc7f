"""Alerts people notice and handle, in Chromium over real processes: a breach sounds on a
board's TV and repeats every 30 s until a supervisor acknowledges it on the supervisor page
(the TV then says who did), escalates on the TV while nobody does, and notifies the supervisor
once; a TV whose browser refuses sound says so until someone taps it; a snooze from the page."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.chromium import FLAGS, executable
from tests.browser.editing import unexpected
from tests.drive import control, quiet
from tests.harness import TEST_PACE, Proc, Stack
from tests.waiting import until
from wallboard.processes import EmbeddedRedis

SUPERVISOR = ("demosupervisor", "demo")
KIOSK = "--autoplay-policy=no-user-gesture-required"
# Calls waiting raise the alerts of these tests: yellow at one, red at two (no agent count or
# wait reaches the other thresholds), so each test makes its own breach. (A queue under its
# service-level target today has a yellow alert of its own, which is not a test's concern.)
NEVER = {"available": [0, -1], "longest_wait": [86_400, 172_800], "paused_time": [86_400, 172_800]}
THRESHOLDS = {"*": {**NEVER, "waiting": [1, 2]}}
ESCALATE_AFTER_S = 6
ENV = {
    **TEST_PACE,
    "WALLBOARD_THRESHOLDS": json.dumps(THRESHOLDS),
    "WALLBOARD_ESCALATE_AFTER": str(ESCALATE_AFTER_S),
    "WALLBOARD_ALERT_CLEAR_AFTER": "1",
    # The tests jump the TV's clock by 31 s; a page silent for 12 keep-alives reloads itself, so
    # the keep-alive is long enough here (15 s) for a jump not to look like a dead stream.
    "WALLBOARD_KEEPALIVE": "15",
}

# Every tone a page starts through the Web Audio API, by waveform: a red alert's sound is three
# square tones, a yellow one's a sine.
TONES = """
window.__tones = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__tones.push(this.type);
  return start.apply(this, args);
};
"""
RED_WAITING = 'data-metric="waiting" data-level="red"'
RED_SOUNDS = "() => window.__tones.filter((t) => t === 'square').length / 3"
# Every notification the page makes, by title.
NOTIFICATIONS = """
window.__notes = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) { window.__notes.push(title); super(title, options); }
};
"""


@pytest.fixture(scope="module")
def floor(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Proc, Proc]]:  # fmt: skip
    """The simulator (quiet: the tests make the calls), a poller and a web with two boards:
    "front" (queue 300, sound repeated) and "back" (queue 301, sound once)."""
    prefix = f"t{secrets.token_hex(5)}:"
    with Stack(tmp_path_factory.mktemp("alerts"), redis_server.url, prefix=prefix) as stack:
        stack.env.update(ENV)
        sim = stack.simulator()
        quiet(sim)
        stack.poller()
        web = stack.web()
        until(lambda: httpx.get(f"{web.url}/readyz").json()["fresh"], 20, "fresh data")
        boards = [{"id": "front", "title": "Front", "queues": ["300"], "sound": "repeat"},
                  {"id": "back", "title": "Back", "queues": ["301"], "sound": "once"}]  # fmt: skip
        for board in boards:
            made = httpx.post(f"{web.url}/api/boards", json=board, auth=SUPERVISOR, timeout=10)
            assert made.status_code == 201, made.text
        yield sim, web


@pytest.fixture(scope="module")
def kiosk(browser: Browser) -> Iterator[Browser]:
    """Chromium as a TV runs it: allowed to play sound before anyone touched the page."""
    launched = browser.browser_type.launch(executable_path=executable(), args=[*FLAGS, KIOSK])
    yield launched
    launched.close()


def tv_page(browser: Browser, web: Proc, board: str) -> Page:
    tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    errors: list[str] = []
    tv.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    tv.on("pageerror", lambda exc: errors.append(str(exc)))
    tv.console_errors = errors  # type: ignore[attr-defined]  # read by editing.unexpected
    tv.add_init_script(TONES)
    tv.clock.install()  # the repeats are 30 s apart: the test moves the page's clock
    tv.goto(f"{web.url}/boards/{board}")
    expect(tv.locator("#alerts")).to_be_attached()
    return tv


def supervise(page: Page, web: Proc) -> None:
    page.goto(f"{web.url}/supervisor")
    page.fill("input[name=username]", SUPERVISOR[0])
    page.fill("input[name=password]", SUPERVISOR[1])
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{web.url}/supervisor")


def breach(sim: Proc, queue: str) -> list[str]:
    """Two calls waiting in ``queue``: red."""
    return [control(sim, "POST", "calls", json={"queue": queue})["callid"] for _ in range(2)]


def end_breach(sim: Proc, calls: list[str], tv: Page) -> None:
    for callid in calls:
        control(sim, "DELETE", f"calls/{callid}")
    expect(tv.locator("#alerts [data-metric=waiting]")).to_have_count(0, timeout=10_000)


def red_sounds(tv: Page, count: int) -> None:
    tv.wait_for_function(f"() => ({RED_SOUNDS})() >= {count}", timeout=10_000)
    assert tv.evaluate(RED_SOUNDS) == count


def test_a_breach_sounds_repeats_escalates_and_stops_when_acknowledged(
    floor: tuple[Proc, Proc], kiosk: Browser, page: Page
) -> None:
    sim, web = floor
    page.add_init_script(NOTIFICATIONS)
    supervise(page, web)
    ask = page.get_by_role("button", name="Notify me of red alerts")
    expect(ask).to_be_visible()
    page.context.grant_permissions(["notifications"], origin=web.url)  # as the user would
    ask.click()
    expect(page.locator("#notify-red")).to_have_text("Red alerts notify you")
    tv = tv_page(kiosk, web, "front")

    calls = breach(sim, "300")
    alert = tv.locator("#alerts [data-metric=waiting]")
    expect(alert).to_have_attribute("data-level", "red", timeout=10_000)
    red_sounds(tv, 1)
    expect(tv.locator("#escalation .escalated")).to_have_count(0)  # not before the delay
    page.wait_for_function("() => window.__notes.length >= 1", timeout=10_000)
    (title,) = page.evaluate("window.__notes")
    assert title.startswith("Red alert: ") and title.endswith(" · calls waiting")

    tv.clock.fast_forward("00:31")
    red_sounds(tv, 2)  # active still: heard again 30 s later
    expect(tv.locator("#escalation .escalated")).to_be_visible(timeout=15_000)
    expect(page.locator("#escalation .escalated")).to_be_visible(timeout=10_000)

    row = page.locator("#alerts .sup-alert[data-metric=waiting]")
    row.get_by_role("button", name="Note / snooze…").click()
    page.get_by_label("Note (optional)").fill("calling people back from break")
    page.locator("#action-panel").get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#action-status .action-result.ok")).to_contain_text("Acknowledged")
    expect(page.locator("#action-panel")).to_be_empty()
    expect(alert).to_have_attribute("data-state", "acknowledged", timeout=10_000)
    expect(alert).to_contain_text("acknowledged by demosupervisor: calling people back")
    expect(tv.locator("#escalation .escalated")).to_have_count(0, timeout=10_000)
    expect(row).to_have_attribute("data-state", "acknowledged", timeout=10_000)

    tv.clock.fast_forward("00:31")  # the page's once-a-second check runs within the jump
    assert tv.evaluate(RED_SOUNDS) == 2  # acknowledged: no more repeats
    assert len(page.evaluate("window.__notes")) == 1  # one notification per alert
    end_breach(sim, calls, tv)
    assert unexpected(page) == [] and unexpected(tv) == []
    tv.context.close()


def test_sound_blocked_until_tapped_then_snoozed_from_the_page(
    floor: tuple[Proc, Proc], browser: Browser, page: Page
) -> None:
    sim, web = floor
    calls = breach(sim, "301")
    # Red in the page as served, so that the page asks for its sound as it loads: Playwright's
    # queries give a page a user's activation (navigator.userActivation), and Chromium lets an
    # activated page play sound, as it would a TV someone had touched.
    until(lambda: RED_WAITING in httpx.get(f"{web.url}/boards/back").text, 10, "a red page")
    tv = tv_page(browser, web, "back")  # no kiosk flag: Chromium refuses sound untouched
    alert = tv.locator("#alerts [data-metric=waiting]")
    expect(alert).to_have_attribute("data-level", "red", timeout=10_000)
    blocked = tv.get_by_role("button", name="Sound blocked — tap to enable")
    expect(blocked).to_be_visible(timeout=10_000)
    assert tv.evaluate(RED_SOUNDS) == 0
    blocked.click()
    red_sounds(tv, 1)  # the sound it could not play, played once allowed
    expect(blocked).to_be_hidden()

    supervise(page, web)
    page.locator("#alerts .sup-alert[data-metric=waiting]").get_by_role(
        "button", name="Note / snooze…"
    ).click()
    page.get_by_label("Minutes").fill("10")
    page.locator("#action-panel").get_by_role("button", name="Snooze", exact=True).click()
    expect(page.locator("#action-status .action-result.ok")).to_contain_text("Snoozed for 10")
    expect(alert).to_have_attribute("data-state", "snoozed", timeout=10_000)
    expect(alert).to_contain_text("snoozed by demosupervisor until")
    end_breach(sim, calls, tv)
    assert unexpected(page) == [] and unexpected(tv) == []
    tv.context.close()
