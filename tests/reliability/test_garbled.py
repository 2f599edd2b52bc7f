"""Matrix row: bad QueueMetrics answers. Every block the wallboard reads, garbled (the strategy of
``tests/test_realtime.py``, over each answer's sample): a ``QMError`` or a valid result, never
another exception; and at the poller, a garbled answer never replaces the last good snapshot.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from redis.asyncio import Redis

from tests.test_config import GUIDE_AGENT
from tests.test_realtime import garbled, sample_answer
from tests.test_stats import classic, simple
from wallboard.model.derive import Directory, derive
from wallboard.model.state import Floor
from wallboard.poller.loop import Poller
from wallboard.qm.client import QMClient
from wallboard.qm.config import parse_agent_queues, parse_agents, parse_pause_codes, parse_users
from wallboard.qm.errors import QMError
from wallboard.qm.realtime import parse_realtime
from wallboard.qm.stats import parse_calls
from wallboard.qm.users import parse_auth
from wallboard.qm.wire import check_result
from wallboard.settings import Settings
from wallboard.store.keys import Keys
from wallboard.store.snapshot import SnapshotStore

EXAMPLES = settings(max_examples=150, deadline=None)


def stats_sample(simple_format: bool) -> Any:
    return simple(classic()) if simple_format else classic()


def auth_sample(simple_format: bool) -> Any:
    pairs = [["UserName", "sup"], ["Status", "OK"], ["FullName", "Sue"], ["Class", "SUPERVISORS"],
             ["Keys", "USER REALTIME"], ["Masterkey", "0"]]  # fmt: skip
    return {"auth": dict(pairs) if simple_format else pairs}


def output_sample(rows: list[list[str]], titles: list[str]) -> Any:
    def sample(simple_format: bool) -> Any:
        if simple_format:
            return {"output": [dict(zip(titles, r, strict=True)) for r in rows]}
        return {"output": [titles, *rows]}

    return sample


pcodes_sample = output_sample(
    [["Agent/101", "03", "Lunch break", "PNB"], ["Agent/101", "17", "E-mail", "PB"]],
    ["Agent", "Pause code", "Description", "Type"],
)
queues_sample = output_sample(
    [["Agent/101", "300", "Sales", "0"], ["Agent/101", "301 302", "Monitor", "1"]],
    ["Agent", "Queue", "Queue name", "Level"],
)


def editor_sample(simple_format: bool) -> Any:
    # The editors answer a list of records: wrapped in a block, so cells and titles get garbled.
    users = [{"PK_ID": "41", "login": "demosupervisor"}]
    return {"records": [GUIDE_AGENT, *users] if simple_format else [GUIDE_AGENT]}


def records(payload: Any) -> Any:
    return payload["records"] if isinstance(payload, dict) and "records" in payload else payload


@EXAMPLES
@given(garbled(stats_sample))
def test_garbled_qmstats_call_lists(payload: Any) -> None:
    try:
        calls, _ = parse_calls(payload)
    except QMError:
        return
    for call in calls:
        assert call.callid and call.queue and call.wait >= 0 and call.talk >= 0


@EXAMPLES
@given(garbled(auth_sample))
def test_garbled_qmauth(payload: Any) -> None:
    try:
        info = parse_auth(payload)
    except QMError:
        return
    assert isinstance(info.keys, frozenset) and isinstance(info.master, bool)


@EXAMPLES
@given(garbled(pcodes_sample))
def test_garbled_pause_codes(payload: Any) -> None:
    try:
        codes = parse_pause_codes(payload)
    except QMError:
        return
    assert all(isinstance(c, str) and kind in {"PB", "PNB", "NPB", "NPNB"}
               for c, (_, kind) in codes.items())  # fmt: skip


@EXAMPLES
@given(garbled(queues_sample))
def test_garbled_agent_queues(payload: Any) -> None:
    try:
        names = parse_agent_queues(payload)
    except QMError:
        return
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in names.items())


@EXAMPLES
@given(garbled(editor_sample))
def test_garbled_editors(payload: Any) -> None:
    for parse in (parse_agents, parse_users):
        try:
            parsed = parse(records(payload))
        except QMError:
            continue
        assert all(isinstance(k, str) and k for k in parsed)


def pbx_sample(simple_format: bool) -> Any:
    return {"block": {"action": "pause", "agent": "agent/101", "resultStatus": "OK: queued"}}


def answer_with(payload: Any) -> QMClient:
    body = json.dumps(payload).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    return QMClient("http://qm.invalid/queuemetrics", "robot", "robot", transport=transport)


@EXAMPLES
@given(garbled(pbx_sample))
def test_garbled_pbx_action_answers(payload: Any) -> None:
    # Unwrapped: the answer is the object itself (wrapped only so its fields get garbled).
    answer = payload.get("block", payload) if isinstance(payload, dict) else payload

    async def act() -> None:
        async with answer_with(answer) as client:
            try:
                result = await client.pbx_action({"action": "pause", "agent": "agent/101"})
            except QMError:
                return
            assert str(result["resultStatus"]).upper().startswith("OK")

    asyncio.run(act())


# -- at the poller: a garbled answer never replaces the last good snapshot ----------------------


class Upstream(httpx.AsyncBaseTransport):
    """QueueMetrics answering whatever the test sets next."""

    def __init__(self) -> None:
        self.payload: Any = sample_answer(False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(self.payload).encode())


def valid_state(payload: Any) -> Floor | None:
    """What the poller must publish for this answer, or None when it must keep the last."""
    try:
        check_result(payload)
        return derive(parse_realtime(payload), ["*"], Directory())
    except QMError:
        return None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=garbled())
async def test_a_garbled_answer_never_replaces_the_last_good_snapshot(
    redis: Redis, prefix: str, answers: Any
) -> None:
    upstream = Upstream()
    settings_ = Settings(redis_prefix=f"{prefix}{id(answers)}:", stats_enabled=False)
    client = QMClient("http://qm.invalid/queuemetrics", "robot", "robot", transport=upstream)
    poller = Poller(settings_, redis, client)
    store = SnapshotStore(redis, Keys(settings_.redis_prefix))
    assert await poller.lease.acquire()
    try:
        await poller.poll_once()
        good = await store.snapshot()
        assert good is not None and good[1].agents
        upstream.payload = answers
        await poller.poll_once()
        after = await store.snapshot()
        meta = await store.meta()
        expected = valid_state(answers)
        assert after is not None
        if expected is None:
            # The version may move on (the stream carries the turn to stale), the data may not.
            assert after[1] == good[1], "a bad answer left the data as it was"
            assert meta["stale"] and meta["error"]["kind"] in {"protocol", "refused", "auth"}
        else:
            assert not meta["stale"]
            assert [a.agent for a in after[1].agents] == [a.agent for a in expected.agents]
    finally:
        await poller.lease.release()
        await client.aclose()
        await redis.delete(*[k async for k in redis.scan_iter(f"{settings_.redis_prefix}*")])
