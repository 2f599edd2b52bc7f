from __future__ import annotations

import pytest

from tests.fixtures import GUIDE_CLASSIC, GUIDE_SIMPLE, call_row, calls_block, with_calls
from wallboard.qm.errors import QMProtocolError
from wallboard.qm.realtime import parse_realtime


def test_guide_example_in_both_formats() -> None:
    for payload in (GUIDE_CLASSIC, GUIDE_SIMPLE):
        realtime = parse_realtime(with_calls(payload))
        first = realtime.agents[0]
        assert first.agent == "agent/101"
        assert first.queues == ("300",)
        assert first.logon == 1689601183
        assert first.pause_since is None
        assert first.free_since is None
        assert first.status_since == 1689601183
        assert realtime.calls == []


def test_queues_joined_with_colons_are_split() -> None:
    payload = with_calls(
        {"RealtimeDO.RtAgentsRaw": [["ACB_agent", "ACB_queue"], ["Agent/7", "300:301"]]}
    )
    agent = parse_realtime(payload).agents[0]
    assert agent.agent == "agent/7"
    assert agent.queues == ("300", "301")


def test_columns_are_found_by_title_in_any_order() -> None:
    agents = [
        ["ACB_inCurrStatusSinceTst", "ACB_queue", "extra", "ACB_agent"],
        ["5", "300", "x", "agent/1"],
    ]
    realtime = parse_realtime({"RealtimeDO.RtAgentsRaw": agents, "RealtimeDO.RtCallsRaw": []})
    assert realtime.agents[0].status_since == 5


def test_missing_required_column_is_named() -> None:
    payload = with_calls({"RealtimeDO.RtAgentsRaw": [["ACB_queue"], ["300"]]})
    with pytest.raises(QMProtocolError, match="agent"):
        parse_realtime(payload)


def test_calls_with_and_without_a_callid_column() -> None:
    block = calls_block(call_row("300", "1699.1", 100, caller="555"))
    payload = {"RealtimeDO.RtAgentsRaw": [], "RealtimeDO.RtCallsRaw": block}
    assert parse_realtime(payload).calls[0].callid == "1699.1"
    without = [
        [t for t in block[0] if t != "RT_callid"],
        [c for i, c in enumerate(block[1]) if i != 1],
    ]
    payload = {"RealtimeDO.RtAgentsRaw": [], "RealtimeDO.RtCallsRaw": without}
    call = parse_realtime(payload).calls[0]
    assert call.callid.startswith("x-") and "555" in call.callid


def test_bad_timestamp_is_a_protocol_error_naming_column_and_value() -> None:
    block = calls_block(call_row("300", "1", 100))
    block[1][2] = "yesterday"
    with pytest.raises(QMProtocolError, match=r"RT_entered.*yesterday"):
        parse_realtime({"RealtimeDO.RtAgentsRaw": [], "RealtimeDO.RtCallsRaw": block})
