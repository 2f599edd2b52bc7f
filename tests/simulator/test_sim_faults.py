"""Fault injection and run-time quirks, through the control API."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from tests.waiting import until
from wallboard.simulator import create_app
from wallboard.simulator.config import Config

from .support import AGENTS, CALLS, ROBOT, RT, TestClient, manual_center, serve

QUERY: list[tuple[str, str | int | float | bool | None]] = [
    ("queues", "*"),
    ("block", AGENTS),
    ("block", CALLS),
]
AUTH = "/queuemetrics/QmAuth/jsonStatsApi.do"


def fault(client: TestClient, **spec: Any) -> httpx.Response:
    r = client.post("/sim/faults", json=spec)
    assert r.status_code == 200, r.text
    return r


def test_http_500(client: TestClient) -> None:
    fault(client, mode="http_500")
    r = client.get(RT, params=QUERY, auth=ROBOT)
    assert r.status_code == 500
    assert "text/html" in r.headers["content-type"]


def test_html_error_page_like_a_proxy(client: TestClient) -> None:
    fault(client, mode="html_error")
    r = client.get(RT, params=QUERY, auth=ROBOT)
    assert r.status_code == 502
    assert r.text.lstrip().startswith("<html>")
    with pytest.raises(ValueError):
        r.json()


def test_malformed_json(client: TestClient) -> None:
    fault(client, mode="malformed_json")
    r = client.get(RT, params=QUERY, auth=ROBOT)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)


def test_status_not_ok(client: TestClient) -> None:
    fault(client, mode="status_not_ok")
    answer = client.get(RT, params=QUERY, auth=ROBOT).json()
    result = dict(answer["result"])
    assert result["Status"] == "ERR" and result["Description"]
    assert AGENTS not in answer


def test_unauthorized_for_everyone(client: TestClient) -> None:
    fault(client, mode="unauthorized")
    assert client.get(RT, params=QUERY, auth=ROBOT).status_code == 401
    assert client.get(RT, params=QUERY, auth=("admin", "admin")).status_code == 401
    assert client.get(AUTH, auth=ROBOT).status_code == 200  # only QmRealtime by default


def test_latency(client: TestClient) -> None:
    fault(client, mode="latency", seconds=0.3)
    began = time.monotonic()
    assert client.get(RT, params=QUERY, auth=ROBOT).status_code == 200
    assert time.monotonic() - began >= 0.3
    began = time.monotonic()
    client.get("/queuemetrics/sysup.jsp")
    assert time.monotonic() - began < 0.3


def test_latency_knob_applies_everywhere() -> None:
    with TestClient(create_app(manual_center(), Config(latency_ms=250))) as client:
        for url in (f"{RT}?queues=*", AUTH):
            began = time.monotonic()
            client.get(url, auth=ROBOT)
            assert time.monotonic() - began >= 0.25


def test_fault_scoped_to_named_endpoints(client: TestClient) -> None:
    fault(client, mode="http_500", endpoints=["QmAuth", "pbxactions"])
    assert client.get(RT, params=QUERY, auth=ROBOT).status_code == 200
    assert client.get(AUTH, auth=ROBOT).status_code == 500
    pbx = client.post("/queuemetrics/qm_jsonsvc_do_pbxactions.do", json={}, auth=ROBOT)
    assert pbx.status_code == 500
    client.delete("/sim/faults")
    fault(client, mode="http_500", endpoints="*")
    assert client.get(AUTH, auth=ROBOT).status_code == 500
    assert client.get("/queuemetrics/sysup.jsp").status_code == 500


def test_status_not_ok_on_pbxactions_is_a_refusal(client: TestClient) -> None:
    fault(client, mode="status_not_ok", endpoints=["pbxactions"])
    body = {"action": "unpause", "agent": "agent/101", "extension": "", "server": ""}
    r = client.post("/queuemetrics/qm_jsonsvc_do_pbxactions.do", json=body, auth=ROBOT)
    assert r.json()["resultStatus"].startswith("KO: ")


def test_count_and_clear(client: TestClient) -> None:
    fault(client, mode="http_500", count=2)
    codes = [client.get(RT, params=QUERY, auth=ROBOT).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    fault(client, mode="html_error")
    assert client.get("/sim/faults").json()["faults"][0]["mode"] == "html_error"
    cleared = client.delete("/sim/faults").json()
    assert cleared["faults"] == []
    assert client.get(RT, params=QUERY, auth=ROBOT).status_code == 200


def test_rate_hits_some_requests(client: TestClient) -> None:
    fault(client, mode="http_500", rate=0.5)
    codes = {client.get(RT, params=QUERY, auth=ROBOT).status_code for _ in range(40)}
    assert codes == {200, 500}


@pytest.mark.parametrize(
    "spec",
    [{"mode": "nope"}, {"mode": "latency", "seconds": -1}, {"mode": "http_500", "rate": 2},
     {"mode": "http_500", "endpoints": ["QmNothing"]}, {"config": {"agent_rows": "sideways"}},
     {"config": {"no_such_knob": 1}}, {"config": {"strict_encoding": "yes"}}],
)  # fmt: skip
def test_bad_fault_specs_are_refused(client: TestClient, spec: dict[str, Any]) -> None:
    r = client.post("/sim/faults", json=spec)
    assert r.status_code == 400
    assert r.json()["error"]


def test_quirks_switch_at_run_time_and_reset(client: TestClient) -> None:
    client.post("/sim/agents/agent/101", json={"state": "available"})
    r = fault(client, config={"agent_rows": "per_queue", "empty_cell": "&nbsp;",
                              "dirty_titles": True, "extra_columns": ["ACB_new"]})  # fmt: skip
    assert r.json()["config"]["agent_rows"] == "per_queue"
    rows = client.get(RT, params=[("queues", "*"), ("block", AGENTS)], auth=ROBOT).json()[AGENTS]
    titles = [t.replace("&nbsp;", "").strip() for t in rows[0]]
    assert titles[1] == "ACB_new" and rows[0] != titles
    assert [r[titles.index("ACB_queue")] for r in rows[1:]] == ["300", "301"]
    assert rows[1][titles.index("ACB_onPause")] == "&nbsp;"
    client.delete("/sim/faults")
    rows = client.get(RT, params=[("queues", "*"), ("block", AGENTS)], auth=ROBOT).json()[AGENTS]
    assert rows[0][1] == "ACB_agent" and len(rows) == 2


def test_strict_encoding_switch(client: TestClient) -> None:
    fault(client, config={"strict_encoding": True})
    raw = client.get(httpx.URL(f"http://testserver{RT}", query=b"queues=300|301"), auth=ROBOT)
    assert raw.status_code == 400


def test_auth_fail_switch(client: TestClient) -> None:
    fault(client, config={"auth_fail": "result_error"})
    r = client.get(RT, params=QUERY, auth=("robot", "bad"))
    assert r.status_code == 200 and dict(r.json()["result"])["Status"] == "ERR"


# ----------------------------------------------------------------- on a real server


def test_timeout_hangs_past_client_timeouts_and_ends_with_the_server() -> None:
    app = create_app(manual_center(), Config())
    outcome: dict[str, Any] = {}
    with serve(app) as base:
        httpx.post(f"{base}/sim/faults", json={"mode": "timeout"})
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{base}{RT}", params=QUERY, auth=ROBOT, timeout=0.5)

        def hang() -> None:
            try:
                r = httpx.get(f"{base}{RT}", params=QUERY, auth=ROBOT, timeout=30)
                outcome["status"] = r.status_code
            except httpx.HTTPError as e:
                outcome["error"] = repr(e)

        waiter = threading.Thread(target=hang)
        waiter.start()
        # The first request hangs on server-side too, so wait for the second one to arrive.
        until(
            lambda: app.state.sim.requests.stats["QmRealtime"].count >= 2,
            5,
            "the hanging request to arrive",
        )
        stopping_at = time.monotonic()
    # Leaving `serve` stopped uvicorn; the hung request must have been let go promptly.
    waiter.join(10)
    assert not waiter.is_alive()
    assert time.monotonic() - stopping_at < 8
    assert outcome == {"status": 503}


def test_in_flight_counts_on_a_real_server() -> None:
    app = create_app(manual_center(), Config())
    with serve(app) as base:
        httpx.post(f"{base}/sim/faults", json={"mode": "latency", "seconds": 0.5})
        threads = [
            threading.Thread(target=httpx.get, args=(f"{base}{RT}",),
                             kwargs={"params": QUERY, "auth": ROBOT, "timeout": 10})
            for _ in range(3)
        ]  # fmt: skip
        for t in threads:
            t.start()
        seen = until(
            lambda: (
                httpx.get(f"{base}/sim/requests")
                .json()["endpoints"]
                .get("QmRealtime", {})
                .get("in_flight", 0)
                == 3
            ),
            5,
            "three requests in flight",
        )
        assert seen
        for t in threads:
            t.join(10)
        stats = httpx.get(f"{base}/sim/requests").json()
        assert stats["endpoints"]["QmRealtime"] == {"count": 3, "in_flight": 0, "max_in_flight": 3}
        assert stats["in_flight"] == 0
        assert email_date_ok(httpx.get(f"{base}/queuemetrics/sysup.jsp"))


def email_date_ok(r: httpx.Response) -> bool:
    """uvicorn's own Date header is off: exactly one, the simulator's."""
    return len(r.headers.get_list("date")) == 1
