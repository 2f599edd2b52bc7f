"""The code as it was before the performance work (issue #21), checked out beside this tree so
that one run measures both: the baselines of poll processing and of the browser's cost are
today's code and the code before, on the same machine, minutes apart.

``git worktree`` makes the second checkout from this repository's own history; its processes
run with their working directory there, so they import its ``wallboard`` and serve its
templates and scripts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.harness import ROOT

BASELINE = "14464c1"  # main before #21: the figures docs/benchmarks.md compared against


def checkout(rev: str = BASELINE) -> Path:
    path = Path(tempfile.mkdtemp(prefix="wallboard-baseline-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--force", str(path), rev],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return path


def remove(path: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT,
                   capture_output=True)  # fmt: skip
    shutil.rmtree(path.parent, ignore_errors=True)


def processing(path: Path, sizes: tuple[int, ...], repeats: int) -> list[dict[str, Any]]:
    """``bench/processing.py`` of the other checkout, run on its own code."""
    code = (
        "import asyncio, json; from bench import processing; "
        f"print(json.dumps(asyncio.run(processing.run({sizes!r}, {repeats}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=path, capture_output=True, text=True, timeout=900,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the baseline's processing failed:\n{done.stderr[-2000:]}")
    rows: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows
