"""A QueueMetrics look-alike served from a simulated call center.

It stands apart from the wallboard's own `qm`/`model` code and is written from what
docs/queuemetrics.md describes, so a misreading of the protocol is never shared by client and
test double.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from starlette.applications import Starlette

from wallboard.simulator.app import create_app
from wallboard.simulator.config import Config, default_users
from wallboard.simulator.population import build_center
from wallboard.simulator.simulation import Simulation

WARMUP_S = 600.0  # simulated before serving, so calls and pauses are under way at once

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8084


def build_app(
    agents: int = 20,
    queues: int = 4,
    seed: int = 1,
    speed: float = 1.0,
    config: Config | None = None,
) -> Starlette:
    """A ready-to-serve simulator with a generated call center."""
    config = config or Config()
    supervisors = [u.login for u in config.users if "SUPERVISOR" in u.keys.split()]
    now = time.time()
    offset = ZoneInfo(config.time_zone).utcoffset(datetime.fromtimestamp(now))
    center = build_center(
        agents,
        queues,
        seed=seed,
        start=now - WARMUP_S * speed,
        supervisors=supervisors,
        day_offset_s=offset.total_seconds() if offset else 0.0,
    )
    return create_app(center, config, speed=speed, seed=seed)


class SimulatorServer(uvicorn.Server):
    """A uvicorn server that wakes requests hung by the `timeout` fault when it stops."""

    async def shutdown(self, sockets: Any = None) -> None:
        app = self.config.app
        sim = getattr(getattr(app, "state", None), "sim", None)
        if isinstance(sim, Simulation):
            sim.stopping = True
        await super().shutdown(sockets)


def make_server(
    app: Starlette, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> SimulatorServer:
    # The app writes its own Date header, on QueueMetrics' (possibly skewed) clock.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        date_header=False,
        server_header=False,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    return SimulatorServer(config)


def run(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    agents: int = 20,
    queues: int = 4,
    seed: int = 1,
    speed: float = 1.0,
    robot_password: str = "robot",
) -> None:
    """Serve a simulated QueueMetrics at http://host:port/queuemetrics/ until interrupted."""
    users = [
        dataclasses.replace(u, password=robot_password) if u.login == "robot" else u
        for u in default_users()
    ]
    app = build_app(agents, queues, seed, speed, Config(users=users))
    make_server(app, host, port).run()


__all__ = ["Config", "build_app", "create_app", "make_server", "run"]
