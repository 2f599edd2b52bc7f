"""The /sim/ control API, pbx actions with their delayed effect, and the background clock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.waiting import until
from wallboard.simulator import build_app, create_app
from wallboard.simulator.config import Config

from .support import AGENTS, ROBOT, RT, TestClient, manual_center

PBX = "/queuemetrics/qm_jsonsvc_do_pbxactions.do"


def agent(client: TestClient, code: str) -> dict[str, Any]:
    state = client.get("/sim/state").json()
    return next(a for a in state["agents"] if a["agent"] == code)


def pbx(client: TestClient, body: dict[str, Any], auth: tuple[str, str] = ROBOT) -> Any:
    r = client.post(PBX, json=body, auth=auth)
    assert r.status_code == 200
    return r.json()


def jump(client: TestClient, seconds: float) -> None:
    assert client.post("/sim/clock", json={"advance_s": seconds}).status_code == 200


# ----------------------------------------------------------------- control API


def test_state_lists_queues_agents_calls(client: TestClient) -> None:
    state = client.get("/sim/state").json()
    assert state["auto"] is False
    assert [q["queue"] for q in state["queues"]] == ["300", "301", "302"]
    assert {a["agent"]: a["state"] for a in state["agents"]} == {
        "agent/101": "logged_off",
        "agent/102": "logged_off",
        "agent/103": "logged_off",
    }
    assert state["calls"] == []


def test_set_agent_states(client: TestClient) -> None:
    r = client.post("/sim/agents/agent/101", json={"state": "paused", "pause_code": "03"})
    assert r.json()["state"] == "paused" and r.json()["pause_code"] == "03"
    assert r.json()["logged_queues"] == ["300", "301"]
    r = client.post("/sim/agents/Agent/101", json={"state": "available", "queues": ["301"]})
    assert (r.json()["state"], r.json()["logged_queues"]) == ("available", ["301"])
    r = client.post("/sim/agents/agent/102", json={"queues": ["300"]})
    assert r.json()["state"] == "available"
    assert client.post("/sim/agents/agent/101", json={"state": "logged_off"}).json()["state"] == (
        "logged_off")  # fmt: skip
    assert client.post("/sim/agents/agent/999", json={"state": "available"}).status_code == 404
    assert client.post("/sim/agents/agent/101", json={"state": "asleep"}).status_code == 400
    assert client.post("/sim/agents/agent/101", json={"queues": ["999"]}).status_code == 400
    assert client.post("/sim/agents/agent/101", content=b"{oops").status_code == 400


def test_calls_add_answer_hang_up(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    callid = client.post("/sim/calls", json={"queue": "300", "caller": "5551234"}).json()["callid"]
    call = client.get("/sim/state").json()["calls"][0]
    assert (call["callid"], call["state"], call["caller"]) == (callid, "waiting", "5551234")
    r = client.post(f"/sim/calls/{callid}/answer", json={"agent": "agent/101"})
    assert r.json()["state"] == "talking" and r.json()["agent"] == "agent/101"
    assert agent(client, "agent/101")["state"] == "on_call"
    assert (
        client.post(f"/sim/calls/{callid}/answer", json={"agent": "agent/101"}).status_code == 409
    )
    assert client.delete(f"/sim/calls/{callid}").status_code == 200
    assert client.get("/sim/state").json()["calls"] == []
    assert client.delete(f"/sim/calls/{callid}").status_code == 404
    assert client.get("/sim/finished").json()[0]["outcome"] == "answered"
    assert client.post("/sim/calls", json={"queue": "999"}).status_code == 404
    other = client.post("/sim/calls", json={"queue": "301"}).json()["callid"]
    assert client.post(f"/sim/calls/{other}/answer", json={"agent": "agent/103"}).status_code == 409


def test_requests_counted_and_reset(client: TestClient) -> None:
    for _ in range(3):
        client.get(RT, params={"queues": "*", "block": AGENTS}, auth=ROBOT)
    client.get("/queuemetrics/QmAuth/jsonStatsApi.do", auth=ROBOT)
    stats = client.get("/sim/requests").json()
    assert stats["endpoints"]["QmRealtime"] == {"count": 3, "in_flight": 0, "max_in_flight": 1}
    assert stats["endpoints"]["QmAuth"]["count"] == 1
    assert stats["recent"][0]["query"] == "queues=%2A&block=RealtimeDO.RtAgentsRaw"
    assert stats["recent"][0]["user"] == "robot"
    reset = client.post("/sim/requests/reset").json()
    assert reset["endpoints"]["QmRealtime"]["count"] == 0 and reset["recent"] == []


def test_auto_switch(client: TestClient) -> None:
    assert client.post("/sim/auto", json={"enabled": True}).json() == {"auto": True}
    assert client.post("/sim/auto", json={"enabled": "no"}).status_code == 400
    assert client.post("/sim/auto", json={"enabled": False}).json() == {"auto": False}


def test_clock_offset_speed_and_jump(client: TestClient) -> None:
    before = client.get("/sim/state").json()["now"]
    r = client.post("/sim/clock", json={"offset_s": -120, "advance_s": 600}).json()
    assert r["clock_offset_s"] == -120 and r["now"] >= before + 600
    state = client.get("/sim/state").json()
    assert state["qm_now"] == pytest.approx(state["now"] - 120)
    assert client.post("/sim/clock", json={"speed": 0}).json()["speed"] == 0
    frozen = client.get("/sim/state").json()["now"]
    assert client.get("/sim/state").json()["now"] == frozen
    assert client.post("/sim/clock", json={"advance_s": -5}).status_code == 400
    client.post("/sim/faults", json={"config": {"empty_cell": "&nbsp;"}})
    knobs = client.delete("/sim/faults").json()["config"]
    assert (knobs["empty_cell"], knobs["clock_offset_s"]) == ("", -120)  # skew is no fault


def test_back_dated_call(client: TestClient) -> None:
    now = client.get("/sim/state").json()["now"]
    client.post("/sim/calls", json={"queue": "300", "entered": now - 5000})
    assert client.get("/sim/state").json()["calls"][0]["entered"] == now - 5000
    assert client.post("/sim/calls", json={"queue": "300", "entered": now + 99}).status_code == 400


def test_background_clock_moves_without_requests() -> None:
    app = create_app(manual_center(), Config(), speed=50, tick_s=0.05)
    sim = app.state.sim
    with TestClient(app):
        began = sim.center.time
        until(lambda: sim.center.time > began + 5, 5, "the ticker to advance the model")


def test_demo_world_changes_by_itself() -> None:
    with TestClient(build_app(agents=20, queues=4, seed=1, speed=20)) as client:
        first = client.get("/sim/state").json()
        assert first["auto"] is True
        assert sum(a["state"] != "logged_off" for a in first["agents"]) >= 15
        assert first["calls"], "the warm-up leaves calls under way"
        ids = {c["callid"] for c in first["calls"]}
        until(lambda: {c["callid"] for c in client.get("/sim/state").json()["calls"]} != ids,
                 10, "calls to change")  # fmt: skip


# ----------------------------------------------------------------- pbx actions


def test_pause_ok_then_applied_after_the_delay(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    body = {"action": "pause", "agent": "Agent/101", "extension": "", "pause": "10", "server": ""}
    answer = pbx(client, body)
    assert answer == {**body, "resultStatus": "OK"}
    assert agent(client, "agent/101")["state"] == "available"  # not yet: the PBX lags
    jump(client, 1.5)
    after = agent(client, "agent/101")
    assert (after["state"], after["pause_code"]) == ("paused", "10")
    assert pbx(client, {"action": "unpause", "agent": "agent/101", "extension": "",
                        "server": ""})["resultStatus"] == "OK"  # fmt: skip
    until(lambda: agent(client, "agent/101")["state"] == "available", 5, "the unpause")


def test_refusals_say_why(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    base = {"extension": "", "server": ""}
    assert pbx(client, {**base, "action": "pause", "agent": "agent/102", "pause": "10"})[
        "resultStatus"] == "KO: Agent: 'agent/102' not logged on"  # fmt: skip
    not_allowed = pbx(client, {**base, "action": "pause", "agent": "agent/101", "pause": "26"})
    assert not_allowed["resultStatus"].startswith("KO: ")
    assert "26" in not_allowed["resultStatus"] and "agent/101" in not_allowed["resultStatus"]
    codeless = pbx(client, {**base, "action": "pause", "agent": "agent/101", "pause": ""})
    assert codeless["resultStatus"] == "KO: Please provide a valid pause reason"
    unknown = pbx(client, {**base, "action": "pause", "agent": "agent/999", "pause": "10"})
    assert unknown["resultStatus"].startswith("KO: ") and "agent/999" in unknown["resultStatus"]
    assert pbx(client, {**base, "action": "dance"})["resultStatus"].startswith("KO: ")
    bad = client.post(PBX, content=b"not json", auth=ROBOT).json()
    assert bad["resultStatus"].startswith("KO: ")
    jump(client, 5)
    assert agent(client, "agent/101")["state"] == "available"


def test_ko_prefix_and_codeless_pause_knobs() -> None:
    with TestClient(
        create_app(manual_center(), Config(ko_prefix="K0", allow_codeless_pause=True))
    ) as client:
        client.post("/sim/agents/agent/101", json={"state": "available"})
        assert pbx(client, {"action": "unpause", "agent": "agent/102", "extension": "",
                            "server": ""})["resultStatus"].startswith("K0: ")  # fmt: skip
        ok = pbx(client, {"action": "pause", "agent": "agent/101", "extension": "", "pause": "",
                          "server": ""})  # fmt: skip
        assert ok["resultStatus"] == "OK"
        jump(client, 2)
        state = agent(client, "agent/101")
        assert (state["state"], state["pause_code"]) == ("paused", "")


def test_login_logout_join_remove(client: TestClient) -> None:
    base = {"server": ""}
    assert pbx(client, {**base, "action": "login", "agent": "agent/103",
                        "extension": "SIP/303"})["resultStatus"] == "OK"  # fmt: skip
    jump(client, 2)
    a = agent(client, "agent/103")
    assert (a["state"], a["terminal"], a["logged_queues"]) == ("available", "SIP/303", ["301"])
    assert pbx(client, {**base, "action": "join", "agent": "agent/103", "extension": "",
                        "queues": "300"})["resultStatus"] == "OK"  # fmt: skip
    jump(client, 2)
    assert agent(client, "agent/103")["logged_queues"] == ["301", "300"]
    assert pbx(client, {**base, "action": "remove", "agent": "agent/103", "extension": "",
                        "queues": ["301"]})["resultStatus"] == "OK"  # fmt: skip
    jump(client, 2)
    assert agent(client, "agent/103")["logged_queues"] == ["300"]
    assert pbx(client, {**base, "action": "logout", "agent": "agent/103"})["resultStatus"] == "OK"
    jump(client, 2)
    assert agent(client, "agent/103")["state"] == "logged_off"


def test_call_actions_and_target_spellings(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    callid = client.post("/sim/calls", json={"queue": "300"}).json()["callid"]
    client.post(f"/sim/calls/{callid}/answer", json={"agent": "agent/101"})
    moved = pbx(client, {"action": "transfer", "agent": "agent/101", "extension": "201",
                         "callid": callid, "targettext": "301", "server": ""})  # fmt: skip
    assert moved["resultStatus"] == "OK" and moved["targettext"] == "301"
    jump(client, 2)
    assert client.get("/sim/state").json()["calls"][0]["queue"] == "301"
    hung = pbx(client, {"action": "softhangup", "agent": "agent/101", "extension": "201",
                        "callid": callid, "server": ""})  # fmt: skip
    assert hung["resultStatus"] == "OK"
    jump(client, 2)
    assert client.get("/sim/state").json()["calls"] == []
    dial = pbx(client, {"action": "customdial", "extension": "Agent/102", "targetext": "5551234",
                        "queues": "301", "server": ""})  # fmt: skip
    assert dial["resultStatus"] == "KO: Agent: 'Agent/102' not logged on"
    assert pbx(client, {"action": "calloutcome", "callid": "1.2", "outcome": "a",
                        "server": ""})["resultStatus"] == "OK"  # fmt: skip


def test_dropped_actions_never_take_effect() -> None:
    with TestClient(create_app(manual_center(), Config(action_drop_rate=1.0))) as client:
        client.post("/sim/agents/agent/101", json={"state": "available"})
        body = {"action": "pause", "agent": "agent/101", "extension": "", "pause": "10",
                "server": ""}  # fmt: skip
        assert pbx(client, body)["resultStatus"] == "OK"
        jump(client, 30)
        assert agent(client, "agent/101")["state"] == "available"
        assert client.get("/sim/actions").json()[-1]["applied"] is False


def test_actions_recorded_verbatim_with_the_user(client: TestClient) -> None:
    body = {"action": "unpause", "agent": "agent/101", "extension": "", "server": "",
            "optValues": ["K1", "V1"]}  # fmt: skip
    pbx(client, body)
    client.post(PBX, json=body, auth=("robot", "wrong"))
    client.post(PBX, json=body, auth=("viewer", "viewer"))
    client.post(PBX, content=b'{"action": "pause", ', auth=ROBOT)
    actions = client.get("/sim/actions").json()
    assert [(a["user"], a["authorized"]) for a in actions] == [
        ("robot", True), ("robot", False), ("viewer", False), ("robot", True)]  # fmt: skip
    assert all(a["body"] == body for a in actions[:3])
    assert actions[0]["resultStatus"].startswith("KO: ")  # agent/101 is not logged on
    assert actions[3]["raw"] == '{"action": "pause", ' and actions[3]["body"] is None
    requests = client.get("/sim/requests").json()["recent"]
    assert [(r["user"], r["status"]) for r in requests] == [
        ("robot", 200), ("robot", 401), ("viewer", 403), ("robot", 200)]  # fmt: skip
    assert client.delete("/sim/actions").json() == []


def test_pbxactions_needs_post_and_robot(client: TestClient) -> None:
    assert client.get(PBX, auth=ROBOT).status_code == 405
    r = client.post(PBX, json={"action": "unpause"}, auth=("demosupervisor", "demo"))
    assert r.status_code == 403


def test_pbx_refusal_shape_with_result_error() -> None:
    with TestClient(create_app(manual_center(), Config(auth_fail="result_error"))) as client:
        r = client.post(PBX, json={"action": "unpause", "agent": "agent/101"}, auth=("x", "y"))
        assert r.status_code == 200
        assert r.json()["resultStatus"].startswith("KO: ")
        assert r.json()["action"] == "unpause"


def test_realtime_reflects_actions(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    pbx(client, {"action": "pause", "agent": "agent/101", "extension": "", "pause": "17",
                 "server": ""})  # fmt: skip
    jump(client, 2)
    rows = client.get(RT, params={"queues": "*", "block": AGENTS, "jsonFormat": "simple"},
                      auth=ROBOT).json()[AGENTS]  # fmt: skip
    assert rows[0]["ACB_curPauseCode"] == "17" and rows[0]["ACB_curPauseTst"] != "0"


def test_sim_api_is_not_under_auth(client: TestClient) -> None:
    assert isinstance(client.get("/sim/faults").json()["config"], dict)
    assert "users" not in client.get("/sim/faults").json()["config"]
