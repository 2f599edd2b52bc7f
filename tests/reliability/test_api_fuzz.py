"""Matrix row: bad requests. The JSON API fuzzed from its own OpenAPI schema (schemathesis: data
that fits the schema and data that does not), without a login and with a supervisor's: never a
5xx, and nothing reaches QueueMetrics unless the request was accepted (200)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.drive import control, quiet, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until

SUPERVISOR = "Basic " + base64.b64encode(b"demosupervisor:demo").decode()
EXAMPLES = 25  # per login and generation mode: a few seconds each


def upstream(sim: Proc) -> tuple[int, int]:
    """What QueueMetrics received: PBX actions (refused ones included) and broadcasts."""
    return len(control(sim, "GET", "actions")), len(control(sim, "GET", "broadcasts"))


@pytest.mark.parametrize("login", [False, True], ids=["anonymous", "supervisor"])
def test_fuzz_the_json_api(stack: Stack, login: bool) -> None:
    sim = stack.simulator()
    quiet(sim)
    stack.poller()
    web = stack.web(WALLBOARD_ACTIONS_PER_MINUTE="100000")
    until(lambda: snapshot(web)["agents"], what="data")
    schema = schemathesis.openapi.from_url(f"{web.url}/openapi.json").include(path_regex="^/api/")
    found = [r.ok() for r in schema.get_all_operations()]
    operations = {f"{op.method.upper()} {op.path}" for op in found}
    actions = ("pause", "login", "logout", "join", "remove", "hangup", "transfer", "listen", "text")
    expected = {f"POST /api/actions/{a}" for a in actions} | {"POST /api/broadcast"}
    assert expected | {"GET /api/snapshot"} <= operations
    headers = {"Authorization": SUPERVISOR} if login else {}
    statuses: dict[int, int] = {}
    cases = st.one_of(
        schema.as_strategy(schemathesis.GenerationMode.POSITIVE),
        schema.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=2 * EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def check(case: Any) -> None:
        before = upstream(sim)
        response = case.call(base_url=web.url, headers=headers, timeout=10)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
        if response.status_code != 200:
            assert upstream(sim) == before, f"{case.method} {case.path} went upstream"

    check()
    print(f"\nfuzz ({'supervisor' if login else 'anonymous'}): statuses {sorted(statuses.items())}")
    if not login:
        assert upstream(sim) == (0, 0)
