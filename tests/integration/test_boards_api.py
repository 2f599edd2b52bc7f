"""Saved boards over the real API: CRUD, optimistic locking, keys, all-or-nothing import,
audit, and a screen that follows its board (real web, poller, simulator and Redis)."""

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

SUPERVISOR = ("demosupervisor", "demo")  # holds the boards key (WALLBOARD_ADD) in the simulator
VIEWER = ("viewer", "viewer")  # the view key only
BOARD = {"title": "Sales floor", "queues": ["300"], "widgets": ["queues", "agents", "clock"]}


@pytest.fixture(scope="module")
def floor(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    """One floor for the module (starting one takes seconds); each test empties the library."""
    prefix = f"t{secrets.token_hex(5)}:"
    with Stack(tmp_path_factory.mktemp("boards"), redis_server.url, prefix=prefix,
               **TEST_PACE) as stack:  # fmt: skip
        stack.env["WALLBOARD_SIM_ROBOT_PASSWORD"] = stack.env["WALLBOARD_QM_PASSWORD"] = "rb-x"
        quiet(stack.simulator())
        stack.poller()
        web = stack.web(WALLBOARD_MAX_BOARDS="3")
        until(lambda: httpx.get(f"{web.url}/readyz").json()["fresh"], 20, "fresh data")
        yield web


@pytest.fixture
def web(floor: Proc) -> Proc:
    emptied = api(floor, "POST", "/api/import", json={"boards": [], "playlists": []})
    assert emptied.status_code == 200, emptied.text
    return floor


def api(web: Proc, method: str, path: str, auth: Any = SUPERVISOR, **kw: Any) -> httpx.Response:
    return httpx.request(method, f"{web.url}{path}", auth=auth, timeout=10, **kw)


def test_create_read_update_delete_with_optimistic_locking(web: Proc) -> None:
    created = api(web, "POST", "/api/boards", json=BOARD)
    assert created.status_code == 201, created.text
    board = created.json()
    assert (board["id"], board["version"], board["updated_by"]) == ("sales-floor", 1,
                                                                     "demosupervisor")  # fmt: skip
    assert api(web, "GET", "/api/boards/sales-floor", auth=VIEWER).json() == board
    changed = api(web, "PUT", "/api/boards/sales-floor", json={**BOARD, "title": "Sales",
                                                               "version": 1})  # fmt: skip
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api(web, "PUT", "/api/boards/sales-floor", json={**BOARD, "title": "Lost",
                                                             "version": 1})  # fmt: skip
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert api(web, "GET", "/api/boards/sales-floor").json()["title"] == "Sales"
    deleted = api(web, "DELETE", "/api/boards/sales-floor")
    assert deleted.status_code == 200 and deleted.json()["title"] == "Sales"
    assert api(web, "GET", "/api/boards/sales-floor").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BOARD, "widgets": ["weather"]}, "widgets"),
        ({**BOARD, "title": ""}, "title"),
        ({**BOARD, "title": "x" * 81}, "title"),
        ({**BOARD, "thresholds": {"*": {"waiting": [6, 3]}}}, "thresholds"),
        ({**BOARD, "sound": "loud"}, "sound"),
    ],
)
def test_bad_boards_are_refused_with_the_field(web: Proc, body: dict[str, Any], field: str) -> None:
    answer = api(web, "POST", "/api/boards", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith(f"{field}:")
    assert api(web, "GET", "/api/boards").json()["boards"] == []


def test_id_taken_and_too_many_boards(web: Proc) -> None:
    assert api(web, "POST", "/api/boards", json=BOARD).status_code == 201
    taken = api(web, "POST", "/api/boards", json=BOARD)
    assert taken.status_code == 422 and "id:" in taken.json()["error"]["message"]
    for title in ("Two", "Three"):
        assert api(web, "POST", "/api/boards", json={"title": title}).status_code == 201
    full = api(web, "POST", "/api/boards", json={"title": "Four"})
    assert full.status_code == 422 and "at most 3" in full.json()["error"]["message"]


def test_keys_and_order_of_checks(web: Proc) -> None:
    assert api(web, "POST", "/api/boards", auth=None, json=BOARD).status_code == 401
    assert api(web, "POST", "/api/boards", auth=VIEWER, json=BOARD).status_code == 403
    wrong_type = api(web, "POST", "/api/boards", content=b"{}",
                     headers={"Content-Type": "text/plain"})  # fmt: skip
    assert wrong_type.status_code == 415
    bad_json = api(web, "POST", "/api/boards", content=b"{nope",
                   headers={"Content-Type": "application/json"})  # fmt: skip
    assert bad_json.status_code == 400
    assert api(web, "GET", "/api/boards", auth=None).status_code == 401
    assert api(web, "GET", "/api/boards", auth=VIEWER).status_code == 200


def test_import_is_all_or_nothing_and_export_round_trips(web: Proc) -> None:
    assert api(web, "POST", "/api/boards", json=BOARD).status_code == 201
    bad = {"boards": [{"title": "Good"}, {"title": "Bad", "widgets": ["x"]}], "playlists": []}
    refused = api(web, "POST", "/api/import", json=bad)
    assert refused.status_code == 422 and "boards[1].widgets" in refused.json()["error"]["message"]
    assert [b["id"] for b in api(web, "GET", "/api/boards").json()["boards"]] == ["sales-floor"]
    good = {
        "boards": [{"title": "One"}, {"title": "Two"}],
        "playlists": [{"title": "Both", "boards": ["one", "two"], "seconds": 10}],
    }
    imported = api(web, "POST", "/api/import", json=good).json()["imported"]
    assert imported == {"boards": 2, "playlists": 1}
    exported = api(web, "GET", "/api/export").json()
    assert [b["id"] for b in exported["boards"]] == ["one", "two"]
    assert exported["playlists"][0]["boards"] == ["one", "two"]
    in_use = api(web, "DELETE", "/api/boards/one")
    assert in_use.status_code == 409


def test_changes_are_audited(web: Proc) -> None:
    api(web, "POST", "/api/boards", json=BOARD)
    api(web, "PUT", "/api/boards/sales-floor", json={**BOARD, "version": 1})
    api(web, "DELETE", "/api/boards/sales-floor")
    entries = api(web, "GET", "/api/audit").json()["entries"]
    done = [(e["action"], e["target"], e["user"]) for e in entries if e["action"].startswith("b")]
    assert done[:3] == [("board.delete", "sales-floor", "demosupervisor"),
                        ("board.update", "sales-floor", "demosupervisor"),
                        ("board.create", "sales-floor", "demosupervisor")]  # fmt: skip


def test_snapshot_of_a_board_is_what_it_shows(web: Proc) -> None:
    api(web, "POST", "/api/boards", json=BOARD)
    until(lambda: httpx.get(f"{web.url}/api/snapshot", params={"board": "sales-floor"}
                            ).status_code == 200, 10, "the board known to the web")  # fmt: skip
    snap = httpx.get(f"{web.url}/api/snapshot", params={"board": "sales-floor"}).json()
    assert {q["queue"] for q in snap["queues"]} == {"300"}
    assert all("300" in a["queues"] for a in snap["agents"])
    assert all(c["queue"] == "300" for c in snap["calls"])
    missing = httpx.get(f"{web.url}/api/snapshot", params={"board": "nope"})
    assert missing.status_code == 404


def test_a_board_of_queues_that_are_gone_says_so(web: Proc) -> None:
    board = {"title": "Gone", "queues": ["300", "999"], "widgets": ["queues"]}
    assert api(web, "POST", "/api/boards", json=board).status_code == 201
    page = until(lambda: (r := httpx.get(f"{web.url}/boards/gone", timeout=10)).status_code == 200
                 and r.text, 10, "the board's page")  # fmt: skip
    assert "Not in QueueMetrics now: 999" in page
    assert "300" not in page.split("Not in QueueMetrics now:")[1].split("<")[0]
