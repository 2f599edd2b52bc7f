"""What code is running: the version plus the commit, so pages reload after a deploy."""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

from wallboard import __version__


@cache
def build() -> str:
    explicit = os.environ.get("WALLBOARD_BUILD")
    if explicit:
        return explicit
    source = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+{sha}" if sha else __version__
