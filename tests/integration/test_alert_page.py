"""The supervisor page's alert buttons over real processes: a session with its CSRF token
only (no HTTP Basic), answers as fragments with the reason when refused, the same alert as the
API's afterwards, and the figures in /metrics."""

from __future__ import annotations

import re
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
def web(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    prefix = f"t{secrets.token_hex(5)}:"
    with Stack(tmp_path_factory.mktemp("alert-page"), redis_server.url, prefix=prefix) as stack:
        stack.env.update({**TEST_PACE, "WALLBOARD_THRESHOLDS": ALWAYS_RED})
        quiet(stack.simulator())
        stack.poller()
        yield stack.web()


@pytest.fixture
def client(web: Proc) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, timeout=10, follow_redirects=False) as client:
        yield client


def session(client: httpx.Client) -> str:
    """Log ``client`` in as a browser does; the CSRF token the page then holds."""
    login = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert token
    form = {"username": SUPERVISOR[0], "password": SUPERVISOR[1], "csrf": token[1]}
    assert client.post("/login", data=form).status_code == 303
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/supervisor").text)
    assert csrf
    return csrf[1]


def open_alerts(web: Proc) -> list[dict[str, Any]]:
    answer = httpx.get(f"{web.url}/api/alerts", auth=SUPERVISOR, timeout=10)
    return list(answer.json()["alerts"])


def test_the_buttons_take_a_session_and_its_token_only(web: Proc, client: httpx.Client) -> None:
    alert = until(lambda: open_alerts(web), 20, "an alert raised by the poller")[0]
    csrf = session(client)

    def page() -> str | None:
        text = client.get("/supervisor").text
        return text if alert["id"] in text else None

    page_text = until(page, 10, "the alert on the page")
    assert 'class="sup-alert lvl-red as-active"' in page_text and "/static/notify.js" in page_text
    path = f"/supervisor/alerts/{alert['id']}/ack"
    assert client.post(path, data={"note": "x"}).status_code == 403  # no token
    basic = httpx.post(f"{web.url}{path}", data={}, auth=SUPERVISOR, headers={"X-CSRF-Token": csrf})
    assert basic.status_code == 401  # Basic is for the JSON API
    assert open_alerts(web)[0]["state"] == "active"


def test_refusals_say_why_and_an_acknowledgement_is_the_apis(
    web: Proc, client: httpx.Client
) -> None:
    alert = until(lambda: open_alerts(web), 20, "an alert raised by the poller")[-1]
    token = {"X-CSRF-Token": session(client)}
    base = f"/supervisor/alerts/{alert['id']}"
    for minutes in ("0", "241", "ten", ""):
        refused = client.post(f"{base}/snooze", data={"minutes": minutes}, headers=token)
        assert refused.status_code == 422, minutes
        assert "minutes must be a whole number from 1 to 240" in refused.text
    assert "note is longer than 200" in client.post(
        f"{base}/ack", data={"note": "x" * 201}, headers=token).text  # fmt: skip
    unknown = client.post("/supervisor/alerts/nope/ack", data={}, headers=token)
    assert unknown.status_code == 404 and 'class="action-result failed"' in unknown.text
    form = client.get(f"{base}/form")
    assert form.status_code == 200 and 'name="note"' in form.text and 'name="minutes"' in form.text

    done = client.post(f"{base}/ack", data={"note": "on it"}, headers=token)
    assert done.status_code == 200 and "Acknowledged:" in done.text
    assert 'id="action-panel"' in done.text  # the panel's form put away
    seen = {a["id"]: a for a in open_alerts(web)}[alert["id"]]
    assert (seen["state"], seen["acked_by"], seen["note"]) == ("acknowledged", "demosupervisor",
                                                               "on it")  # fmt: skip
    snoozed = client.post(f"{base}/snooze", data={"minutes": "5"}, headers=token)
    assert snoozed.status_code == 200 and "Snoozed for 5 min" in snoozed.text
    exposed = httpx.get(f"{web.url}/metrics", timeout=10).text
    assert re.search(r"^wallboard_alerts_raised_total [1-9]", exposed, re.M)
    assert re.search(r"^wallboard_alerts_acknowledged_total [2-9]", exposed, re.M)
    assert re.search(r'^wallboard_alerts_open\{level="red"\} [1-9]', exposed, re.M)
