"""Display links over real processes (web, poller, simulator, Redis), the TV token set: a link
opens its board's page, stream and snapshot and nothing else; it is listed without its token;
revoking it locks its screens and ends their open streams within 5 s; keys and audit."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.drive import quiet
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.processes import EmbeddedRedis

SUPERVISOR = ("demosupervisor", "demo")  # holds the boards key (WALLBOARD_ADD) in the simulator
VIEWER = ("viewer", "viewer")  # the view key only
BOARDS = [{"title": "Sales", "queues": ["300"]}, {"title": "Support", "queues": ["301"]}]
PLAYLIST = {"title": "Both", "boards": ["sales", "support"], "seconds": 10}
REVOKED_WITHIN_S = 5.0
# What a link of "sales" does not open: another board, the classic pages, the whole floor.
ELSEWHERE = [("/boards/support", {}), ("/api/snapshot", {"board": "support"}),
             ("/events", {"board": "support"}), ("/wallboard", {}), ("/api/snapshot", {}),
             ("/events", {})]  # fmt: skip


@pytest.fixture(scope="module")
def web(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    prefix = f"t{secrets.token_hex(5)}:"
    # The test pace (tests.harness.TEST_PACE), spelled out so that its types are the env's.
    with Stack(tmp_path_factory.mktemp("links"), redis_server.url, prefix=prefix,
               WALLBOARD_POLL_INTERVAL="0.5", WALLBOARD_KEEPALIVE="2") as stack:  # fmt: skip
        stack.env["WALLBOARD_SIM_ROBOT_PASSWORD"] = stack.env["WALLBOARD_QM_PASSWORD"] = "rb-x"
        quiet(stack.simulator())
        stack.poller()
        web = stack.web(WALLBOARD_TV_TOKEN=secrets.token_urlsafe(24))
        until(lambda: httpx.get(f"{web.url}/readyz").json()["fresh"], 20, "fresh data")
        imported = api(web, "POST", "/api/import", json={"boards": BOARDS, "playlists": [PLAYLIST]})
        assert imported.status_code == 200, imported.text
        # Known to the web once a board's page asks for a token rather than answering 404.
        until(lambda: httpx.get(f"{web.url}/boards/support").status_code == 401, 10, "boards")
        yield web


def api(web: Proc, method: str, path: str, auth: Any = SUPERVISOR, **kw: Any) -> httpx.Response:
    return httpx.request(method, f"{web.url}{path}", auth=auth, timeout=10, **kw)


@contextmanager
def opened(web: Proc, board: str = "sales") -> Iterator[tuple[httpx.Client, dict[str, Any]]]:
    """A new link of ``board``, opened by a new TV (a client with its own cookies)."""
    made = api(web, "POST", f"/api/boards/{board}/links")
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["url"].startswith(f"{web.url}/boards/{board}?token=")
    with httpx.Client(base_url=web.url, timeout=10) as tv:
        first = tv.get(link["url"])
        assert first.status_code == 303 and first.headers["location"] == f"/boards/{board}"
        yield tv, link


def test_a_link_opens_its_board_and_only_it(web: Proc) -> None:
    with opened(web) as (tv, link):
        token = httpx.URL(link["url"]).params["token"]
        assert len(token) >= 43 and token not in tv.cookies[f"wb_link_{link['board']}"]
        assert tv.get("/boards/sales").status_code == 200
        assert tv.get("/api/snapshot", params={"board": "sales"}).status_code == 200
        with tv.stream("GET", "/events", params={"board": "sales"}) as stream:
            assert stream.status_code == 200
        for path, params in ELSEWHERE:
            assert tv.get(path, params=params).status_code == 401, path
        assert tv.get("/supervisor").headers["location"].startswith("/login")
        # Nor does the token itself open another board, or the playlist page of one.
        for path in ("/boards/support", "/playlists/both", "/wallboard"):
            other = httpx.get(f"{web.url}{path}", params={"token": token})
            assert other.status_code == 401 and not other.cookies, path


def test_links_are_listed_without_their_tokens(web: Proc) -> None:
    with opened(web, "support") as (_, link):
        listed = api(web, "GET", "/api/boards/support/links").json()["links"]
        mine = next(k for k in listed if k["id"] == link["id"])
        assert mine == {"id": link["id"], "board": "support", "created_by": "demosupervisor",
                        "created_at": link["created_at"]}  # fmt: skip
        assert api(web, "GET", "/api/boards/sales/links").json()["links"] != listed


def test_revoking_locks_the_screens_and_ends_their_streams(web: Proc) -> None:
    with opened(web) as (tv, link):
        with tv.stream("GET", "/events", params={"board": "sales"}) as stream:
            chunks = stream.iter_text()
            assert "queues" in next(chunks)  # the first event: the whole board
            revoked = api(web, "DELETE", f"/api/boards/sales/links/{link['id']}")
            assert revoked.status_code == 200 and revoked.json()["id"] == link["id"]
            started = time.monotonic()
            rest = "".join(chunks)  # until the web ends the stream
            took = time.monotonic() - started
        assert took < REVOKED_WITHIN_S and "Link revoked" in rest
        page = tv.get("/boards/sales")
        assert page.status_code == 401 and "revoked" in page.text
        assert tv.get("/events", params={"board": "sales"}).status_code == 401
        assert tv.get("/api/snapshot", params={"board": "sales"}).status_code == 401
        again = api(web, "DELETE", f"/api/boards/sales/links/{link['id']}")
        assert again.status_code == 404


def test_keys_and_audit(web: Proc) -> None:
    assert api(web, "POST", "/api/boards/sales/links", auth=None).status_code == 401
    assert api(web, "POST", "/api/boards/sales/links", auth=VIEWER).status_code == 403
    assert api(web, "GET", "/api/boards/sales/links", auth=VIEWER).status_code == 403
    assert api(web, "POST", "/api/boards/nope/links").status_code == 404
    with opened(web) as (_, link):
        api(web, "DELETE", f"/api/boards/sales/links/{link['id']}")
        entries = api(web, "GET", "/api/audit").json()["entries"]
        done = [(e["action"], e["target"], e.get("link")) for e in entries if "link" in e]
        assert done[:2] == [
            ("link.revoke", "sales", link["id"]),
            ("link.create", "sales", link["id"]),
        ]
