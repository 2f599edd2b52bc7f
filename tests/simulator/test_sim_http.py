"""The QueueMetrics HTTP API of the simulator: auth, keys, formats, parameters, other calls."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from wallboard.simulator import create_app
from wallboard.simulator.config import Config, User

from .support import AGENTS, CALLS, ROBOT, RT, TestClient, manual_center

BOTH = [("block", AGENTS), ("block", CALLS)]


def rt(client: TestClient, params: Any, auth: tuple[str, str] = ROBOT) -> httpx.Response:
    return client.get(RT, params=params, auth=auth)


def status(answer: dict[str, Any]) -> dict[str, Any]:
    result = answer["result"]
    return result if isinstance(result, dict) else dict(result)


def sim_app(**knobs: Any) -> Starlette:
    return create_app(manual_center(), Config(**knobs))


def drive(client: TestClient) -> str:
    """Log on 101 and 102, 102 paused; one call waiting in 301."""
    client.post("/sim/agents/agent/101", json={"state": "available"})
    client.post("/sim/agents/agent/102", json={"state": "paused", "pause_code": "10"})
    return str(
        client.post("/sim/calls", json={"queue": "301", "caller": "5551234"}).json()["callid"]
    )


# ----------------------------------------------------------------- auth and keys


@pytest.mark.parametrize("login", [("robot", "robot"), ("admin", "admin")])
def test_robot_key_or_master_key_may_read_realtime(client: TestClient, login: Any) -> None:
    r = rt(client, [("queues", "*"), *BOTH], auth=login)
    assert r.status_code == 200
    assert status(r.json())["Status"] == "OK"


@pytest.mark.parametrize("login", [("robot", "wrong"), ("nobody", "x")])
def test_bad_credentials_get_401_by_default(client: TestClient, login: Any) -> None:
    r = rt(client, [("queues", "*"), *BOTH], auth=login)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    assert client.get(RT, params={"queues": "*"}).status_code == 401  # no credentials at all


@pytest.mark.parametrize("login", [("demosupervisor", "demo"), ("viewer", "viewer")])
def test_missing_robot_key_gets_403_by_default(client: TestClient, login: Any) -> None:
    assert rt(client, [("queues", "*"), *BOTH], auth=login).status_code == 403


def test_auth_fail_result_error_answers_200_with_failed_result() -> None:
    with TestClient(sim_app(auth_fail="result_error")) as client:
        for login in (("robot", "wrong"), ("viewer", "viewer")):
            r = rt(client, [("queues", "*"), *BOTH], auth=login)
            assert r.status_code == 200
            answer = r.json()
            assert status(answer)["Status"] == "ERR"
            assert status(answer)["Description"]
            assert AGENTS not in answer


def test_qmauth_for_each_user(client: TestClient) -> None:
    expected = {
        ("robot", "robot"): ("Robot", "ROBOTS", "ROBOT USRADMIN", "0"),
        ("demosupervisor", "demo"): ("Demo Supervisor", "SUPERVISORS",
                                     "USER REALTIME RT_PAUSEAGENT RT_UNPAUSEAGENT BRO_MSG "
                                     "SUPERVISOR WALLBOARD_ADD RT_LOGINAGENT RT_LOGOFFAGENT "
                                     "RT_ADDMEMBER RT_HANGUP RT_TRANSFER RT_MONITOR", "0"),
        ("supervisor2", "demo2"): ("Laura Bianchi", "SUPERVISORS",
                                   "USER REALTIME RT_PAUSEAGENT RT_UNPAUSEAGENT BRO_MSG "
                                   "SUPERVISOR WALLBOARD_ADD RT_LOGINAGENT RT_LOGOFFAGENT "
                                   "RT_ADDMEMBER RT_HANGUP RT_TRANSFER RT_MONITOR", "0"),
        ("viewer", "viewer"): ("Wallboard Viewer", "USERS", "USER REALTIME", "0"),
        ("admin", "admin"): ("Administrator", "ADMIN", "USER USRADMIN", "1"),
    }  # fmt: skip
    for login, (full, cls, keys, master) in expected.items():
        r = client.get("/queuemetrics/QmAuth/jsonStatsApi.do", auth=login)
        assert r.status_code == 200
        answer = r.json()
        assert status(answer)["Status"] == "OK"
        auth = dict(answer["auth"])
        assert auth == {"UserName": login[0], "Status": "OK", "FullName": full,
                        "Email": auth["Email"], "Class": cls, "Keys": keys, "Masterkey": master,
                        "NLogons": "1"}  # fmt: skip
    again = client.get("/queuemetrics/QmAuth/jsonStatsApi.do", auth=ROBOT).json()
    assert dict(again["auth"])["NLogons"] == "2"


def test_qmauth_bad_credentials(client: TestClient) -> None:
    assert (
        client.get("/queuemetrics/QmAuth/jsonStatsApi.do", auth=("robot", "x")).status_code == 401
    )
    with TestClient(sim_app(auth_fail="result_error")) as other:
        r = other.get("/queuemetrics/QmAuth/jsonStatsApi.do", auth=("robot", "x"))
        assert r.status_code == 200
        auth = dict(r.json()["auth"])
        assert (auth["UserName"], auth["Status"]) == ("robot", "ERR")
        simple = other.get("/queuemetrics/QmAuth/jsonStatsApi.do?jsonFormat=simple",
                           auth=("viewer", "nope")).json()  # fmt: skip
        assert simple["auth"]["Status"] == "ERR"


def test_user_list_is_configurable() -> None:
    users = [User("bot", "s3cret", "Bot", "ROBOTS", "ROBOT", pk_id=7)]
    with TestClient(create_app(manual_center(), Config(users=users))) as client:
        assert rt(client, {"queues": "*"}, auth=("bot", "s3cret")).status_code == 200
        assert rt(client, {"queues": "*"}, auth=ROBOT).status_code == 401
        listing = client.get("/queuemetrics/user/jsonEditorApi.do", auth=("bot", "s3cret")).json()
        assert [u["login"] for u in listing] == ["bot"]


# ----------------------------------------------------------------- formats and parameters


def test_classic_format_both_blocks(client: TestClient) -> None:
    callid = drive(client)
    answer = rt(client, [("queues", "300|301"), *BOTH]).json()
    assert list(answer) == ["result", AGENTS, CALLS]
    result = answer["result"]
    assert [row[0] for row in result] == ["Status", "Description", "Time elapsed (ms)",
                                          "QM Version"]  # fmt: skip
    assert isinstance(result[2][1], int)
    agents = answer[AGENTS]
    titles = agents[0]
    assert len(titles) == 19 and titles[0] == "ACB_queue"
    rows = {r[1]: dict(zip(titles, r, strict=True)) for r in agents[1:]}
    assert set(rows) == {"agent/101", "agent/102"}
    assert rows["agent/102"]["ACB_curPauseCode"] == "10"
    assert rows["agent/101"]["ACB_queue"] == "300:301"
    calls = answer[CALLS]
    assert calls[0][:2] == ["RT_queue", "RT_callid"]
    call = dict(zip(calls[0], calls[1], strict=True))
    assert (call["RT_callid"], call["RT_agent"], call["RT_answered"]) == (callid, "", "0")


def test_simple_format(client: TestClient) -> None:
    drive(client)
    answer = rt(client, [("queues", "*"), ("jsonFormat", "simple"), *BOTH]).json()
    assert answer["result"]["Status"] == "OK"
    assert {row["ACB_agent"] for row in answer[AGENTS]} == {"agent/101", "agent/102"}
    assert answer[CALLS][0]["RT_caller"] == "5551234"


def test_classic_only_ignores_json_format() -> None:
    with TestClient(sim_app(classic_only=True)) as client:
        answer = rt(client, [("queues", "*"), ("jsonFormat", "simple"), *BOTH]).json()
        assert isinstance(answer["result"], list)
        assert answer[AGENTS][0][0] == "ACB_queue"


@pytest.mark.parametrize("key", ["RealtimeDO.RtAgentsRaw", "RealTimeDO.RtAgentsRaw",
                                 "REALTIMEDO.RtAgentsRaw"])  # fmt: skip
def test_block_key_echoed_as_requested(client: TestClient, key: str) -> None:
    answer = rt(client, [("queues", "*"), ("block", key)]).json()
    assert list(answer) == ["result", key]


def test_unknown_block_knob() -> None:
    params = [("queues", "*"), ("block", AGENTS), ("block", "RealtimeDO.rtcallsraw")]
    with TestClient(sim_app()) as client:
        answer = rt(client, params).json()
        assert status(answer)["Status"] == "ERR"
        assert "RealtimeDO.rtcallsraw" in status(answer)["Description"]
        assert list(answer) == ["result"]
    with TestClient(sim_app(unknown_block="omit")) as client:
        assert list(rt(client, params).json()) == ["result", AGENTS]
    with TestClient(sim_app(unknown_block="empty")) as client:
        answer = rt(client, params).json()
        assert answer["RealtimeDO.rtcallsraw"] == [] and status(answer)["Status"] == "OK"


def test_queues_selection(client: TestClient) -> None:
    drive(client)

    def queues_seen(query: str) -> set[str]:
        answer = client.get(f"{RT}?{query}&block={AGENTS}&block={CALLS}", auth=ROBOT).json()
        agent_queues = {q for r in answer[AGENTS][1:] for q in r[0].split(":")}
        return agent_queues | {r[0] for r in answer[CALLS][1:]}

    assert queues_seen("queues=300") == {"300"}
    assert queues_seen("queues=301") == {"301"}
    assert queues_seen("queues=300%7C301") == {"300", "301"}
    assert queues_seen("queues=300%7c301") == {"300", "301"}
    assert queues_seen("queues=300|301") == {"300", "301"}  # lenient by default
    assert queues_seen("queues=*") == {"300", "301"}
    assert queues_seen("queues=302") == set()
    missing = client.get(f"{RT}?block={AGENTS}", auth=ROBOT).json()
    assert status(missing)["Status"] == "ERR" and "queues" in status(missing)["Description"]


def test_strict_encoding_rejects_a_raw_pipe() -> None:
    with TestClient(sim_app(strict_encoding=True)) as client:
        raw = client.get(httpx.URL(f"http://testserver{RT}", query=b"queues=300|301"), auth=ROBOT)
        assert raw.status_code == 400
        assert rt(client, {"queues": "300|301"}).status_code == 200  # sent as %7C


def test_post_form_body_and_query_string(client: TestClient) -> None:
    drive(client)
    form = client.post(RT, content=f"queues=300%7C301&block={AGENTS}&block={CALLS}",
                       headers={"content-type": "application/x-www-form-urlencoded"},
                       auth=ROBOT)  # fmt: skip
    assert list(form.json()) == ["result", AGENTS, CALLS]
    query = client.post(f"{RT}?queues=*&block={AGENTS}", auth=ROBOT)
    assert len(query.json()[AGENTS]) == 3


def test_agent_filter_any_case(client: TestClient) -> None:
    drive(client)
    answer = rt(client, [("queues", "*"), ("filter", "Agent/101"), *BOTH]).json()
    assert [r[1] for r in answer[AGENTS][1:]] == ["agent/101"]
    assert answer[CALLS][1:] == []  # the waiting call is nobody's activity


def test_clock_offset_in_timestamps_and_date_header(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    state = client.get("/sim/state").json()
    logon = next(a["logon"] for a in state["agents"] if a["agent"] == "agent/101")
    client.post("/sim/clock", json={"offset_s": 3600})
    r = rt(client, [("queues", "*"), ("block", AGENTS), ("jsonFormat", "simple")])
    assert r.json()[AGENTS][0]["ACB_logon"] == str(int(logon + 3600))
    date = email.utils.parsedate_to_datetime(r.headers["date"]).timestamp()
    now = client.get("/sim/state").json()["now"]
    assert abs(date - (now + 3600)) < 5


# ----------------------------------------------------------------- other calls


def test_agent_pause_codes_and_queues(client: TestClient) -> None:
    codes = client.get("/queuemetrics/QmAgentPCodes/jsonStatsApi.do?agent=Agent/102",
                       auth=ROBOT).json()  # fmt: skip
    assert status(codes)["Status"] == "OK"
    assert codes["output"] == [["Agent/102", "10", "Coffee break", "NPNB"],
                               ["Agent/102", "26", "Training", "PB"]]  # fmt: skip
    queues = client.get("/queuemetrics/QmAgentQueues/jsonStatsApi.do",
                        params={"agent": "agent/101"}, auth=ROBOT).json()  # fmt: skip
    assert queues["output"] == [["agent/101", "300", "Sales", "0"],
                                ["agent/101", "301", "Support", "1"]]  # fmt: skip
    for api in ("QmAgentPCodes", "QmAgentQueues"):
        bad = client.get(f"/queuemetrics/{api}/jsonStatsApi.do?agent=agent/999", auth=ROBOT)
        assert bad.status_code == 200
        assert status(bad.json())["Status"] != "OK"
        assert "agent/999" in status(bad.json())["Description"]
    assert client.get("/queuemetrics/QmAgentPCodes/jsonStatsApi.do?agent=agent/101",
                      auth=("viewer", "viewer")).status_code == 403  # fmt: skip


def test_title_row_knob_on_output_blocks() -> None:
    with TestClient(sim_app(kv_title_row=True)) as client:
        url = "/queuemetrics/QmAgentPCodes/jsonStatsApi.do?agent=agent/103"
        assert client.get(url, auth=ROBOT).json()["output"] == [
            ["Agent", "Pause code", "Description", "Type"], ["agent/103", "10", "Coffee break",
                                                             "NPNB"]]  # fmt: skip


def test_broadcast_is_recorded(client: TestClient) -> None:
    url = "/queuemetrics/QmBroadcastMsg/jsonStatsApi.do"
    r = client.get(url, params={"text": "Hello world", "everyone": "1"}, auth=ROBOT)
    assert r.status_code == 200 and status(r.json())["Status"] == "OK"
    client.post(url, content="text=Queue+300+is+busy&queue=300&supervisor=demosupervisor",
                headers={"content-type": "application/x-www-form-urlencoded"},
                auth=ROBOT)  # fmt: skip
    missing = client.get(url, params={"text": " "}, auth=ROBOT).json()
    assert status(missing)["Status"] == "ERR"
    sent = client.get("/sim/broadcasts").json()
    assert [(b["who"], b["text"], b["everyone"], b["queue"]) for b in sent] == [
        ("robot", "Hello world", True, ""),
        ("robot", "Queue 300 is busy", False, "300"),
    ]
    assert sent[1]["supervisor"] == "demosupervisor" and sent[0]["time"] > 0
    assert client.get(url, params={"text": "x"}, auth=("demosupervisor", "demo")).status_code == 403


def test_sysup_needs_no_auth(client: TestClient) -> None:
    r = client.get("/queuemetrics/sysup.jsp")
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "QMUP"
    assert {"ramFreeMb", "ramTotalMb", "ramMaxMb", "generatedOn", "version"} <= set(body)
    assert isinstance(body["ramMaxMb"], int)


def test_agent_editor(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    listing = client.get("/queuemetrics/agent/jsonEditorApi.do", auth=ROBOT).json()
    first = listing[0]
    assert first["nome_agente"] == "agent/101"
    assert first["descr_agente"] == "John Doe (101)"
    assert (first["group_name"], first["loc_name"], first["supervised_by"]) == (
        "Default", "Main", "41")  # fmt: skip
    assert first["current_terminal"] == "SIP/201"
    assert len(listing) == 3
    only = client.get("/queuemetrics/agent/jsonEditorApi.do?q=Agent/102", auth=ROBOT).json()
    assert [a["nome_agente"] for a in only] == ["agent/102"]
    one = client.get(f"/queuemetrics/agent/{listing[1]['PK_ID']}/jsonEditorApi.do",
                     auth=ROBOT).json()  # fmt: skip
    assert one["nome_agente"] == "agent/102"
    assert one["supervised_by__DECODED"] == "supervisor2"
    assert (one["group_by__DECODED"], one["location__DECODED"]) == ("Trainees", "Remote")
    assert client.get("/queuemetrics/agent/9999/jsonEditorApi.do", auth=ROBOT).status_code == 404
    assert client.get("/queuemetrics/agent/jsonEditorApi.do", auth=("viewer", "viewer")
                      ).status_code == 403  # fmt: skip


def test_user_editor(client: TestClient) -> None:
    users = client.get("/queuemetrics/user/jsonEditorApi.do", auth=ROBOT).json()
    by_login = {u["login"]: u for u in users}
    assert set(by_login) == {"admin", "robot", "demosupervisor", "supervisor2", "viewer"}
    sup = by_login["demosupervisor"]
    assert (sup["PK_ID"], sup["real_name"], sup["class"]) == ("41", "Demo Supervisor",
                                                              "SUPERVISORS")  # fmt: skip
    assert all("password" not in u for u in users)
    one = client.get("/queuemetrics/user/41/jsonEditorApi.do", auth=ROBOT).json()
    assert one["login"] == "demosupervisor" and "SUPERVISOR" in one["keys"]


@pytest.mark.parametrize("refusal", [403, 404])
def test_the_user_editor_can_be_switched_off(client: TestClient, refusal: int) -> None:
    knobs = client.post("/sim/faults", json={"config": {"user_editor": refusal}}).json()
    assert knobs["config"]["user_editor"] == str(refusal)
    for path in ("/queuemetrics/user/jsonEditorApi.do", "/queuemetrics/user/41/jsonEditorApi.do"):
        assert client.get(path, auth=ROBOT).status_code == refusal
    agents = client.get("/queuemetrics/agent/jsonEditorApi.do", auth=ROBOT)
    assert agents.status_code == 200 and agents.json()
    client.delete("/sim/faults")
    assert client.get("/queuemetrics/user/jsonEditorApi.do", auth=ROBOT).status_code == 200
