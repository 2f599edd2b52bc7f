"""Realistic floors of any size from the simulator's own model (in process): QmRealtime answers
as QueueMetrics' wire bytes, and the wallboard floors the poller's own pipeline
(``wallboard.model.pipeline.step``) makes of them."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import httpx
from starlette.applications import Starlette

from wallboard.model import state as model
from wallboard.model.alerts import DEFAULTS, Thresholds
from wallboard.model.derive import Directory
from wallboard.model.pipeline import Context, Step, step
from wallboard.qm.realtime import parse_realtime
from wallboard.simulator import create_app
from wallboard.simulator.callcenter import CallCenter
from wallboard.simulator.population import build_center

REALTIME_BODY = (
    b"queues=*&jsonFormat=simple&block=RealtimeDO.RtAgentsRaw&block=RealtimeDO.RtCallsRaw"
)
THRESHOLDS = Thresholds.parse(DEFAULTS)


class Floor:
    """A call center with ``agents`` agents and about half as many live calls, half answered."""

    def __init__(self, agents: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        queues = max(4, agents // 50)
        self.center: CallCenter = build_center(
            agents, queues, seed=seed, start=time.time() - 600, auto=False
        )
        self.app: Starlette = create_app(self.center, seed=seed)
        codes = list(self.center.queues)
        calls = [self.center.add_call(codes[i % len(codes)]) for i in range(agents // 2)]
        free = [a.code for a in self.center.agents.values() if self._available(a.code)]
        self.rng.shuffle(free)
        for callid, agent in zip(calls[::2], free, strict=False):
            self.center.answer_call(callid, agent)
        self.directory = Directory(
            agents={a.code: {"name": a.name, "group": a.group} for a in self.center.agents.values()}
        )

    def _available(self, code: str) -> bool:
        agent = self.center.agent(code)
        return bool(agent.logged_on) and agent.state(self.center.time) == "available"

    def mutate(self, changes: int) -> None:
        """``changes`` agents pause or come back; one call ends and one arrives."""
        agents = [a for a in self.center.agents.values() if a.logged_on]
        for agent in self.rng.sample(agents, min(changes, len(agents))):
            state = agent.state(self.center.time)
            if state == "available":
                self.center.pause(agent.code, "10")
            elif state == "paused":
                self.center.unpause(agent.code)
        waiting = [c.callid for c in self.center.calls.values() if c.state() == "waiting"]
        if waiting:
            self.center.end_call(self.rng.choice(waiting))
        self.center.add_call(self.rng.choice(list(self.center.queues)))

    async def fetch(self) -> bytes:
        """The raw QmRealtime answer, exactly as the poller receives it."""
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            response = await client.post(
                "/queuemetrics/QmRealtime/jsonStatsApi.do",
                content=REALTIME_BODY,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                auth=("robot", "robot"),
            )
            response.raise_for_status()
            return response.content


def context(directory: Directory) -> Context:
    """What the poller judges a poll with: every queue watched, the default thresholds."""
    return Context(watched=["*"], directory=directory, thresholds=THRESHOLDS)


def step_of(raw: bytes, directory: Directory, previous: model.Floor = model.EMPTY) -> Step:
    """One poll of ``raw`` after ``previous``, through the poller's pipeline."""
    return step(previous, parse_realtime(json.loads(raw)), context(directory), time.time())


def state_of(raw: bytes, directory: Directory, previous: model.Floor | None = None) -> model.Floor:
    return step_of(raw, directory, previous or model.EMPTY).floor


def counts(state: model.Floor) -> dict[str, Any]:
    return {"agents": len(state.agents), "calls": len(state.calls), "queues": len(state.queues)}
