"""Names and teams, learnt from the simulator in-process (its real code over an ASGI transport)
and kept in a real Redis."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from wallboard.model.derive import derive
from wallboard.model.state import Floor
from wallboard.poller.directory import DirectoryKeeper
from wallboard.qm.client import QMClient
from wallboard.simulator import build_app
from wallboard.simulator.faults import parse_fault
from wallboard.store.directory import DirectoryStore
from wallboard.store.keys import Keys


def simulated() -> tuple[Any, QMClient]:
    app = build_app(agents=8, queues=2, seed=3)
    transport = httpx.ASGITransport(app=app)
    return app, QMClient("http://sim/queuemetrics", "robot", "robot", transport=transport)


async def live_state(client: QMClient, keeper: DirectoryKeeper) -> Floor:
    realtime, _ = await client.realtime(["*"])
    return derive(realtime, ["*"], keeper.directory)


async def test_names_queues_and_pauses_are_learnt(redis: Redis, prefix: str) -> None:
    app, client = simulated()
    center = app.state.sim.center
    keeper = DirectoryKeeper(client, redis, Keys(prefix))
    agent = next(iter(center.agents.values()))
    center.set_auto(False)
    center.logon(agent.code, queues=agent.queues)
    center.pause(agent.code, agent.pause_codes[0])
    keeper.notice(await live_state(client, keeper))
    assert await keeper.cycle()
    state = await live_state(client, keeper)
    mine = next(a for a in state.agents if a.agent == agent.code)
    assert mine.name == agent.name and mine.group == agent.group
    assert mine.supervisor == agent.supervisor
    assert mine.pause_reason and mine.pause_reason != mine.pause_code
    names = {q.code: q.name for q in center.queues.values()}
    assert {q.queue: q.name for q in state.queues} == {
        q.queue: names[q.queue] for q in state.queues
    }
    assert not await keeper.cycle(), "nothing new to learn: no request beyond the refresh"
    await client.aclose()


async def test_a_refusal_keeps_codes_and_is_retried(redis: Redis, prefix: str) -> None:
    app, client = simulated()
    app.state.sim.faults.add(parse_fault({"mode": "unauthorized", "endpoints": ["editor"]}))
    keeper = DirectoryKeeper(client, redis, Keys(prefix))
    assert not await keeper.cycle()
    assert keeper.directory.agents == {}
    state = await live_state(client, keeper)
    assert all(a.name == a.agent for a in state.agents)
    app.state.sim.reset_faults()
    keeper.last_refresh -= 60  # the retry is due 30 s after a failure
    assert await keeper.cycle()
    assert keeper.directory.agents
    await client.aclose()


async def test_a_new_leader_starts_with_what_redis_kept(redis: Redis, prefix: str) -> None:
    _, client = simulated()
    first = DirectoryKeeper(client, redis, Keys(prefix), queue_names={"300": "Front desk"})
    await first.cycle()
    second = DirectoryKeeper(client, redis, Keys(prefix), queue_names={"300": "Front desk"})
    await second.load()
    assert second.directory.agents == first.directory.agents
    assert second.directory.queues["300"] == "Front desk"
    await client.aclose()


@pytest.mark.parametrize("refusal", ["403", "404"])
async def test_names_are_kept_when_the_user_editor_is_refused(
    redis: Redis, prefix: str, refusal: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, client = simulated()
    app.state.sim.reconfigure({"user_editor": refusal})
    center = app.state.sim.center
    keeper = DirectoryKeeper(client, redis, Keys(prefix))
    assert await keeper.cycle()
    for agent in center.agents.values():
        kept = keeper.directory.agents[agent.code]
        assert (kept["name"], kept["group"], kept["location"]) == (
            agent.name, agent.group, agent.location)  # fmt: skip
        assert kept["supervisor"] == ""
    supervisors = await DirectoryStore(redis, Keys(prefix)).supervisors()
    assert supervisors is not None and supervisors.startswith("unavailable: ")
    assert f"HTTP {refusal}" in supervisors
    keeper.last_refresh -= keeper.refresh_s  # the next refresh is due: refused again
    assert not await keeper.cycle()
    said = [r for r in caplog.records if "supervisors' logins unavailable" in r.getMessage()]
    assert len(said) == 1, "said once, not at every refresh"
    app.state.sim.reset_faults()
    keeper.last_refresh -= keeper.refresh_s
    assert await keeper.cycle()
    assert {c: a["supervisor"] for c, a in keeper.directory.agents.items()} == {
        a.code: a.supervisor for a in center.agents.values()
    }
    assert await DirectoryStore(redis, Keys(prefix)).supervisors() == "ok"
    await client.aclose()
