"""The wire format, checked against the RtAgentsRaw example printed in Loway's guide."""

from __future__ import annotations

import dataclasses

from tests.fixtures import GUIDE_CLASSIC
from wallboard.simulator import wire
from wallboard.simulator.callcenter import Agent, CallCenter, Queue
from wallboard.simulator.config import Config

from .support import manual_center

GUIDE_SIMPLE_AGENT_101 = {
    "ACB_serverId": "", "ACB_onPause": "", "ACB_queue": "300", "ACB_logon": "1689601183",
    "ACB_curPauseCode": "", "ACB_lstCallQueue": "", "ACB_lstCallivr": "",
    "ACB_agent": "agent/101", "ACB_freeSincePauOrCallTst": "0", "ACB_lstCallCaller": "",
    "ACB_pausesess": "", "ACB_lstCallWaitLen": "", "ACB_curPauseTst": "0", "ACB_extension": "",
    "ACB_obPauseList": "", "ACB_lstCallTst": "", "ACB_lstCallLen": "", "ACB_pausetime": "",
    "ACB_inCurrStatusSinceTst": "1689601183",
}  # fmt: skip


def guide_center() -> CallCenter:
    """Two agents who just logged on to queue 300, as in the guide's sample."""
    c = CallCenter(
        [Queue("300", "Queue 300", 0.0, 0.0)],
        [Agent("agent/101", "A", queues=["300"]), Agent("agent/102", "B", queues=["300"])],
        start=1689601190.0,
        auto=False,
    )
    c.logon("Agent/101", t=1689601183.0, extension="")
    c.logon("agent/102", t=1689601176.0, extension="")
    return c


def guide_config() -> Config:
    return Config(qm_version="beta1")


def test_classic_rendering_reproduces_the_guide() -> None:
    cfg = guide_config()
    blocks, error = wire.realtime(guide_center(), ["RealtimeDO.RtAgentsRaw"], {"300"}, "", False,
                                  cfg)  # fmt: skip
    assert error is None
    answer = {"result": wire.result(cfg, 14, False), **blocks}
    assert answer == GUIDE_CLASSIC
    assert list(answer) == list(GUIDE_CLASSIC)


def test_simple_rendering_reproduces_the_guide() -> None:
    cfg = guide_config()
    blocks, _ = wire.realtime(guide_center(), ["RealtimeDO.RtAgentsRaw"], None, "", True, cfg)
    result = wire.result(cfg, 12, True)
    assert result == {"Status": "OK", "QM Version": "beta1", "Description": "",
                      "Time elapsed (ms)": 12}  # fmt: skip
    rows = blocks["RealtimeDO.RtAgentsRaw"]
    assert isinstance(rows, list) and len(rows) == 2
    assert rows[0] == GUIDE_SIMPLE_AGENT_101
    second = {"ACB_agent": "agent/102", "ACB_logon": "1689601176",
              "ACB_inCurrStatusSinceTst": "1689601176"}  # fmt: skip
    assert rows[1] == {**GUIDE_SIMPLE_AGENT_101, **second}


def test_every_data_cell_is_a_string() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.logon("agent/101")
    c.pause("agent/101", "03", t=1_700_000_010.0)
    callid = c.add_call("300")
    c.logon("agent/102")
    c.answer_call(callid, "agent/102", t=1_700_000_020.0)
    c.add_call("301")
    for simple in (False, True):
        blocks, _ = wire.realtime(c, ["RealtimeDO.RtAgentsRaw", "RealtimeDO.RtCallsRaw"], None, "",
                                  simple, Config())  # fmt: skip
        for rows in blocks.values():
            assert isinstance(rows, list)
            for row in rows:
                cells = row.values() if isinstance(row, dict) else row
                assert all(isinstance(cell, str) for cell in cells)


def test_calls_rows_waiting_and_talking() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.logon("agent/101")
    talking = c.add_call("300", t=1_700_000_001.0, caller="5551234")
    c.answer_call(talking, "agent/101", t=1_700_000_005.0)
    waiting = c.add_call("301", t=1_700_000_007.0, caller="anonymous")
    records = wire.call_records(c, None, "", Config())
    assert records == [
        {"RT_queue": "300", "RT_callid": talking, "RT_entered": "1700000001",
         "RT_answered": "1700000005", "RT_stint": "1", "RT_agent": "agent/101",
         "RT_caller": "5551234", "RT_url": "", "RT_dnis": "8005550300", "RT_serverId": ""},
        {"RT_queue": "301", "RT_callid": waiting, "RT_entered": "1700000007",
         "RT_answered": "0", "RT_stint": "1", "RT_agent": "", "RT_caller": "anonymous",
         "RT_url": "", "RT_dnis": "8005550301", "RT_serverId": ""},
    ]  # fmt: skip
    table = wire.table(Config().calls_columns, records, False, Config())
    assert table[0] == ["RT_queue", "RT_callid", "RT_entered", "RT_answered", "RT_stint",
                        "RT_agent", "RT_caller", "RT_url", "RT_dnis", "RT_serverId"]  # fmt: skip


def test_paused_agent_row_and_onpause_formats() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.logon("agent/101", t=1_700_000_000.0)
    c.pause("agent/101", "10", t=1_700_000_030.0)
    row = wire.agent_records(c, None, "", Config())[0]
    assert row["ACB_queue"] == "300:301"
    assert row["ACB_extension"] == "SIP/201"
    assert (row["ACB_curPauseCode"], row["ACB_curPauseTst"]) == ("10", "1700000030")
    assert row["ACB_onPause"] == ""
    assert row["ACB_inCurrStatusSinceTst"] == "1700000030"
    tst = wire.agent_records(c, None, "", Config(onpause_format="tst"))[0]
    assert tst["ACB_onPause"] == "1700000030"
    assert wire.agent_records(c, None, "", Config(onpause_format="flag"))[0]["ACB_onPause"] == "1"


def test_joined_or_per_queue_rows_and_queue_selection() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.logon("agent/101")
    joined = wire.agent_records(c, None, "", Config())
    assert [r["ACB_queue"] for r in joined] == ["300:301"]
    per_queue = wire.agent_records(c, None, "", Config(agent_rows="per_queue"))
    assert [r["ACB_queue"] for r in per_queue] == ["300", "301"]
    assert [r["ACB_queue"] for r in wire.agent_records(c, {"301"}, "", Config())] == ["301"]
    assert wire.agent_records(c, {"302"}, "", Config()) == []


def test_clock_offset_shifts_every_timestamp_but_not_unset_ones() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.logon("agent/101", t=1_700_000_000.0)
    callid = c.add_call("300", t=1_700_000_010.0)
    cfg = Config(clock_offset_s=-3600)
    agent = wire.agent_records(c, None, "", cfg)[0]
    assert agent["ACB_logon"] == "1699996400"
    assert agent["ACB_curPauseTst"] == "0" and agent["ACB_freeSincePauOrCallTst"] == "0"
    call = wire.call_records(c, None, "", cfg)[0]
    assert (call["RT_callid"], call["RT_entered"], call["RT_answered"]) == (
        callid, "1699996410", "0")  # fmt: skip


def test_block_names_prefix_any_case_rest_exact() -> None:
    assert wire.realtime_block("RealtimeDO.RtAgentsRaw") == "RtAgentsRaw"
    assert wire.realtime_block("RealTimeDO.RtCallsRaw") == "RtCallsRaw"
    assert wire.realtime_block("realtimedo.RtCallsRaw") == "RtCallsRaw"
    assert wire.realtime_block("RealtimeDO.rtcallsraw") is None
    assert wire.realtime_block("OkDO.RtCallsRaw") is None


def test_quirks_change_titles_cells_and_order() -> None:
    records = [{"A_x": "1", "A_y": ""}]
    base = Config()
    assert wire.table(["A_x", "A_y"], records, False, base) == [["A_x", "A_y"], ["1", ""]]
    nbsp = dataclasses.replace(base, empty_cell="&nbsp;")
    assert wire.table(["A_x", "A_y"], records, False, nbsp)[1] == ["1", "&nbsp;"]
    dirty = wire.table(["A_x", "A_y"], records, False, dataclasses.replace(base, dirty_titles=True))
    assert [t.replace("&nbsp;", "").strip() for t in dirty[0]] == ["A_x", "A_y"]
    assert dirty[0] != ["A_x", "A_y"]
    extra = wire.table(
        ["A_x", "A_y"], records, True, dataclasses.replace(base, extra_columns=["Z"])
    )
    assert extra == [{"A_x": "1", "Z": "", "A_y": ""}]
    shuffled = dataclasses.replace(base, shuffled_columns=True)
    orders = {tuple(wire.table(["a", "b", "c", "d"], [], False, shuffled)[0]) for _ in range(30)}
    assert len(orders) > 1


def test_transfer_dupes_and_ringing_agent_knobs() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.logon("agent/101")
    callid = c.add_call("300", caller="5550000")
    c.answer_call(callid, "agent/101", t=1_700_000_005.0)
    c.transfer_call(callid, "301", t=1_700_000_060.0)
    rows = wire.call_records(c, None, "", Config())
    assert [(r["RT_queue"], r["RT_agent"], r["RT_caller"]) for r in rows] == [
        ("300", "agent/101", "5550000"), ("301", "", "5550000")]  # fmt: skip
    assert len(wire.call_records(c, None, "", Config(transfer_dupes=False))) == 1
    c2 = manual_center(start=1_700_000_000.0, auto=True)
    c2.logon("agent/102")
    c2.add_call("300")
    assert wire.call_records(c2, None, "", Config())[0]["RT_agent"] == ""
    assert wire.call_records(c2, None, "", Config(ringing_sets_agent=True))[0]["RT_agent"] == (
        "agent/102")  # fmt: skip


def test_max_ongoing_guards_drop_stale_calls() -> None:
    c = manual_center(start=1_700_000_000.0)
    c.add_call("300", t=1_700_000_000.0)
    c.advance(1_700_002_000.0)
    assert len(wire.call_records(c, None, "", Config())) == 1
    assert wire.call_records(c, None, "", Config(max_ongoing_wait_s=1000)) == []


def test_result_block_on_error() -> None:
    cfg = Config(error_status="KO", error_stacktrace=True)
    items = wire.result(cfg, 3, True, error="Unknown block: X")
    assert isinstance(items, dict)
    assert items["Status"] == "KO" and items["Description"] == "Unknown block: X"
    assert "Stack trace" in items
