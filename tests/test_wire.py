from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import GUIDE_CLASSIC, GUIDE_SIMPLE
from wallboard.qm.errors import QMProtocolError, QMRefused
from wallboard.qm.wire import (
    Columns,
    check_result,
    clean_cell,
    epoch,
    epoch_of,
    find_block,
    key_values,
    table,
)


def test_classic_and_simple_examples_of_the_guide_give_the_same_rows() -> None:
    classic = table(find_block(GUIDE_CLASSIC, "RealtimeDO.RtAgentsRaw"), "agents")
    simple = table(find_block(GUIDE_SIMPLE, "RealtimeDO.RtAgentsRaw"), "agents")
    assert classic == simple
    assert [r["ACB_agent"] for r in classic] == ["agent/101", "agent/102"]
    assert classic[0]["ACB_logon"] == "1689601183"


def test_result_block_in_both_formats() -> None:
    assert check_result(GUIDE_CLASSIC)["Time elapsed (ms)"] == "14"
    assert check_result(GUIDE_SIMPLE)["QM Version"] == "beta1"


def test_status_not_ok_carries_the_description() -> None:
    payload = {"result": [["Status", "ERR"], ["Description", "No such queue"]]}
    with pytest.raises(QMRefused, match="No such queue"):
        check_result(payload)


@pytest.mark.parametrize("payload", [[], "x", {"nothing": []}])
def test_answers_without_result_are_protocol_errors(payload: object) -> None:
    with pytest.raises(QMProtocolError):
        check_result(payload)


@pytest.mark.parametrize("asked", ["RealtimeDO.RtAgentsRaw", "RealTimeDO.RtAgentsRaw"])
def test_block_found_whatever_the_casing_of_its_prefix(asked: str) -> None:
    payload = {"REALTIMEdo.RtAgentsRaw": [["a"], ["1"]]}
    assert find_block(payload, asked) == [["a"], ["1"]]


def test_block_name_after_the_prefix_is_case_sensitive() -> None:
    with pytest.raises(QMProtocolError, match="missing"):
        find_block({"RealtimeDO.rtagentsraw": []}, "RealtimeDO.RtAgentsRaw")


def test_titles_are_trimmed_and_nbsp_is_empty() -> None:
    rows = table([[" ACB_agent&nbsp;", "ACB_extension"], ["agent/1", "&nbsp;"]], "b")
    assert rows == [{"ACB_agent": "agent/1", "ACB_extension": ""}]


def test_short_rows_are_padded_and_long_rows_refused() -> None:
    assert table([["a", "b"], ["1"]], "b") == [{"a": "1", "b": ""}]
    with pytest.raises(QMProtocolError, match="more cells"):
        table([["a"], ["1", "2"]], "b")


def test_numbers_are_accepted_where_strings_are_expected() -> None:
    assert clean_cell(14) == "14"
    assert clean_cell(1.5) == "1.5"


def test_epoch_parsing_is_strict_and_names_the_column() -> None:
    assert epoch({"t": "0"}, "t") is None
    assert epoch({"t": ""}, "t") is None
    assert epoch({"t": "1689601183"}, "t") == 1689601183
    with pytest.raises(QMProtocolError, match=r"'t'.*'17:30'"):
        epoch({"t": "17:30"}, "t")


def test_key_values_with_pairs_or_object() -> None:
    assert key_values([["Status", "OK"]], "r") == {"Status": "OK"}
    assert key_values({"Status": "OK"}, "r") == {"Status": "OK"}
    assert key_values([{"Status": "OK"}], "r") == {"Status": "OK"}
    with pytest.raises(QMProtocolError):
        key_values([["only-one"]], "r")


# -- Columns: table's rows read by column -------------------------------------------------------

cells = st.none() | st.booleans() | st.integers(-5, 10**12) | st.text(" &nbsp;a0", max_size=8)
titles = st.sampled_from(["a", " a", "a&nbsp;", "b", "", 7])
lists = st.lists(st.lists(cells | st.just([1]), max_size=4), min_size=1, max_size=4).flatmap(
    lambda rows: st.lists(titles, min_size=3, max_size=3).map(lambda head: [head, *rows])
)
records = st.lists(st.dictionaries(titles, cells, max_size=3), max_size=4)


def outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except QMProtocolError as error:
        return str(error)


@settings(max_examples=300, deadline=None)
@given(st.one_of(lists, records, st.lists(lists | records, max_size=2)))
def test_columns_read_what_table_reads_and_refuse_what_it_refuses(block: Any) -> None:
    rows = outcome(lambda: table(block, "b"))
    columns = outcome(lambda: Columns(block, "b"))
    if isinstance(rows, str):
        assert columns == rows
        return
    assert isinstance(columns, Columns)
    assert columns.titles == (list(rows[0]) if rows else [])
    for title in {*columns.titles, "a", "b", "c"}:
        assert columns.column(title) == [row.get(title, "") for row in rows]
    assert columns.column(None) == [""] * len(rows)


def test_epoch_of_reads_decimals_and_refuses_the_rest() -> None:
    assert epoch_of("1689601183", "t") == 1689601183
    assert epoch_of("1689601183.7", "t") == 1689601183
    assert epoch_of("00", "t") == 0
    assert epoch_of("-", "t") is None
    with pytest.raises(QMProtocolError, match=r"'t'.*'1e9'"):
        epoch_of("1e9", "t")
