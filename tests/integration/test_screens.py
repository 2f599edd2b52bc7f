"""Screens with real processes and two web replicas: a TV paired, steered and listed from the
other replica than the one holding its stream; bad input changes nothing."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis

from tests.drive import quiet
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.store.keys import Keys
from wallboard.web.screen_id import COOKIE

SUPERVISOR = ("demosupervisor", "demo")
VIEWER = ("viewer", "viewer")
CODE = re.compile(r'<p class="code"[^>]*>([A-Z0-9]{6})</p>')


class TV:
    """A TV: its own cookie jar, and the events of the stream it holds, in a thread."""

    def __init__(self, web: Proc) -> None:
        self.web = web
        self.http = httpx.Client(base_url=web.url, timeout=10, follow_redirects=False)
        self.events: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def code(self) -> str:
        page = self.http.get("/tv")
        assert page.status_code == 200, page.status_code
        found = CODE.search(page.text)
        assert found, page.text[:500]
        return found[1]

    def listen(self, path: str) -> None:
        cookies = dict(self.http.cookies)
        self.thread = threading.Thread(target=self._read, args=(path, cookies), daemon=True)
        self.thread.start()

    def _read(self, path: str, cookies: dict[str, str]) -> None:
        url = f"{self.web.url}/events?{path}"
        timeout = httpx.Timeout(10, read=30)
        with httpx.stream("GET", url, cookies=cookies, timeout=timeout) as response:
            buffer = ""
            for chunk in response.iter_text():
                buffer += chunk.replace("\r\n", "\n")
                while "\n\n" in buffer:
                    event, buffer = buffer.split("\n\n", 1)
                    self.events.put(event)
                if self.stop.is_set():
                    return

    def wait_for(self, *needles: str, what: str) -> str:
        def match() -> str | None:
            try:
                event = self.events.get(timeout=0.2)
            except queue.Empty:
                return None
            return event if all(n in event for n in needles) else None

        found: str = until(match, timeout=5, what=what)  # the bound: within 5 s
        return found

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(15)
        self.http.close()


@dataclass
class Site:
    webs: list[Proc]
    redis_url: str
    prefix: str

    def api(self, web: int, method: str, path: str, auth: Any = SUPERVISOR, **kw: Any) -> Any:
        return httpx.request(method, f"{self.webs[web].url}{path}", auth=auth, timeout=10, **kw)


@pytest.fixture
def site(stack: Stack) -> Iterator[Site]:
    quiet(stack.simulator())
    stack.poller()
    webs = [stack.web(), stack.web()]
    made = [
        httpx.post(f"{webs[0].url}/api/boards", auth=SUPERVISOR, timeout=10, json=board)
        for board in (
            {"id": "sales", "title": "Sales", "queues": ["300"], "widgets": ["queues", "agents"]},
            {"id": "support", "title": "Support", "queues": ["301"], "widgets": ["queues"]},
        )
    ]
    assert all(r.status_code == 201 for r in made), [r.text for r in made]
    yield Site(webs, stack.env["WALLBOARD_REDIS_URL"], stack.prefix)


def screens(site: Site, web: int = 1) -> list[dict[str, Any]]:
    answer = site.api(web, "GET", "/api/screens")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["screens"]
    return found


def test_a_tv_paired_and_steered_from_the_other_replica(site: Site) -> None:
    tv = TV(site.webs[0])
    try:
        code = tv.code()
        assert not set(code) & set("0O1IL2Z5S8B"), "no character that reads as another"
        assert tv.code() == code, "the same screen keeps its code while it lasts"
        ttl = redis.Redis.from_url(site.redis_url).ttl(Keys(site.prefix).pairing(code))
        assert 0 < ttl <= 900, "a code lasts 15 minutes"

        body = {"code": code.lower(), "name": "Sales, left", "board": "sales"}
        paired = site.api(1, "POST", "/api/screens/pair", json=body)
        assert paired.status_code == 200, paired.text
        again = site.api(1, "POST", "/api/screens/pair", json=body)
        assert again.status_code == 404 and "used already" in again.text, "a code is used once"

        shown = tv.http.get("/tv")
        assert (shown.status_code, shown.headers["location"]) == (303, "/boards/sales")
        until(lambda: tv.http.get("/boards/sales").status_code == 200, what="the board served")
        tv.listen("board=sales")
        tv.wait_for('id="queues"', what="the board's first refresh")
        ident = next(s["id"] for s in screens(site) if s["name"] == "Sales, left")
        until(lambda: next(s for s in screens(site) if s["id"] == ident)["connected"])

        assert site.api(1, "POST", f"/api/screens/{ident}/identify").status_code == 200
        tv.wait_for('id="screen-command"', 'data-command="identify"', 'data-name="Sales, left"',
                    what="identify reaches the screen")  # fmt: skip
        assert site.api(1, "POST", f"/api/screens/{ident}/reload").status_code == 200
        tv.wait_for('data-command="reload"', what="reload reaches the screen")
        assigned = site.api(1, "POST", f"/api/screens/{ident}/assign", json={"board": "support"})
        assert assigned.status_code == 200, assigned.text
        tv.wait_for('data-command="assign"', what="the new assignment reaches the screen")
        assert tv.http.get("/tv").headers["location"] == "/boards/support"
        renamed = site.api(1, "POST", f"/api/screens/{ident}/rename", json={"name": "Support"})
        assert renamed.json()["screen"]["name"] == "Support"

        listed = next(s for s in screens(site) if s["id"] == ident)
        assert listed["target"] == "/boards/support" and listed["address"] == "127.0.0.1"
        assert listed["user_agent"].startswith("python-httpx")
        until(lambda: next(s for s in screens(site) if s["id"] == ident)["events"] > 0,
              timeout=15, what="the events the screen received")  # fmt: skip
        metrics = httpx.get(f"{site.webs[1].url}/metrics", timeout=10).text
        assert re.search(r"^wallboard_screens_connected 1\.0$", metrics, re.M), metrics[-2000:]

        audit = site.api(1, "GET", "/api/audit").json()["entries"]
        done = [e["action"] for e in audit if e["action"].startswith("screen-")]
        assert done[:5] == ["screen-rename", "screen-assign", "screen-reload",
                            "screen-identify", "screen-pair"]  # fmt: skip
    finally:
        tv.close()
    until(lambda: not next(s for s in screens(site) if s["id"] == ident)["connected"],
          timeout=20, what="the screen no longer connected")  # fmt: skip

    assert site.api(0, "DELETE", f"/api/screens/{ident}").status_code == 200
    assert all(s["id"] != ident for s in screens(site))


def test_bad_input_is_refused_and_changes_nothing(site: Site) -> None:
    tv = TV(site.webs[0])
    try:
        code = tv.code()
        ident = screens(site)[0]["id"]
        refused = [
            ("POST", "/api/screens/pair", {"code": code, "board": "nope"}, 404, "no board"),
            ("POST", "/api/screens/pair", {"code": code, "url": "https://evil.example/"}, 422,
             "/wallboard"),
            ("POST", "/api/screens/pair", {"code": code, "url": "/wallboard?x=1"}, 422, "unknown"),
            ("POST", "/api/screens/pair", {"code": code, "board": "sales", "playlist": "p"}, 422,
             "one of"),
            ("POST", f"/api/screens/{ident}/assign", {"playlist": "nope"}, 404, "no playlist"),
            ("POST", "/api/screens/nobody/reload", None, 404, "no screen"),
            ("POST", f"/api/screens/{ident}/rename", {"name": ""}, 422, "name"),
            ("POST", f"/api/screens/{ident}/rename", {"name": "x" * 61}, 422, "name"),
        ]  # fmt: skip
        for method, path, body, status, reason in refused:
            answer = site.api(1, method, path, json=body)
            assert answer.status_code == status, (path, body, answer.text)
            assert reason in answer.json()["error"]["message"], (path, answer.text)
        assert site.api(1, "POST", f"/api/screens/{ident}/reload", auth=VIEWER).status_code == 403
        assert site.api(1, "POST", f"/api/screens/{ident}/reload", auth=None).status_code == 401
        assert site.api(1, "GET", "/api/screens", auth=None).status_code == 401
        assert [s["target"] for s in screens(site)] == [""], "nothing was assigned"

        for n in range(10):
            wrong = site.api(1, "POST", "/api/screens/pair", json={"code": f"XXXXX{n}"})
            assert wrong.status_code == 404, wrong.text
        limited = site.api(1, "POST", "/api/screens/pair", json={"code": code, "board": "sales"})
        assert limited.status_code == 429, "guessing codes is rate-limited"
        assert tv.code() == code, "the right code is still unused"

        tampered = httpx.get(
            f"{site.webs[0].url}/tv", cookies={COOKIE: f"{ident}.0000"}, timeout=10
        )
        assert tampered.status_code == 200 and CODE.search(tampered.text)
        assert CODE.search(tampered.text)[1] != code, "a tampered cookie is a new screen"  # type: ignore[index]
        assert tampered.cookies[COOKIE].split(".")[0] != ident, "its cookie is replaced"
    finally:
        tv.close()
