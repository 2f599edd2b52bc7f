from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import GUIDE_CLASSIC, GUIDE_SIMPLE, call_row, calls_block, with_calls
from wallboard.model.derive import Directory, derive
from wallboard.qm.errors import QMError, QMProtocolError
from wallboard.qm.realtime import parse_realtime
from wallboard.qm.wire import check_result


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


# -- garbled answers: a valid result or a QMError, never anything else ----------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def sample_answer(simple: bool) -> dict[str, Any]:
    calls = calls_block(
        call_row("300", "1.1", 100, caller="555"),
        call_row("300", "1.2", 90, 95, agent="agent/101", caller="556"),
    )
    base = with_calls(GUIDE_SIMPLE if simple else GUIDE_CLASSIC, *calls[1:])
    return copy.deepcopy(base)


@st.composite
def garbled(draw: st.DrawFn, sample: Callable[[bool], Any] = sample_answer) -> Any:
    """``sample(simple)`` with cells, rows, titles, blocks or the whole answer spoilt."""
    payload: Any = copy.deepcopy(sample(draw(st.booleans())))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["cell", "row", "block", "title", "whole"]))
        key = (
            draw(st.sampled_from(sorted(payload)))
            if isinstance(payload, dict) and payload
            else None
        )
        block = payload.get(key) if key is not None else None
        if action == "whole":
            payload = draw(json_values)
        elif action == "block" and key is not None:
            payload[key] = draw(json_values)
        elif isinstance(block, list) and block:
            index = draw(st.integers(0, len(block) - 1))
            row = block[index]
            if action == "row":
                block[index] = draw(json_values)
            elif isinstance(row, list) and row:
                cell = draw(st.integers(0, len(row) - 1))
                row[cell] = draw(json_values) if action == "cell" else draw(st.text(max_size=6))
            elif isinstance(row, dict) and row:
                name = draw(st.sampled_from(sorted(row)))
                if action == "cell":
                    row[name] = draw(json_values)
                else:
                    row[draw(st.text(max_size=6))] = row.pop(name)
    return payload


@settings(max_examples=300, deadline=None)
@given(garbled())
def test_garbled_answers_give_a_result_or_a_qm_error(payload: Any) -> None:
    try:
        check_result(payload)
        realtime = parse_realtime(payload)
    except QMError:
        return
    floor = derive(realtime, ["*"], Directory())
    assert {a.state for a in floor.agents} <= {"available", "on_call", "paused"}
    assert {c.state for c in floor.calls} <= {"waiting", "talking", "dialing"}
    assert len({a.agent for a in floor.agents}) == len(floor.agents)
