"""The security controls with real processes (simulator, poller, web processes, Redis), each
test against the hole it closes: login limits under concurrency and targeted lockouts, body
and stream limits, privacy of anonymous answers, CSRF, restricted broadcasts, rechecked
sessions, TV tokens, forwarded headers.

One simulator and poller serve the module; web processes with the settings a test needs are
started on demand and share one Redis prefix, whose rate-limit counters each test starts
without.
"""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.drive import agent_in, control, quiet, set_agent, snapshot
from tests.harness import TEST_PACE, Proc, Stack
from tests.waiting import until
from wallboard.processes import EmbeddedRedis

SUPERVISOR = ("demosupervisor", "demo")
SUPERVISOR2 = ("supervisor2", "demo2")
VIEWER = ("viewer", "viewer")
ADMIN = ("admin", "admin")  # holds the master key
ROBOT = ("robot", "robot")  # a login without the view key
TV_TOKEN = "Tv-8c1Fq3Lr9Zx2Wm7Kp4Hs6Dn0Jb"
TRUST_LOOPBACK = {"WALLBOARD_TRUSTED_PROXIES": "127.0.0.1"}


class Site:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sim = stack.simulator()
        state = quiet(self.sim)
        self.agents = [a for a in state["agents"] if a["logged_queues"]]
        for agent in self.agents:
            set_agent(self.sim, agent["agent"], "available")
        stack.poller()
        self.webs: dict[tuple[tuple[str, str], ...], Proc] = {}

    def web(self, **env: str) -> Proc:
        """A web process with these settings (started once, then reused)."""
        key = tuple(sorted(env.items()))
        if key not in self.webs:
            web = self.stack.web(**env)
            until(lambda: snapshot_of(web, env)["agents"], what="data on the new web")
            self.webs[key] = web
        return self.webs[key]

    def qm_requests(self, endpoint: str) -> int:
        found = control(self.sim, "GET", "requests")["endpoints"].get(endpoint, {})
        return int(found.get("count", 0))

    def upstream(self) -> tuple[int, int]:
        actions = control(self.sim, "GET", "actions")
        return len(actions), len(control(self.sim, "GET", "broadcasts"))


def snapshot_of(web: Proc, env: dict[str, str]) -> dict[str, Any]:
    token = env.get("WALLBOARD_TV_TOKEN")
    return snapshot(web, **({"token": token} if token else {}))


@pytest.fixture(scope="module")
def site(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    prefix = f"sec{uuid.uuid4().hex[:8]}:"
    workdir: Path = tmp_path_factory.mktemp("security")
    stack = Stack(workdir, redis_server.url, prefix=prefix, **TEST_PACE)
    try:
        yield Site(stack)
    except BaseException:
        print(stack.logs())
        raise
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def fresh_limits(site: Site) -> None:
    """Every test starts with no failed logins, token guesses or actions counted."""
    client = redis.Redis.from_url(site.stack.redis_url)
    for pattern in ("rate:*", "login-known:*", "authcache:*"):
        keys = list(client.scan_iter(f"{site.stack.prefix}{pattern}"))
        if keys:
            client.delete(*keys)
    client.close()


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert body["ok"] is False and body["error"]["message"]
    return str(body["error"]["code"])


def login(web: Proc, user: tuple[str, str], **headers: str) -> httpx.Client:
    client = httpx.Client(base_url=web.url, timeout=10, follow_redirects=False, headers=headers)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    form = {"username": user[0], "password": user[1], "csrf": csrf[1]}
    answer = client.post("/login", data=form)
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: httpx.Client) -> str:
    page = client.get("/supervisor")
    assert page.status_code == 200, page.text
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert token
    return token[1]


def basic_status(web: Proc, user: str, password: str, address: str = "") -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    response = httpx.get(f"{web.url}/api/audit", auth=(user, password), headers=headers)
    return response.status_code


# -- 1, 13: failed logins ------------------------------------------------------------------


async def wrong_logins_at_once(web: Proc, users: list[str]) -> list[int]:
    limits = httpx.Limits(max_connections=len(users))
    async with httpx.AsyncClient(base_url=web.url, timeout=30, limits=limits) as client:
        answers = await asyncio.gather(
            *(client.get("/api/audit", auth=(user, "wrong")) for user in users)
        )
    return [a.status_code for a in answers]


def test_concurrent_wrong_passwords_reach_queuemetrics_at_most_the_limit(site: Site) -> None:
    web = site.web()
    before = site.qm_requests("QmAuth")
    statuses = asyncio.run(wrong_logins_at_once(web, ["supervisor2"] * 200))
    assert site.qm_requests("QmAuth") - before <= 5, "the per-user limit held"
    assert statuses.count(401) <= 5 and statuses.count(429) >= 195, Counter(statuses)
    # Many users from one address: the address's own limit holds as well.
    before = site.qm_requests("QmAuth")
    statuses = asyncio.run(wrong_logins_at_once(web, [f"nobody{i}" for i in range(100)]))
    assert site.qm_requests("QmAuth") - before <= 20, "the per-address limit held"
    assert statuses.count(429) >= 80, Counter(statuses)


def test_a_user_name_is_counted_whatever_its_spelling(site: Site) -> None:
    # From five addresses, so that only the user's own count can stop the sixth attempt.
    web = site.web(**TRUST_LOOPBACK, WALLBOARD_LOGIN_FAILURES_PER_USER="5")
    spellings = ("supervisor2", "Supervisor2", " supervisor2", "SUPERVISOR2 ", "supervisor2")
    for i, spelling in enumerate(spellings):
        assert basic_status(web, spelling, "wrong", f"198.51.100.{i + 10}") == 401
    assert basic_status(web, "SuperVisor2", "wrong", "198.51.100.20") == 429


# -- 4: no targeted lockout ------------------------------------------------------------------


def test_an_attacker_cannot_lock_a_supervisor_out_of_their_own_address(site: Site) -> None:
    web = site.web(**TRUST_LOOPBACK, WALLBOARD_LOGIN_FAILURES_PER_USER="8")
    home = "192.0.2.10"
    assert basic_status(web, *SUPERVISOR2, address=home) == 200
    for attacker in ("198.51.100.1", "198.51.100.2"):
        for _ in range(4):
            assert basic_status(web, "supervisor2", "wrong", attacker) == 401
    assert basic_status(web, "supervisor2", "wrong", "198.51.100.3") == 429
    assert basic_status(web, *SUPERVISOR2, address="198.51.100.3") == 429, "even the password"
    # Its owner, at the address they log in from, is not locked out.
    assert basic_status(web, *SUPERVISOR2, address=home) == 200
    for _ in range(4):
        assert basic_status(web, "supervisor2", "wrong", home) == 401
    assert basic_status(web, *SUPERVISOR2, address=home) == 200, "a success clears its count"


# -- 2: body size ----------------------------------------------------------------------------


def raw_http(web: Proc, head: str, chunks: list[bytes]) -> bytes:
    """Send a request by hand and read the answer; stop sending once one has come."""
    with socket.create_connection(("127.0.0.1", web.port or 0), timeout=10) as sock:
        sock.sendall(head.encode())
        sock.settimeout(0.05)
        answer = b""
        for chunk in [b"", *chunks]:
            try:
                sock.sendall(chunk)
                answer += sock.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            if answer:
                break
        sock.settimeout(10)
        while not complete(answer) and (data := sock.recv(65536)):
            answer += data
        return answer


def complete(answer: bytes) -> bool:
    """A whole answer: its head, and as much body as its Content-Length says."""
    head, sep, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    return bool(sep) and len(body) >= (int(length[1]) if length else 0)


def test_bodies_over_the_limit_are_refused_while_read(site: Site) -> None:
    web = site.web()
    declared = (
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 10000000\r\n\r\n"
    )
    answer = raw_http(web, declared, [])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too-large"' in answer, "the error body"
    chunked = (
        "POST /api/actions/pause HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Authorization: Basic ZGVtb3N1cGVydmlzb3I6ZGVtbw==\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * 4096
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece)] * 256  # 1 MiB, never all sent
    answer = raw_http(web, chunked, chunks)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    small = httpx.post(f"{web.url}/api/actions/unpause", json={"agent": "x" * 100}, auth=SUPERVISOR)
    assert small.status_code == 422, "a body under the limit is read as usual"


# -- 3: streams per address ------------------------------------------------------------------


def test_streams_per_address_are_capped(site: Site) -> None:
    web = site.web(WALLBOARD_SSE_PER_ADDRESS="3")
    with httpx.Client(base_url=web.url, timeout=10) as client:
        streams = [client.stream("GET", "/events") for _ in range(3)]
        opened = [s.__enter__() for s in streams]
        try:
            assert all(r.status_code == 200 for r in opened)
            refused = client.get("/events")
            assert refused.status_code == 429 and error_code(refused) == "too-many-streams"
        finally:
            for stream in streams:
                stream.__exit__(None, None, None)

        def reopens() -> bool:
            with client.stream("GET", "/events") as again:
                return again.status_code == 200

        until(reopens, what="a slot given back when a stream closed")


def test_too_many_distinct_views_is_a_clear_503(site: Site) -> None:
    web = site.web(WALLBOARD_MAX_VIEWS="1")
    queue = site.agents[0]["logged_queues"][0]
    with (
        httpx.Client(base_url=web.url, timeout=10) as client,
        client.stream("GET", "/events") as first,
    ):
        assert first.status_code == 200
        other = client.get("/events", params={"queues": queue})
        assert other.status_code == 503 and error_code(other) == "too-many-views"
        with client.stream("GET", "/events") as same:
            assert same.status_code == 200, "the same view is served as before"


# -- 4, 5: privacy by default ----------------------------------------------------------------

TV_AGENT_FIELDS = {
    "agent", "name", "group", "location", "queues", "state", "activity", "pause_code",
    "pause_reason", "state_since", "logon", "alert",
}  # fmt: skip


def test_anonymous_snapshots_hold_what_the_tv_shows_and_no_more(site: Site) -> None:
    web = site.web(WALLBOARD_MASK_CALLERS="true")
    queue = site.agents[0]["logged_queues"][0]
    call = control(site.sim, "POST", "calls", json={"queue": queue, "caller": "5550001234"})
    try:
        anonymous = until(lambda: (s := snapshot(web))["calls"] and s, what="the call")
        assert all(set(a) == TV_AGENT_FIELDS for a in anonymous["agents"])
        assert "5550001234" not in str(anonymous), "the caller is masked"
        assert all("dnis" not in c for c in anonymous["calls"])
        viewer = login(web, VIEWER)
        whole = viewer.get("/api/snapshot").json()
        me = agent_in(whole, site.agents[0]["agent"])
        assert me is not None and {"supervisor", "extension", "server"} <= set(me)
        assert any(c["caller"] == "5550001234" for c in whole["calls"]), "whole for the key"
        viewer.close()
    finally:
        control(site.sim, "DELETE", f"calls/{call['callid']}")


# -- 6, 10, 12, 14: CSRF -------------------------------------------------------------------


def test_page_buttons_refuse_http_basic(site: Site) -> None:
    web = site.web()
    before = site.upstream()
    form = {"agent": site.agents[0]["agent"], "pause_code": "10"}
    for path in ("/supervisor/pause", "/supervisor/unpause"):
        answer = httpx.post(f"{web.url}{path}", data=form, auth=SUPERVISOR)
        assert answer.status_code == 401, answer.text
    answer = httpx.post(
        f"{web.url}/supervisor/broadcast",
        data={"text": "hi", "target": "everyone"},
        auth=SUPERVISOR,
    )
    assert answer.status_code == 401
    assert site.upstream() == before, "nothing went upstream"


def test_logout_from_the_not_allowed_page(site: Site) -> None:
    web = site.web()
    robot = login(web, ROBOT)
    denied = robot.get("/supervisor")
    assert denied.status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', denied.text)
    assert token and token[1], "the page's logout form carries the CSRF token"
    assert robot.post("/logout", data={"csrf": token[1]}).status_code == 303
    assert robot.get("/supervisor").status_code == 303, "logged out"
    robot.close()


def test_logout_needs_the_csrf_token(site: Site) -> None:
    web = site.web()
    client = login(web, VIEWER)
    forged = client.post("/logout", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and error_code(forged) == "bad-csrf-token"
    assert client.get("/supervisor").status_code == 200, "still logged in"
    client.close()


def test_a_non_ascii_csrf_value_is_a_refusal_not_a_crash(site: Site) -> None:
    web = site.web()
    page = httpx.get(f"{web.url}/login")
    form = {"username": "viewer", "password": "viewer", "csrf": "é✓"}
    answer = httpx.post(f"{web.url}/login", data=form, cookies=page.cookies)
    assert answer.status_code == 403 and "expired" in answer.text


# -- 7: restricted broadcasts ----------------------------------------------------------------


def test_restricted_supervisors_message_only_their_agents_and_teams(site: Site) -> None:
    web = site.web(WALLBOARD_ONLY_SUPERVISED="true")
    truth = control(site.sim, "GET", "state")["agents"]
    mine = [a for a in truth if a["supervisor"] == "supervisor2" and a["logged_queues"]]
    theirs = [a for a in truth if a["supervisor"] != "supervisor2" and a["logged_queues"]]
    assert mine and theirs, "the simulator's floor has both"
    others = {a["location"] for a in theirs} - {a["location"] for a in mine}
    refused = [
        {"everyone": True},
        {"queue": mine[0]["logged_queues"][0]},
        {"agent": theirs[0]["agent"]},
        {"supervisor": "demosupervisor"},
        *([{"location": sorted(others)[0]}] if others else []),
    ]
    before = site.upstream()
    for target in refused:
        answer = httpx.post(
            f"{web.url}/api/broadcast", json={"text": "hi", **target}, auth=SUPERVISOR2
        )
        assert answer.status_code == 403 and error_code(answer) == "not-supervised", target
    assert site.upstream() == before
    for target in ({"agent": mine[0]["agent"]}, {"supervisor": "Supervisor2"},
                   {"location": mine[0]["location"]}):  # fmt: skip
        answer = httpx.post(
            f"{web.url}/api/broadcast", json={"text": "hi", **target}, auth=SUPERVISOR2
        )
        assert answer.status_code == 200, (target, answer.text)
    master = httpx.post(
        f"{web.url}/api/broadcast", json={"text": "hi", "everyone": True}, auth=ADMIN
    )
    assert master.status_code == 200, "the master key is not restricted"


# -- 8: sessions follow QueueMetrics -----------------------------------------------------------


def test_sessions_lose_keys_and_users_within_the_auth_cache(site: Site) -> None:
    web = site.web(WALLBOARD_AUTH_CACHE="1")
    client = login(web, SUPERVISOR2)
    token = csrf_of(client)
    body = {"text": "hello", "everyone": True}
    headers = {"X-CSRF-Token": token}
    keys = control(site.sim, "POST", "users/supervisor2", json={})["keys"]
    control(site.sim, "POST", "users/supervisor2", json={"keys": "USER REALTIME"})
    try:
        stripped = client.post("/api/broadcast", json=body, headers=headers)
        assert stripped.status_code == 403, "checked again before the action"
        control(site.sim, "POST", "users/supervisor2", json={"enabled": False})
        until(
            lambda: client.get("/supervisor").status_code == 303,
            what="the disabled user's session ended",
        )
    finally:
        control(site.sim, "POST", "users/supervisor2", json={"enabled": True, "keys": keys})
    client.close()


def test_an_operator_ends_every_session_of_a_user(site: Site) -> None:
    web = site.web()
    httpx.post(f"{web.url}/api/sessions/end", json={"user": "viewer"}, auth=ADMIN)
    first, second = login(web, VIEWER), login(web, VIEWER)
    refused = httpx.post(f"{web.url}/api/sessions/end", json={"user": "viewer"}, auth=SUPERVISOR)
    assert refused.status_code == 403, "the master key only"
    ended = httpx.post(f"{web.url}/api/sessions/end", json={"user": "Viewer"}, auth=ADMIN)
    assert ended.status_code == 200 and ended.json()["result"]["ended"] == 2
    assert first.get("/supervisor").status_code == 303
    assert second.get("/supervisor").status_code == 303
    first.close()
    second.close()


# -- 9: TV tokens ----------------------------------------------------------------------------


def test_only_the_right_token_sets_the_tv_cookie(site: Site) -> None:
    web = site.web(WALLBOARD_TV_TOKEN=TV_TOKEN)
    robot = login(web, ROBOT)  # a QueueMetrics login without the view key
    wrong = robot.get("/wallboard", params={"token": "WRONG"})
    assert wrong.status_code == 401 and "wb_tv" not in wrong.cookies
    assert robot.get("/wallboard").status_code == 401, "a login needs the view key"
    robot.close()
    viewer = login(web, VIEWER)
    assert viewer.get("/wallboard").status_code == 200, "the view key opens it"
    viewer.close()


def test_token_guesses_are_limited_per_address(site: Site) -> None:
    web = site.web(WALLBOARD_TV_TOKEN=TV_TOKEN, WALLBOARD_TOKEN_GUESSES="3")
    url = f"{web.url}/api/snapshot"
    for guess in range(3):
        wrong = httpx.get(url, params={"token": f"guess{guess}"})
        assert wrong.status_code == 401, wrong.text
    limited = httpx.get(url, params={"token": TV_TOKEN})
    assert limited.status_code == 429, "even the right one waits"


def test_a_short_tv_token_stops_the_web_at_start(site: Site) -> None:
    with pytest.raises(Exception, match="128 bits"):
        site.stack.web(WALLBOARD_TV_TOKEN="tv-secret")
    site.stack.procs.pop()


# -- 11: forwarded headers -------------------------------------------------------------------


def test_forwarded_headers_only_from_a_trusted_proxy(site: Site) -> None:
    untrusted = site.web()
    for i in range(20):
        assert basic_status(untrusted, f"ghost{i}", "wrong", f"203.0.113.{i}") == 401
    assert basic_status(untrusted, "ghost99", "wrong", "203.0.113.99") == 429, "one address"
    trusted = site.web(**TRUST_LOOPBACK)
    assert basic_status(trusted, "ghost100", "wrong", "203.0.113.100") == 401, "its own count"
    https = {"X-Forwarded-Proto": "https"}
    secure = httpx.get(f"{trusted.url}/login", headers=https).headers["set-cookie"]
    forged = httpx.get(f"{untrusted.url}/login", headers=https).headers["set-cookie"]
    assert "secure" in secure.lower() and "secure" not in forged.lower()
