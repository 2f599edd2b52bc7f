"""What the editor's browser tests share: logging in, and the console errors that matter."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.harness import Proc

# What the page's console may say, the previews' board pages included: the browser notes every
# refused request (the form shows why; a board saved a moment ago is not found for a second),
# the htmx SSE extension logs its stream's reconnects as error events, and htmx's settling
# copies the agent grid's style attribute (set by wallboard.js), which the CSP blocks, harmless.
EXPECTED = re.compile(
    r"status of (403|404|409|422) |^\[object Event\]$|^Applying inline style violates"
)


def unexpected(page: Page) -> list[str]:
    errors: list[str] = page.console_errors  # type: ignore[attr-defined]
    return [e for e in errors if not EXPECTED.search(e)]


def log_in(page: Page, web: Proc, user: str, password: str) -> None:
    page.goto(f"{web.url}/boards")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{web.url}/boards")
