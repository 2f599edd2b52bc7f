"""The command refuses to start on a bad setting, naming it and saying why."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest


@pytest.mark.parametrize("command", ["poller", "web"])
def test_bad_thresholds_stop_the_process_with_the_reason(command: str) -> None:
    env = {
        **os.environ,
        "WALLBOARD_THRESHOLDS": '{"*": {"waiting": [6, 3]}}',
        "WALLBOARD_QM_URL": "http://127.0.0.1:9/queuemetrics",
        "WALLBOARD_SECRET_KEY": "x" * 32,
    }
    done = subprocess.run(
        [sys.executable, "-m", "wallboard.cli", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "WALLBOARD_THRESHOLDS" in done.stderr
    assert "red must be above yellow" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_queue_target_names_its_setting() -> None:
    env = {**os.environ, "WALLBOARD_QUEUE_TARGETS": "300=abc"}
    done = subprocess.run(
        [sys.executable, "-m", "wallboard.cli", "poller"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "WALLBOARD_QUEUE_TARGETS" in done.stderr


def test_ctrl_c_stops_the_simulator_without_a_traceback() -> None:
    """Ctrl-C on ``scripts/demo`` reaches every child: each must stop quietly (uvicorn raises
    the captured SIGINT again once it has shut down)."""
    import httpx

    from tests.waiting import until
    from wallboard.processes import free_port

    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "wallboard.cli", "simulator", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def answers() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/sim/state", timeout=1).status_code < 500
            except httpx.HTTPError:
                return False

        until(answers, timeout=30)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode in (0, 130)
    assert "Traceback" not in stderr
