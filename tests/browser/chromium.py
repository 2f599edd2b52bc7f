"""Which Chromium to drive and how, for the browser tests, the benchmarks and the screenshots:
the one WALLBOARD_CHROMIUM names, else Debian's if installed, else (None) Playwright's own."""

from __future__ import annotations

import os

DEBIAN_CHROMIUM = "/usr/bin/chromium"

# The network is closed: without these, Chromium keeps trying to reach Google's services.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def executable() -> str | None:
    named = os.environ.get("WALLBOARD_CHROMIUM")
    if named:
        return named
    return DEBIAN_CHROMIUM if os.path.exists(DEBIAN_CHROMIUM) else None
