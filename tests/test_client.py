from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

import httpx
import pytest

from tests.fixtures import GUIDE_CLASSIC, GUIDE_KO, with_calls
from wallboard.qm.client import QMClient
from wallboard.qm.errors import (
    QMActionRefused,
    QMAuthError,
    QMProtocolError,
    QMRefused,
    QMUnavailable,
)


def qm(handler: Any, **kw: Any) -> QMClient:
    return QMClient(
        "http://qm.test/queuemetrics",
        "robot",
        "secret",
        transport=httpx.MockTransport(handler),
        **kw,
    )


def answer(body: Any, status: int = 200, **headers: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers)

    return handler


async def test_request_asks_both_blocks_with_encoded_pipes_and_basic_auth() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=with_calls(GUIDE_CLASSIC))

    async with qm(handler) as client:
        realtime, _ = await client.realtime(["300", "301"])
    body = seen[0].content.decode()
    assert "queues=300%7C301" in body and "|" not in body
    assert body.count("block=") == 2 and "jsonFormat=simple" in body
    assert seen[0].headers["authorization"].startswith("Basic ")
    assert seen[0].url.path == "/queuemetrics/QmRealtime/jsonStatsApi.do"
    assert len(realtime.agents) == 2


async def test_guide_ko_answer_is_refused_with_its_words() -> None:
    async with qm(answer(GUIDE_KO)) as client:
        with pytest.raises(QMActionRefused, match="Agent/102' not logged on"):
            await client.pbx_action({"action": "pause", "agent": "Agent/102"})


async def test_ok_action_returns_the_answer() -> None:
    async with qm(answer({"action": "pause", "resultStatus": "OK"})) as client:
        assert (await client.pbx_action({"action": "pause"}))["resultStatus"] == "OK"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, b"", QMAuthError),
        (403, b"<html>forbidden</html>", QMAuthError),
        (500, b"<html>Tomcat</html>", QMUnavailable),
        (502, b"<html><h1>502 Bad Gateway</h1></html>", QMUnavailable),
        (404, b"not here", QMProtocolError),
        (200, b"<html><form><input name=password> login</form></html>", QMAuthError),
        (200, b"<!doctype html><html>maintenance</html>", QMProtocolError),
        (200, b'{"result": [', QMProtocolError),
    ],
)
async def test_http_failures_map_to_errors(status: int, body: bytes, error: type) -> None:
    async with qm(answer(body, status)) as client:
        with pytest.raises(error):
            await client.realtime(["*"])


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(with_calls(GUIDE_CLASSIC)).encode(),
        b'{"result": [["Status", "OK"]], "n": [NaN, 1e400, 18446744073709551616]}',
        b'\xef\xbb\xbf{"result": {"Status": "OK"}}',
        '{"result": {"Status": "OK"}, "t": "\u00e9"}'.encode("utf-16"),
    ],
)
async def test_answers_read_as_python_reads_json(body: bytes) -> None:
    async with qm(answer(body)) as client:
        payload = (await client.stats_api("QmRealtime", [])).payload
    assert json.dumps(payload) == json.dumps(json.loads(body))


async def test_status_not_ok() -> None:
    failed = {"result": [["Status", "ERR"], ["Description", "queue unknown"]]}
    async with qm(answer(failed)) as client:
        with pytest.raises(QMRefused, match="queue unknown"):
            await client.realtime(["*"])


async def test_oversized_answer_is_refused() -> None:
    async with qm(answer(with_calls(GUIDE_CLASSIC)), max_bytes=100) as client:
        with pytest.raises(QMProtocolError, match="larger than 100"):
            await client.realtime(["*"])


async def test_network_errors_are_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with qm(handler) as client:
        with pytest.raises(QMUnavailable, match="cannot reach"):
            await client.realtime(["*"])


async def test_clock_offset_from_date_header() -> None:
    import time

    later = formatdate(time.time() + 600, usegmt=True)
    async with qm(answer(with_calls(GUIDE_CLASSIC), date=later)) as client:
        _, got = await client.realtime(["*"])
    assert got.clock_offset is not None and 598 < got.clock_offset < 602


async def test_auth_answers() -> None:
    ok = {
        "auth": [
            ["UserName", "sup"],
            ["Status", "OK"],
            ["FullName", "Sue"],
            ["Class", "SUPERVISORS"],
            ["Keys", "USER REALTIME"],
            ["Masterkey", "0"],
        ]
    }
    async with qm(answer(ok)) as client:
        info = await client.authenticate("sup", "pw")
    assert info.full_name == "Sue" and info.holds("REALTIME") and not info.holds("ROBOT")
    refused = {"result": {"Status": "OK"}, "auth": {"UserName": "x", "Status": "ERR"}}
    async with qm(answer(refused)) as client:
        with pytest.raises(QMAuthError):
            await client.authenticate("x", "bad")


async def test_broadcast_accepts_any_json_without_a_failed_result() -> None:
    async with qm(answer({"anything": 1})) as client:
        assert await client.broadcast("hello", everyone="1") == {"anything": 1}
    failed = {"result": [["Status", "ERR"], ["Description", "text is mandatory"]]}
    async with qm(answer(failed)) as client:
        with pytest.raises(QMRefused):
            await client.broadcast("")


async def test_sysup() -> None:
    async with qm(answer({"state": "QMUP", "ramFreeMb": 10})) as client:
        assert await client.is_up()
    async with qm(answer({"state": "DOWN"})) as client:
        assert not await client.is_up()
    async with qm(answer(b"", 503)) as client:
        assert not await client.is_up()


async def test_unconfigured_queuemetrics_is_unavailable_without_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    async with QMClient("", "", "", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(QMUnavailable, match="not configured"):
            await client.authenticate("sue", "pw")


def editors(user_editor: Any) -> Any:
    """The agent editor answers the guide's record; the user editor answers `user_editor`."""
    agent = {"nome_agente": "agent/101", "descr_agente": "John Doe (101)", "group_name": "Day",
             "loc_name": "Main", "supervised_by": "41", "PK_ID": "71"}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/agent/jsonEditorApi.do"):
            return httpx.Response(200, json=[agent])
        response: httpx.Response = user_editor(request)
        return response

    return handler


async def test_supervisors_from_the_user_editor() -> None:
    users = answer([{"PK_ID": "41", "login": "demosupervisor"}])
    async with qm(editors(users)) as client:
        roster = await client.agents()
    assert roster.agents["agent/101"].supervisor == "demosupervisor"
    assert roster.supervisors_missing == ""


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        (403, b"<html>HTTP Status 403 - Forbidden</html>", "HTTP 403"),
        (404, b'{"error": "Unknown editor"}', "HTTP 404"),
        (200, b'{"error": "User robot lacks key USRADMIN"}', "lacks key USRADMIN"),
    ],
)
async def test_a_refused_user_editor_keeps_the_agents(status: int, body: bytes, why: str) -> None:
    async with qm(editors(answer(body, status))) as client:
        roster = await client.agents()
    info = roster.agents["agent/101"]
    assert (info.name, info.group, info.location, info.supervisor) == (
        "John Doe",
        "Day",
        "Main",
        "",
    )
    assert why in roster.supervisors_missing


async def test_a_user_editor_that_cannot_answer_now_fails_the_whole_read() -> None:
    async with qm(editors(answer(b"<html>Tomcat</html>", 500))) as client:
        with pytest.raises(QMUnavailable):
            await client.agents()
