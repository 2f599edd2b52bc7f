"""Supervisor actions and their security, with real processes: web, poller, simulator, Redis."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.drive import agent_in, control, quiet, set_agent, snapshot
from tests.harness import Stack
from tests.waiting import until

SUPERVISOR = ("demosupervisor", "demo")
VIEWER = ("viewer", "viewer")
TV_TOKEN = "tv-secret-7Hq2mZp9XwL4vB8nR3sK6tYd"


class Floor:
    def __init__(self, stack: Stack, **web_env: str) -> None:
        self.clients: list[httpx.Client] = []
        self.robot_password = "rb-" + secrets.token_hex(8)
        stack.env["WALLBOARD_SIM_ROBOT_PASSWORD"] = self.robot_password
        stack.env["WALLBOARD_QM_PASSWORD"] = self.robot_password
        self.sim = stack.simulator()
        state = quiet(self.sim)
        logged = [a for a in state["agents"] if a["logged_queues"]]
        self.agent = logged[0]["agent"]
        self.other = logged[1]["agent"]
        self.logged_off = state["agents"][-1]["agent"]
        set_agent(self.sim, self.logged_off, "logged_off")
        for code in (self.agent, self.other):
            set_agent(self.sim, code, "available")
        control(self.sim, "POST", "faults", json={"config": {"action_delay_s": 0.2}})
        stack.poller()
        self.web = stack.web(**web_env)
        token = web_env.get("WALLBOARD_TV_TOKEN")
        params = {"token": token} if token else {}
        until(
            lambda: (
                (agent_in(snapshot(self.web, **params), self.agent) or {}).get("state")
                == "available"
            )
        )
        until(lambda: not agent_in(snapshot(self.web, **params), self.logged_off))

    def client(self, **kw: Any) -> httpx.Client:
        """A browser-like client, closed with the floor."""
        client = httpx.Client(base_url=self.web.url, timeout=10, **kw)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def url(self, path: str) -> str:
        return f"{self.web.url}{path}"

    def actions(self) -> list[dict[str, Any]]:
        return list(control(self.sim, "GET", "actions"))

    def post(
        self, path: str, body: Any = None, auth: Any = SUPERVISOR, **kw: Any
    ) -> httpx.Response:
        return httpx.post(self.url(path), json=body, auth=auth, timeout=10, **kw)


@pytest.fixture
def floor(stack: Stack) -> Iterator[Floor]:
    floor = Floor(stack)
    yield floor
    floor.close()


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert body["ok"] is False and body["error"]["message"]
    return str(body["error"]["code"])


def login(floor: Floor, user: tuple[str, str] = SUPERVISOR) -> httpx.Client:
    client = floor.client(follow_redirects=False)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    answer = client.post("/login", data={"username": user[0], "password": user[1], "csrf": csrf[1]})
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: httpx.Client) -> str:
    page = client.get("/supervisor")
    assert page.status_code == 200
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert token
    return token[1]


def test_pause_and_unpause_send_exactly_what_queuemetrics_expects(floor: Floor) -> None:
    state = control(floor.sim, "GET", "state")
    me = next(a for a in state["agents"] if a["agent"] == floor.agent)
    code = me["pause_codes"][0]
    answer = floor.post("/api/actions/pause", {"agent": floor.agent, "pause_code": code})
    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True and answer.json()["result"]["resultStatus"].startswith("OK")
    sent = floor.actions()[-1]
    assert sent["user"] == "robot"
    assert sent["body"] == {
        "action": "pause",
        "agent": floor.agent,
        "extension": me["extension"],
        "pause": code,
        "server": "",
    }
    until(lambda: (agent_in(snapshot(floor.web), floor.agent) or {}).get("state") == "paused")
    answer = floor.post("/api/actions/unpause", {"agent": floor.agent})
    assert answer.status_code == 200, answer.text
    assert floor.actions()[-1]["body"] == {
        "action": "unpause",
        "agent": floor.agent,
        "extension": me["extension"],
        "server": "",
    }
    until(lambda: (agent_in(snapshot(floor.web), floor.agent) or {}).get("state") == "available")
    audit = httpx.get(floor.url("/api/audit"), auth=SUPERVISOR, timeout=10).json()["entries"]
    assert [(e["action"], e["target"], e["result"], e["user"]) for e in audit[:2]] == [
        ("unpause", floor.agent, "ok", "demosupervisor"),
        ("pause", floor.agent, "ok", "demosupervisor"),
    ]
    assert code in audit[1]["reason"]
    exposed = httpx.get(floor.url("/metrics"), timeout=10).text
    assert 'wallboard_actions_total{action="pause",result="ok"} 1.0' in exposed
    assert 'wallboard_logins_total{result="ok"}' in exposed


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/actions/pause", {"agent": "agent/nobody", "pause_code": "10"}, 422, "invalid"),
        ("/api/actions/pause", {"agent": "LOGGED_OFF", "pause_code": "10"}, 422, "invalid"),
        ("/api/actions/pause", {"agent": "AGENT", "pause_code": "99"}, 422, "invalid"),
        ("/api/actions/pause", {"agent": "AGENT"}, 422, "invalid"),
        ("/api/actions/pause", {"agent": "AGENT", "pause_code": 10}, 422, "invalid"),
        ("/api/actions/pause", {"agent": "AGENT", "pause_code": "10", "x": 1}, 422, "invalid"),
        ("/api/actions/pause", ["AGENT"], 422, "invalid"),
        ("/api/actions/unpause", {"agent": "AGENT"}, 422, "invalid"),
        ("/api/broadcast", {"text": "", "everyone": True}, 422, "invalid"),
        ("/api/broadcast", {"text": "x" * 501, "everyone": True}, 422, "invalid"),
        ("/api/broadcast", {"text": "hello"}, 422, "invalid"),
        ("/api/broadcast", {"text": "hello", "everyone": "yes"}, 422, "invalid"),
    ],
)
def test_bad_input_is_refused_and_nothing_goes_upstream(
    floor: Floor, path: str, body: Any, status: int, code: str
) -> None:
    before = len(floor.actions())
    broadcasts = len(control(floor.sim, "GET", "broadcasts"))
    text = str(body).replace("LOGGED_OFF", floor.logged_off).replace("AGENT", floor.agent)
    body = eval(text) if isinstance(body, dict | list) else body
    answer = floor.post(path, body)
    assert answer.status_code == status, answer.text
    assert error_code(answer) == code
    assert len(floor.actions()) == before
    assert len(control(floor.sim, "GET", "broadcasts")) == broadcasts


def test_unparseable_json_and_wrong_content_type(floor: Floor) -> None:
    raw = httpx.post(
        floor.url("/api/actions/unpause"),
        content=b"{nope",
        auth=SUPERVISOR,
        headers={"Content-Type": "application/json"},
    )
    assert raw.status_code == 400 and error_code(raw) == "bad-json"
    form = httpx.post(
        floor.url("/api/actions/unpause"), data={"agent": floor.agent}, auth=SUPERVISOR
    )
    assert form.status_code == 415
    nobody = httpx.post(floor.url("/api/actions/unpause"), data={"agent": floor.agent})
    assert nobody.status_code == 415, "the content type is checked first"
    assert floor.actions() == []


def test_credentials_and_keys(floor: Floor) -> None:
    body = {"agent": floor.agent, "pause_code": "10"}
    none = floor.post("/api/actions/pause", body, auth=None)
    assert none.status_code == 401 and "www-authenticate" not in none.headers
    wrong = floor.post("/api/actions/pause", body, auth=("demosupervisor", "wrong"))
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Basic")
    viewer = floor.post("/api/actions/pause", body, auth=VIEWER)
    assert viewer.status_code == 403 and error_code(viewer) == "missing-key"
    robot = floor.post(
        "/api/broadcast", {"text": "x", "everyone": True}, auth=("robot", floor.robot_password)
    )
    assert robot.status_code == 403, "the robot login is no supervisor"
    assert floor.actions() == [] and control(floor.sim, "GET", "broadcasts") == []


def test_queuemetrics_refusal_is_a_502_with_its_words(floor: Floor) -> None:
    control(
        floor.sim, "POST", "faults", json={"mode": "status_not_ok", "endpoints": ["pbxactions"]}
    )
    answer = floor.post(
        "/api/actions/pause", {"agent": floor.agent, "pause_code": pause_code(floor)}
    )
    assert answer.status_code == 502 and "KO" in answer.json()["error"]["message"]
    control(floor.sim, "DELETE", "faults")
    audit = httpx.get(floor.url("/api/audit"), auth=SUPERVISOR, timeout=10).json()["entries"]
    assert audit[0]["result"] == "refused"


def test_queuemetrics_down_is_503_not_401(floor: Floor) -> None:
    control(floor.sim, "POST", "faults", json={"mode": "http_500", "endpoints": ["QmAuth"]})
    answer = floor.post(
        "/api/actions/pause",
        {"agent": floor.agent, "pause_code": "10"},
        auth=("supervisor2", "demo2"),
    )
    assert answer.status_code == 503


def pause_code(floor: Floor) -> str:
    state = control(floor.sim, "GET", "state")
    return str(next(a for a in state["agents"] if a["agent"] == floor.agent)["pause_codes"][0])


def test_session_csrf_and_fixation(floor: Floor) -> None:
    planted = "attacker-chosen-session-id"
    page = httpx.get(floor.url("/login"), timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    cookies = {"wb_login": page.cookies["wb_login"], "wb_session": planted}
    form = {"username": "demosupervisor", "password": "demo", "csrf": token[1]}
    answer = httpx.post(floor.url("/login"), data=form, cookies=cookies, timeout=10)
    assert answer.status_code == 303
    sid = answer.cookies["wb_session"]
    assert sid and sid != planted
    client = floor.client(cookies={"wb_session": sid})
    body = {"agent": floor.agent, "pause_code": pause_code(floor)}
    no_token = client.post("/api/actions/pause", json=body)
    assert no_token.status_code == 403 and error_code(no_token) == "bad-csrf-token"
    bad_token = client.post("/api/actions/pause", json=body, headers={"X-CSRF-Token": "nope"})
    assert bad_token.status_code == 403
    # A cross-site form post: wrong type, no token: nothing happens.
    cross = client.post("/supervisor/pause", data=body)
    assert cross.status_code == 403 and floor.actions() == []
    good = client.post("/api/actions/pause", json=body, headers={"X-CSRF-Token": csrf_of(client)})
    assert good.status_code == 200, good.text
    client.post("/logout", data={"csrf": csrf_of(client)})
    assert client.get("/supervisor").status_code == 303, "logged out"
    reused = httpx.get(
        floor.url("/supervisor"), cookies={"wb_session": sid}, follow_redirects=False
    )
    assert reused.status_code == 303, "the old session id is dead"


def test_failed_logins_are_rate_limited(floor: Floor) -> None:
    for _ in range(5):
        assert login_status(floor, "supervisor2", "wrong") == 401
    assert login_status(floor, "supervisor2", "wrong") == 429
    assert login_status(floor, "supervisor2", "demo2") == 429, "even the right password waits"


def login_status(floor: Floor, user: str, password: str) -> int:
    return floor.post(
        "/api/actions/unpause", {"agent": floor.agent}, auth=(user, password)
    ).status_code


def test_broadcast_reaches_queuemetrics_and_the_boards_escaped(floor: Floor) -> None:
    text = '<img src=x onerror="alert(1)"> Team meeting at 3'
    answer = floor.post("/api/broadcast", {"text": text, "everyone": True})
    assert answer.status_code == 200, answer.text
    sent = control(floor.sim, "GET", "broadcasts")[-1]
    assert sent["text"] == text and sent["who"] == "robot"
    page = until(
        lambda: "Team meeting" in (html := httpx.get(floor.url("/wallboard")).text) and html
    )
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_the_robot_password_never_reaches_a_browser(floor: Floor) -> None:
    client = login(floor)
    pages = [
        client.get(p).text
        for p in (
            "/wallboard",
            "/supervisor",
            "/api/snapshot",
            "/readyz",
            "/metrics",
            "/login",
            "/static/wallboard.js",
        )
    ]
    pages.append(client.get(f"/supervisor/pause-form?agent={floor.agent}").text)
    with client.stream("GET", "/events", params={"view": "supervisor"}) as events:
        for chunk in events.iter_text():
            pages.append(chunk)
            break
    assert all(floor.robot_password not in page for page in pages)


def test_supervisor_stream_needs_a_login(floor: Floor) -> None:
    anonymous = httpx.get(floor.url("/events"), params={"view": "supervisor"}, timeout=10)
    assert anonymous.status_code == 401
    viewer = login(floor, VIEWER)
    assert viewer.get("/supervisor").status_code == 200, "the view key is enough to watch"
    form = viewer.get(f"/supervisor/pause-form?agent={floor.agent}")
    assert form.status_code == 403 and "RT_PAUSEAGENT" in form.text


def test_tv_token(stack: Stack) -> None:
    floor = Floor(stack, WALLBOARD_TV_TOKEN=TV_TOKEN)
    try:
        tv_token_checks(floor)
    finally:
        floor.close()


def tv_token_checks(floor: Floor) -> None:
    assert httpx.get(floor.url("/wallboard")).status_code == 401
    assert httpx.get(floor.url("/api/snapshot")).status_code == 401
    assert httpx.get(floor.url("/events")).status_code == 401
    client = floor.client(follow_redirects=True)
    opened = client.get("/wallboard", params={"token": TV_TOKEN, "queues": "300"})
    assert opened.status_code == 200 and "token" not in str(opened.url)
    assert TV_TOKEN not in client.cookies.get("wb_tv", "")
    assert client.get("/api/snapshot").status_code == 200, "the cookie is enough afterwards"
    assert httpx.get(floor.url("/wallboard"), params={"token": "wrong"}).status_code == 401
    assert login(floor).get("/wallboard").status_code == 200, "a login opens it too"
