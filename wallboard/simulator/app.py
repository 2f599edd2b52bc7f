"""The ASGI app: QueueMetrics' URLs under /queuemetrics/, the simulator's own under /sim/."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallboard.simulator import control, editors, endpoints
from wallboard.simulator.callcenter import CallCenter
from wallboard.simulator.config import Config
from wallboard.simulator.simulation import Simulation

TICK_S = 0.5


class DateHeader:
    """Stamps every answer with QueueMetrics' clock, which clients use to estimate skew."""

    def __init__(self, app: ASGIApp, sim: Simulation) -> None:
        self.app, self.sim = app, sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = email.utils.formatdate(self.sim.qm_now(), usegmt=True)
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                message = {**message, "headers": [*headers, (b"date", date.encode())]}
            await send(message)

        await self.app(scope, receive, send_dated)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Keep the world moving while nobody asks, so waits and pauses age in real time."""
    sim: Simulation = app.state.sim

    async def ticker() -> None:
        while True:
            sim.tick()
            await asyncio.sleep(app.state.tick_s)

    sim.stopping = False
    task = asyncio.create_task(ticker())
    try:
        yield
    finally:
        sim.stopping = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(
    center: CallCenter,
    config: Config | None = None,
    *,
    speed: float = 1.0,
    seed: int = 1,
    tick_s: float = TICK_S,
) -> FastAPI:
    """The simulator's ASGI app; `app.state.sim` is its `Simulation`."""
    sim = Simulation(center, config, speed=speed, seed=seed)
    # QueueMetrics has no API documentation pages: the simulator serves none either.
    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(endpoints.router, prefix="/queuemetrics")
    app.include_router(editors.router, prefix="/queuemetrics")
    app.include_router(control.router, prefix="/sim")
    app.add_middleware(DateHeader, sim=sim)
    app.state.sim = sim
    app.state.tick_s = tick_s
    return app
