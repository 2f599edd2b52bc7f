"""Alerts over real processes: raised by the poller, the same on two web replicas, acknowledged
on one and seen so on the other (API and page), snoozed, escalated after the delay."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.drive import quiet
from tests.harness import TEST_PACE, Proc, Stack
from tests.waiting import until
from wallboard.processes import EmbeddedRedis

SUPERVISOR = ("demosupervisor", "demo")
# Red whenever fewer than 100 agents are available: every queue is in alert at once.
ALWAYS_RED = '{"*": {"available": [200, 100]}}'


@pytest.fixture(scope="module")
def webs(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Proc, Proc]]:  # fmt: skip
    prefix = f"t{secrets.token_hex(5)}:"
    pace = {**TEST_PACE, "WALLBOARD_THRESHOLDS": ALWAYS_RED, "WALLBOARD_ESCALATE_AFTER": "3"}
    with Stack(tmp_path_factory.mktemp("alerts"), redis_server.url, prefix=prefix,
               **pace) as stack:  # fmt: skip
        stack.env["WALLBOARD_SIM_ROBOT_PASSWORD"] = stack.env["WALLBOARD_QM_PASSWORD"] = "rb-x"
        quiet(stack.simulator())
        stack.poller()
        one, two = stack.web(), stack.web()
        yield one, two


def alerts(web: Proc, **params: Any) -> dict[str, Any]:
    answer = httpx.get(f"{web.url}/api/alerts", params=params, auth=SUPERVISOR, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def act(web: Proc, ident: str, what: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{web.url}/api/alerts/{ident}/{what}", json=body, auth=SUPERVISOR,
                      timeout=10)  # fmt: skip


def test_acknowledged_on_one_replica_seen_on_the_other(webs: tuple[Proc, Proc]) -> None:
    one, two = webs
    found = until(lambda: alerts(one)["alerts"], 20, "an alert raised by the poller")
    alert = found[0]
    assert (alert["metric"], alert["level"], alert["state"]) == ("available", "red", "active")
    assert {a["id"] for a in alerts(two)["alerts"]} == {a["id"] for a in found}
    answer = act(two, alert["id"], "ack", {"note": "calling people back from break"})
    assert answer.status_code == 200, answer.text
    seen = {a["id"]: a for a in alerts(one)["alerts"]}[alert["id"]]
    assert (seen["state"], seen["acked_by"]) == ("acknowledged", "demosupervisor")
    until(lambda: "acknowledged by demosupervisor" in httpx.get(f"{one.url}/wallboard").text,
          10, "the acknowledgement on the other replica's page")  # fmt: skip


def test_escalated_when_red_and_unacknowledged(webs: tuple[Proc, Proc]) -> None:
    one, _ = webs
    open_alerts = until(lambda: [a for a in alerts(one)["alerts"] if a["state"] == "active"],
                        20, "an active alert")  # fmt: skip
    until(lambda: 'class="escalated"' in httpx.get(f"{one.url}/wallboard").text, 15,
          "the escalation banner")  # fmt: skip
    for alert in alerts(one)["alerts"]:
        act(one, alert["id"], "ack", {})
    until(lambda: 'class="escalated"' not in httpx.get(f"{one.url}/wallboard").text, 10,
          "the banner gone once acknowledged")  # fmt: skip
    assert open_alerts


def test_snooze_and_bad_input(webs: tuple[Proc, Proc]) -> None:
    one, _ = webs
    alert = until(lambda: alerts(one)["alerts"], 20, "an alert")[0]
    snoozed = act(one, alert["id"], "snooze", {"minutes": 10})
    assert snoozed.status_code == 200 and snoozed.json()["alert"]["state"] == "snoozed"
    assert act(one, alert["id"], "snooze", {"minutes": 0}).status_code == 422
    assert act(one, alert["id"], "snooze", {"minutes": 241}).status_code == 422
    assert act(one, alert["id"], "ack", {"note": "x" * 201}).status_code == 422
    assert act(one, "nope", "ack", {}).status_code == 404
    assert act(one, alert["id"], "ack", {"colour": "red"}).status_code == 422
    anonymous = httpx.post(f"{one.url}/api/alerts/{alert['id']}/ack", json={}, timeout=10)
    assert anonymous.status_code == 401
    assert httpx.get(f"{one.url}/api/alerts", timeout=10).status_code == 401
    entries = httpx.get(f"{one.url}/api/audit", auth=SUPERVISOR, timeout=10).json()["entries"]
    assert {e["action"] for e in entries} >= {"alert.snooze"}
    assert "history" in alerts(one, history=1)
