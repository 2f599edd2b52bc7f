"""Shared helpers for the simulator tests."""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from collections.abc import Iterator

from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from tests.harness import ROBOT
from tests.waiting import until
from wallboard.simulator import make_server
from wallboard.simulator.callcenter import Agent, CallCenter, Queue

with warnings.catch_warnings():
    # Starlette 1.x warns at import when it finds httpx rather than httpx2, which is not
    # installed here; the warning is about the test client's transport, not our code.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

RT = "/queuemetrics/QmRealtime/jsonStatsApi.do"
AGENTS = "RealtimeDO.RtAgentsRaw"
CALLS = "RealtimeDO.RtCallsRaw"

__all__ = ["AGENTS", "CALLS", "ROBOT", "RT", "TestClient", "manual_center", "serve"]


def manual_center(start: float | None = None, auto: bool = False) -> CallCenter:
    """Two queues and three agents, nobody logged on, no arrivals: tests drive everything."""
    queues = [
        Queue("300", "Sales", arrival_rate=0.0, wrapup_s=10.0, dnis="8005550300"),
        Queue("301", "Support", arrival_rate=0.0, wrapup_s=10.0, dnis="8005550301"),
        Queue("302", "Nobody", arrival_rate=0.0, wrapup_s=10.0, dnis="8005550302"),
    ]
    agents = [
        Agent("agent/101", "John Doe", supervisor="demosupervisor", extension="SIP/201",
              queues=["300", "301"], pause_codes=["03", "10", "17"]),
        Agent("agent/102", "Mary Smith", group="Trainees", location="Remote",
              supervisor="supervisor2", extension="202", queues=["300"],
              pause_codes=["10", "26"]),
        Agent("agent/103", "Luca Rossi", supervisor="demosupervisor", queues=["301"],
              pause_codes=["10"]),
    ]  # fmt: skip
    return CallCenter(
        queues, agents, seed=1, start=time.time() if start is None else start, auto=auto
    )


@contextlib.contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run the app on a real uvicorn server on a free loopback port; yield its base URL."""
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        until(lambda: server.started, 10, "uvicorn to start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        assert not thread.is_alive(), "uvicorn did not stop"
