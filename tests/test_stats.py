"""QmStats' raw call lists: the request we send and the records we read, garbled input too."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import httpx
import pytest

from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMError, QMProtocolError, QMRefused
from wallboard.qm.stats import (
    KO_BLOCK,
    OK_BLOCK,
    CallRecord,
    fetch_calls,
    parse_calls,
    qm_date,
    request_params,
)

RESULT = [["Status", "OK"], ["Description", ""], ["Time elapsed (ms)", 109], ["QM Version", "x"]]
OK_TITLES = ["CALLOK_callid", "CALLOK_queue", "CALLOK_from", "CALLOK_agent", "CALLOK_tstEnter",
             "CALLOK_tstStart", "CALLOK_tstEnd", "CALLOK_waitLen", "CALLOK_callLen",
             "CALLOK_reason", "CALLOK_events"]  # fmt: skip
KO_TITLES = ["CALLKO_callid", "CALLKO_queue", "CALLKO_from", "CALLKO_tstEnter", "CALLKO_tstStart",
             "CALLKO_tstEnd", "CALLKO_waitLen", "CALLKO_reason"]  # fmt: skip
OK_ROW = ["1700000000.5", "300", "5551234", "agent/101", "1700000000", "1700000000",
          "1700000100", "12", "88", "C", "[]"]  # fmt: skip
KO_ROW = ["1700000200.9", "301", "", "1700000200", "1700000200", "1700000207", "7", "a"]


def classic(ok: list[list[Any]] | None = None, ko: list[list[Any]] | None = None) -> Any:
    return {
        "result": RESULT,
        OK_BLOCK: [OK_TITLES, *(ok if ok is not None else [OK_ROW])],
        KO_BLOCK: [KO_TITLES, *(ko if ko is not None else [KO_ROW])],
    }


def simple(payload: Any) -> Any:
    out: dict[str, Any] = {"result": dict(payload["result"])}
    for name in (OK_BLOCK, KO_BLOCK):
        titles, *data = payload[name]
        out[name] = [dict(zip(titles, row, strict=True)) for row in data]
    return out


EXPECTED_OK = CallRecord("1700000000.5", "300", 1700000000, True, 12, 88, 1700000100,
                         "agent/101", "5551234", "C")  # fmt: skip
EXPECTED_KO = CallRecord("1700000200.9", "301", 1700000200, False, 7, 0, 1700000207, "", "", "A")


@pytest.mark.parametrize("shape", [classic, lambda: simple(classic())])
def test_both_formats_give_the_same_records(shape: Any) -> None:
    calls, elapsed = parse_calls(shape())
    assert calls == [EXPECTED_OK, EXPECTED_KO]
    assert elapsed == 109.0
    assert EXPECTED_OK.key == ("1700000000.5", "300", 1700000000)


def test_columns_by_title_whatever_the_order_and_extras() -> None:
    order = [3, 0, 10, 7, 1, 9, 2, 8, 4, 6, 5]
    titles = [OK_TITLES[i] for i in order] + ["CALLOK_stints", "CALLOK_somethingNew"]
    row = [OK_ROW[i] for i in order] + ["&nbsp;", "x"]
    payload = classic()
    payload[OK_BLOCK] = [[f" {t}&nbsp;" for t in titles], row]
    assert parse_calls(payload)[0][0] == EXPECTED_OK


def test_entry_time_without_tstenter() -> None:
    drop = OK_TITLES.index("CALLOK_tstEnter")
    titles = [t for i, t in enumerate(OK_TITLES) if i != drop]
    as_answer = [c for i, c in enumerate(OK_ROW) if i != drop]
    as_answer[titles.index("CALLOK_tstStart")] = "1700000012"  # the answer time
    payload = classic()
    payload[OK_BLOCK] = [titles, as_answer]
    assert parse_calls(payload, start_means="answer")[0][0].entered == 1700000000
    assert parse_calls(payload, start_means="enter")[0][0].entered == 1700000012
    # With neither start column, the end minus wait and talk.
    keep = [i for i, t in enumerate(titles) if t != "CALLOK_tstStart"]
    payload[OK_BLOCK] = [[titles[i] for i in keep], [as_answer[i] for i in keep]]
    assert parse_calls(payload)[0][0].entered == 1700000000


def test_empty_blocks_and_nbsp_cells() -> None:
    assert parse_calls(classic(ok=[], ko=[]))[0] == []
    row = list(KO_ROW)
    row[2] = "&nbsp;"
    assert parse_calls(classic(ko=[row]))[0][1].caller == ""


def garbled(column: str, value: Any, block: str = OK_BLOCK) -> Any:
    payload = classic()
    titles, row = payload[block]
    row = list(row)
    row[titles.index(column)] = value
    payload[block] = [titles, row]
    return payload


@pytest.mark.parametrize(
    "payload, words",
    [
        (garbled("CALLOK_waitLen", "12s"), ["CALLOK_waitLen", "12s"]),
        (garbled("CALLOK_callLen", "-5"), ["CALLOK_callLen", "-5"]),
        (garbled("CALLOK_tstEnter", "yesterday"), ["CALLOK_tstEnter", "yesterday"]),
        (garbled("CALLKO_waitLen", "1,5", KO_BLOCK), ["CALLKO_waitLen", "1,5"]),
        (garbled("CALLOK_callid", ""), ["callid"]),
        (garbled("CALLOK_callLen", {"x": 1}), ["unexpected cell"]),
        ({"result": RESULT, OK_BLOCK: [OK_TITLES]}, [KO_BLOCK]),
        ({"result": RESULT, OK_BLOCK: "nope", KO_BLOCK: []}, [OK_BLOCK]),
        ({**classic(), OK_BLOCK: [[t for t in OK_TITLES if t != "CALLOK_waitLen"], OK_ROW[:-1]]},
         ["CALLOK_waitLen", "missing"]),
        ({**classic(), OK_BLOCK: [OK_TITLES, [*OK_ROW, "extra"]]}, ["more cells"]),
        ([1, 2], ["not a JSON object"]),
    ],
)  # fmt: skip
def test_garbled_answers_raise_protocol_errors(payload: Any, words: list[str]) -> None:
    with pytest.raises(QMProtocolError) as err:
        parse_calls(payload)
    for word in words:
        assert word in err.value.message


def test_a_failed_result_is_a_refusal() -> None:
    payload = {"result": [["Status", "ERR"], ["Description", "Invalid date 'x'"]]}
    with pytest.raises(QMRefused, match="Invalid date"):
        parse_calls(payload)


def test_dates_in_qm_local_time() -> None:
    t = 1718200800  # 2024-06-12 14:00:00 UTC
    assert qm_date(t, ZoneInfo("UTC")) == "2024-06-12.14:00:00"
    assert qm_date(t, ZoneInfo("Europe/Rome")) == "2024-06-12.16:00:00"
    assert qm_date(t + 0.9, ZoneInfo("UTC")) == "2024-06-12.14:00:00"


def test_request_params_carry_both_blocks_and_all_queues() -> None:
    params = request_params(["300", "301"], 1718200800, 1718287200, ZoneInfo("UTC"))
    assert ("queues", "300|301") in params
    assert [v for k, v in params if k == "block"] == [OK_BLOCK, KO_BLOCK]
    assert ("to", "2024-06-13.14:00:00") in params
    with pytest.raises(ValueError):
        request_params([], 0, 1, ZoneInfo("UTC"))


async def test_fetch_calls_sends_one_encoded_post() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=simple(classic()))

    client = QMClient(
        "http://qm/queuemetrics", "robot", "robot", transport=httpx.MockTransport(handler)
    )
    answer = await fetch_calls(client, ["300", "301"], 1718200800, 1718287200, ZoneInfo("UTC"))
    await client.aclose()
    (request,) = seen
    assert request.url.path == "/queuemetrics/QmStats/jsonStatsApi.do"
    body = request.content.decode()
    assert "queues=300%7C301" in body and "from=2024-06-12.14%3A00%3A00" in body
    assert dict(parse_qsl(body))["jsonFormat"] == "simple"
    assert answer.calls == (EXPECTED_OK, EXPECTED_KO) and answer.elapsed_ms == 109.0


async def test_fetch_calls_turns_html_into_an_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html><body>oops</body></html>")

    client = QMClient(
        "http://qm/queuemetrics", "robot", "robot", transport=httpx.MockTransport(handler)
    )
    with pytest.raises(QMError):
        await fetch_calls(client, ["300"], 0, 1, ZoneInfo("UTC"))
    await client.aclose()
