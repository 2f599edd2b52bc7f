"""The simulator's QmStats: both raw call blocks from its own day, in both formats."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette

from wallboard.simulator import create_app
from wallboard.simulator.callcenter import CallCenter
from wallboard.simulator.config import Config

from .support import ROBOT, TestClient, manual_center

STATS = "/queuemetrics/QmStats/jsonStatsApi.do"
OK, KO = "DetailsDO.CallsOkRaw", "DetailsDO.CallsKoRaw"
BLOCKS = [("block", OK), ("block", KO)]


def noon_app(**knobs: Any) -> tuple[Starlette, CallCenter, float]:
    """A hand-driven center moved to the next UTC noon, so no test straddles a midnight."""
    app = create_app(manual_center(), Config(**knobs))
    sim = app.state.sim
    now = sim.now()
    sim.jump(43200 - now % 86400 + (86400 if now % 86400 > 43200 else 0))
    center = sim.center
    center.logon("agent/101", t=center.time - 3000)
    return app, center, center.time


def date(t: float, zone: str = "UTC") -> str:
    return datetime.fromtimestamp(t, ZoneInfo(zone)).strftime("%Y-%m-%d.%H:%M:%S")


def answered_call(c: CallCenter, queue: str, entered: float, wait: float, talk: float) -> str:
    callid = c.add_call(queue, t=entered, caller="5551234")
    c.answer_call(callid, "agent/101", t=entered + wait)
    c.end_call(callid, t=entered + wait + talk)
    return callid


def lost_call(c: CallCenter, queue: str, entered: float, wait: float) -> str:
    callid = c.add_call(queue, t=entered, caller="5559999")
    c.end_call(callid, t=entered + wait)
    return callid


def ask(client: TestClient, start: float, end: float, queues: str = "300|301", **kw: Any) -> Any:
    params = [("queues", queues), ("from", date(start)), ("to", date(end)), *BLOCKS]
    params += list(kw.items())
    r = client.post(STATS, data=dict(params[:3]), params=params[3:], auth=ROBOT)
    assert r.status_code == 200
    return r.json()


def rows(answer: dict[str, Any], block: str) -> list[dict[str, str]]:
    data = answer[block]
    if data and isinstance(data[0], list):
        return [dict(zip(data[0], r, strict=True)) for r in data[1:]]
    return list(data)


def status(answer: dict[str, Any]) -> dict[str, Any]:
    result = answer["result"]
    return result if isinstance(result, dict) else dict(result)


@pytest.mark.parametrize("fmt", ["classic", "simple"])
def test_both_blocks_with_the_confirmed_columns(fmt: str) -> None:
    app, c, now = noon_app()
    ok_id = answered_call(c, "300", now - 600, 12, 90)
    ko_id = lost_call(c, "301", now - 500, 7)
    with TestClient(app) as client:
        extra = {"jsonFormat": "simple"} if fmt == "simple" else {}
        answer = ask(client, now - 3600, now + 3600, **extra)
    assert status(answer)["Status"] == "OK"
    if fmt == "classic":
        assert isinstance(answer[OK][0], list) and answer[OK][0][0].startswith("CALLOK_")
    (ok,) = rows(answer, OK)
    (ko,) = rows(answer, KO)
    assert ok["CALLOK_callid"] == ok_id and ok["CALLOK_queue"] == "300"
    assert ok["CALLOK_waitLen"] == "12" and ok["CALLOK_callLen"] == "90"
    assert int(ok["CALLOK_tstEnter"]) == int(now - 600)
    assert int(ok["CALLOK_tstEnd"]) == int(now - 600) + 102
    assert ok["CALLOK_agent"] == "agent/101" and ok["CALLOK_from"] == "5551234"
    assert ok["CALLOK_reason"] in ("A", "C")
    assert ko["CALLKO_callid"] == ko_id and ko["CALLKO_waitLen"] == "7"
    assert ko["CALLKO_reason"] == "A"
    assert {"CALLKO_agentOut", "CALLKO_dnis", "CALLKO_events"} <= set(ko)


def test_window_and_queue_filter() -> None:
    app, c, now = noon_app()
    early = answered_call(c, "300", now - 4000, 10, 50)  # all of it before `from`
    straddling = answered_call(c, "300", now - 2030, 10, 60)  # entered before, ended inside
    inside = lost_call(c, "300", now - 1000, 30)
    other = lost_call(c, "302", now - 900, 30)
    c.add_call("300", t=now - 100)  # still waiting: not a completed call
    with TestClient(app) as client:
        answer = ask(client, now - 2000, now - 10)
        ids = {r["CALLOK_callid"]: r for r in rows(answer, OK)}
        assert set(ids) == {straddling}
        assert ids[straddling]["CALLOK_from"] == "", "the caller id is lost outside the window"
        assert [r["CALLKO_callid"] for r in rows(answer, KO)] == [inside]
        # A `to` before the call's end: the report sees no completed call.
        assert rows(ask(client, now - 1010, now - 980), KO) == []
        everything = ask(client, now - 5000, now, queues="300|302")
        assert {r["CALLOK_callid"] for r in rows(everything, OK)} == {early, straddling}
        assert {r["CALLKO_callid"] for r in rows(everything, KO)} == {inside, other}
        # "*" is not confirmed for QmStats: by default it names no queue.
        assert rows(ask(client, now - 5000, now, queues="*"), KO) == []


def test_star_knob_selects_every_queue() -> None:
    app, c, now = noon_app(stats_star_all=True)
    lost_call(c, "302", now - 900, 30)
    with TestClient(app) as client:
        assert len(rows(ask(client, now - 5000, now, queues="*"), KO)) == 1


def test_multi_stint_call_gives_a_row_per_queue() -> None:
    app, c, now = noon_app()
    callid = c.add_call("300", t=now - 700)
    c.answer_call(callid, "agent/101", t=now - 690)
    c.transfer_call(callid, "301", t=now - 600)
    c.answer_call(callid, "agent/101", t=now - 580)
    c.end_call(callid, t=now - 500)
    with TestClient(app) as client:
        found = rows(ask(client, now - 3600, now), OK)
    stints = {(r["CALLOK_queue"], r["CALLOK_waitLen"], r["CALLOK_reason"]) for r in found}
    assert {r["CALLOK_callid"] for r in found} == {callid}
    assert stints == {("300", "10", "X"), ("301", "20", stints_reason(found, "301"))}


def stints_reason(found: list[dict[str, str]], queue: str) -> str:
    return next(r["CALLOK_reason"] for r in found if r["CALLOK_queue"] == queue)


def test_inferred_columns_are_switchable() -> None:
    app, c, now = noon_app(stats_tst_enter=False, stats_start_means="answer")
    answered_call(c, "300", now - 600, 12, 90)
    with TestClient(app) as client:
        (ok,) = rows(ask(client, now - 3600, now), OK)
    assert "CALLOK_tstEnter" not in ok
    assert int(ok["CALLOK_tstStart"]) == int(now - 600 + 12)


def test_dates_are_read_in_the_configured_time_zone() -> None:
    app, c, now = noon_app(time_zone="America/New_York")
    lost_call(c, "300", now - 600, 20)
    with TestClient(app) as client:
        params = [("queues", "300"), *BLOCKS]
        window_ny = {
            "from": date(now - 3600, "America/New_York"),
            "to": date(now, "America/New_York"),
        }
        window_utc = {"from": date(now - 3600), "to": date(now)}
        found = client.post(STATS, data=window_ny, params=params, auth=ROBOT).json()
        missed = client.post(STATS, data=window_utc, params=params, auth=ROBOT).json()
    assert len(rows(found, KO)) == 1
    assert rows(missed, KO) == []


def test_elapsed_time_grows_with_the_window() -> None:
    app, c, now = noon_app(stats_ms_base=5.0, stats_ms_per_call=10.0)
    for i in range(20):
        lost_call(c, "300", now - 3000 + i * 100, 30)
    with TestClient(app) as client:
        small = status(ask(client, now - 250, now))["Time elapsed (ms)"]
        large = status(ask(client, now - 3600, now))["Time elapsed (ms)"]
    assert isinstance(large, int)
    assert large >= small + 150


@pytest.mark.parametrize(
    "params, words",
    [
        ([("queues", "300"), ("to", "2024-01-01.00:00:00"), *BLOCKS], "mandatory"),
        ([("queues", "300"), ("from", "2024-01-01 00:00"), ("to", "x"), *BLOCKS], "Invalid date"),
        ([("from", "2024-01-01.00:00:00"), ("to", "2024-01-02.00:00:00"), *BLOCKS], "queues"),
        (
            [("queues", "300"), ("from", "2024-01-01.00:00:00"), ("to", "2024-01-02.00:00:00"),
             ("block", "DetailsDO.Nope")],
            "Unknown block",
        ),
    ],
)  # fmt: skip
def test_bad_parameters_fail_in_result(params: Any, words: str) -> None:
    with TestClient(create_app(manual_center(), Config())) as client:
        answer = client.get(STATS, params=params, auth=ROBOT).json()
    assert status(answer)["Status"] != "OK"
    assert words in status(answer)["Description"]


def test_needs_the_robot_key() -> None:
    with TestClient(create_app(manual_center(), Config())) as client:
        r = client.get(STATS, params=[("queues", "300")], auth=("viewer", "viewer"))
    assert r.status_code == 403
