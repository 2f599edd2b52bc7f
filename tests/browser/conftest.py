"""Headless Chromium through Playwright: the one WALLBOARD_CHROMIUM names, else Debian's
chromium if installed, else Playwright's own browser. No browser is a
failure, never a skip."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

DEBIAN_CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


# Module scope, not session: Playwright's sync API holds an event loop while it runs, which the
# asyncio tests collected after the browser tests must not find still running.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("WALLBOARD_CHROMIUM") or None
    if executable is None and os.path.exists(DEBIAN_CHROMIUM):
        executable = DEBIAN_CHROMIUM
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()
