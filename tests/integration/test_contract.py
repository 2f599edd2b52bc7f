"""The QueueMetrics client against the running simulator over real HTTP, in every format and
quirk mode docs/queuemetrics.md lists, and under each fault."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from msgspec.structs import replace

from tests.drive import control, quiet
from tests.harness import Proc, Stack
from wallboard.model.derive import Directory, derive
from wallboard.model.state import Floor
from wallboard.qm.client import QMClient
from wallboard.qm.errors import (
    QMActionRefused,
    QMAuthError,
    QMProtocolError,
    QMRefused,
    QMUnavailable,
)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    stack = Stack(tmp_path_factory.mktemp("contract"), "redis://unused", prefix="unused:")
    proc = stack.simulator()
    quiet(proc)
    # A floor with every kind of row: paused, talking, waiting, dialing-free agents.
    agents = [a for a in control(proc, "GET", "state")["agents"] if a["logged_queues"]]
    paused = {"state": "paused", "pause_code": "10"}
    control(proc, "POST", f"agents/{agents[0]['agent']}", json=paused)
    queue = agents[1]["logged_queues"][0]
    answered = control(proc, "POST", "calls", json={"queue": queue, "caller": "5551234"})
    control(proc, "POST", f"calls/{answered['callid']}/answer", json={"agent": agents[1]["agent"]})
    control(proc, "POST", "calls", json={"queue": queue, "caller": "5559876"})
    yield proc
    stack.stop()


@pytest.fixture(autouse=True)
def clean(sim: Proc) -> Iterator[None]:
    control(sim, "DELETE", "faults")
    yield
    control(sim, "DELETE", "faults")


def client(sim: Proc, user: str = "robot", password: str = "robot", **kw: Any) -> QMClient:
    return QMClient(f"{sim.url}/queuemetrics", user, password, **kw)


async def floor(sim: Proc, queues: list[str] | None = None) -> Floor:
    async with client(sim) as qm:
        realtime, _ = await qm.realtime(queues or ["*"])
    return derive(realtime, queues or ["*"], Directory())


def ground_truth(sim: Proc) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Agent → (state, queues) as the simulator itself sees its floor."""
    state = control(sim, "GET", "state")
    names = {"on_call": "on_call", "talking": "on_call", "ringing": "available"}
    return {
        a["agent"]: (names.get(a["state"], a["state"]), tuple(sorted(a["logged_queues"])))
        for a in state["agents"]
        if a["logged_queues"]
    }


def summary(state: Floor) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {a.agent: (a.state, tuple(sorted(a.queues))) for a in state.agents}


async def test_default_answer_matches_the_simulated_floor(sim: Proc) -> None:
    state = await floor(sim)
    assert summary(state) == ground_truth(sim)
    assert {c.state for c in state.calls} == {"waiting", "talking"}
    truth = {a["agent"]: a["pause_code"] for a in control(sim, "GET", "state")["agents"]}
    paused = {a.agent: a.pause_code for a in state.agents if a.state == "paused"}
    assert paused and paused == {code: truth[code] for code in paused}
    assert "10" in paused.values()


QUIRKS: list[dict[str, Any]] = [
    {"classic_only": True},
    {"agent_rows": "per_queue"},
    {"agent_rows": "per_queue", "classic_only": True},
    {"empty_cell": "&nbsp;"},
    {"empty_cell": "&nbsp;", "classic_only": True},
    {"dirty_titles": True, "classic_only": True},
    {"shuffled_columns": True},
    {"shuffled_columns": True, "classic_only": True},
    {"extra_columns": ["ACB_future", "RT_future"], "classic_only": True},
    {"transfer_dupes": True},
    {"strict_encoding": True},
    {"calls_columns": ["RT_queue", "RT_entered", "RT_answered", "RT_agent", "RT_caller"]},
]


@pytest.mark.parametrize("quirks", QUIRKS, ids=lambda q: ",".join(f"{k}={v}" for k, v in q.items()))
async def test_every_quirk_gives_the_same_floor(sim: Proc, quirks: dict[str, Any]) -> None:
    expected = await floor(sim)
    control(sim, "POST", "faults", json={"config": quirks})
    got = await floor(sim)
    if "calls_columns" in quirks:  # without a call-id column the ids are synthetic
        assert [c.caller for c in got.calls] == [c.caller for c in expected.calls]
        got = replace(got, calls=expected.calls)
    assert got == expected


async def test_queue_filter_with_pipes(sim: Proc) -> None:
    control(sim, "POST", "faults", json={"config": {"strict_encoding": True}})
    everything = await floor(sim)
    queue = everything.agents[0].queues[0]
    state = await floor(sim, [queue, "999"])
    assert state.agents and all(queue in a.queues for a in state.agents)


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("http_500", QMUnavailable),
        ("html_error", QMUnavailable),
        ("malformed_json", QMProtocolError),
        ("status_not_ok", QMRefused),
        ("unauthorized", QMAuthError),
    ],
)
async def test_faults_become_the_right_errors(sim: Proc, mode: str, error: type) -> None:
    control(sim, "POST", "faults", json={"mode": mode})
    with pytest.raises(error):
        await floor(sim)


async def test_a_hung_answer_is_a_timeout(sim: Proc) -> None:
    control(sim, "POST", "faults", json={"mode": "timeout", "seconds": 5})
    async with client(sim, read_timeout=0.5) as qm:
        with pytest.raises(QMUnavailable, match="in time"):
            await qm.realtime(["*"])


@pytest.mark.parametrize("auth_fail", ["401", "result_error"])
async def test_wrong_password_is_an_auth_error(sim: Proc, auth_fail: str) -> None:
    control(sim, "POST", "faults", json={"config": {"auth_fail": auth_fail}})
    async with client(sim, password="wrong") as qm:
        with pytest.raises(QMAuthError):
            await qm.realtime(["*"])


async def test_a_user_without_robot_key_is_refused(sim: Proc) -> None:
    async with client(sim, "viewer", "viewer") as qm:
        with pytest.raises(QMAuthError):
            await qm.realtime(["*"])


async def test_clock_offset_is_estimated_from_the_date_header(sim: Proc) -> None:
    control(sim, "POST", "clock", json={"offset_s": 3600})
    try:
        async with client(sim) as qm:
            _, answer = await qm.realtime(["*"])
    finally:
        control(sim, "POST", "clock", json={"offset_s": 0})
    assert answer.clock_offset is not None and abs(answer.clock_offset - 3600) < 1.5


async def test_names_queues_and_pause_codes(sim: Proc) -> None:
    truth = control(sim, "GET", "state")
    agent = next(a for a in truth["agents"] if a["logged_queues"])
    async with client(sim) as qm:
        agents = (await qm.agents()).agents
        queues = await qm.agent_queues(agent["agent"])
        pauses = await qm.pause_codes(agent["agent"])
    info = agents[agent["agent"]]
    assert info.name == agent["name"] and info.group == agent["group"]
    assert info.supervisor == agent["supervisor"]
    names = {q["queue"]: q["name"] for q in truth["queues"]}
    assert {q: names[q] for q in queues} == queues
    assert set(pauses) == set(agent["pause_codes"])


async def test_unknown_agent_is_refused(sim: Proc) -> None:
    async with client(sim) as qm:
        with pytest.raises(QMRefused):
            await qm.pause_codes("agent/nobody")


async def test_pbx_action_ok_and_ko(sim: Proc) -> None:
    agents = control(sim, "GET", "state")["agents"]
    on, off = agents[0]["agent"], agents[-1]["agent"]
    control(sim, "POST", f"agents/{off}", json={"state": "logged_off"})
    async with client(sim) as qm:
        with pytest.raises(QMActionRefused, match="not logged on"):
            await qm.pbx_action({"action": "unpause", "agent": off, "extension": "", "server": ""})
        answer = await qm.pbx_action(
            {"action": "pause", "agent": on, "extension": "", "pause": "10", "server": ""}
        )
    assert answer["resultStatus"].startswith("OK")
    received = control(sim, "GET", "actions")[-1]["body"]
    assert (received["action"], received["agent"], received["pause"]) == ("pause", on, "10")


async def test_supervisors_from_each_agents_record(sim: Proc) -> None:
    truth = {a["agent"]: a["supervisor"] for a in control(sim, "GET", "state")["agents"]}
    async with client(sim) as qm:
        by_users = (await qm.agents("users")).agents
        by_record = (await qm.agents("record")).agents
    assert {c: a.supervisor for c, a in by_record.items()} == truth
    assert {c: a.supervisor for c, a in by_users.items()} == truth
