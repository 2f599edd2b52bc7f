"""Matrix row: QueueMetrics down, slow, answering HTML, garbage, Status not OK, 401.

One floor (simulator, poller, web) for the whole module, with short timings: each fault is
switched on, the data must turn stale within two poll intervals with the right ``error.kind``
while the last good data stays, then the fault is cleared and the data must be fresh again
within one backoff step. Faults hit every endpoint (but see ``HANG``), so every channel
(real-time, QmStats, configuration) is under fault at once and none may have two requests in
flight.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.drive import control, quiet, snapshot
from tests.harness import TEST_PACE, Proc, Stack
from tests.waiting import until
from wallboard.processes import EmbeddedRedis

INTERVAL = 0.5
CAP = 1.0
READ_TIMEOUT = 0.3
# What the test adds to the product's own delays: its 50 ms polling, the HTTP round trips of the
# check, a loaded CI machine.
SLACK = 0.35
ENV = {
    "WALLBOARD_POLL_INTERVAL": str(INTERVAL),
    "WALLBOARD_BACKOFF_CAP": str(CAP),
    "WALLBOARD_QM_READ_TIMEOUT": str(READ_TIMEOUT),
    "WALLBOARD_LEASE_TTL": "1.5",
    "WALLBOARD_STATS_INTERVAL": "1",
}
# Longer than the client waits, over before its next attempt. The simulator counts a request in
# flight until it answers, even after the client gave up on it: the hanging modes hit the
# real-time channel only, whose backoff spaces its attempts; a sequential channel would start
# its next request at once and the simulator would count two.
HANG = READ_TIMEOUT + 0.05
REALTIME = ["QmRealtime"]
MODES = [
    ({"mode": "latency", "seconds": HANG, "endpoints": REALTIME}, "unreachable"),
    ({"mode": "timeout", "seconds": HANG, "endpoints": REALTIME}, "unreachable"),
    ({"mode": "http_500"}, "unreachable"),
    ({"mode": "html_error"}, "unreachable"),
    ({"mode": "malformed_json"}, "protocol"),
    ({"mode": "status_not_ok"}, "refused"),
    ({"mode": "unauthorized"}, "auth"),
]
FIGURES: list[str] = []


@pytest.fixture(scope="module")
def floor(
    redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, Proc, Proc]]:
    tmp: Path = tmp_path_factory.mktemp("faults")
    stack = Stack(tmp, redis_server.url, prefix=f"faults{uuid.uuid4().hex[:8]}:", **TEST_PACE)
    try:
        sim = stack.simulator()
        quiet(sim)
        stack.poller(**ENV)
        web = stack.web(**ENV)
        yield stack, sim, web
    finally:
        stack.stop()
        print("\n" + "\n".join(FIGURES))


def named(snap: dict[str, Any]) -> bool:
    """Every agent, queue and pause has its name: the poller shows names the moment they
    arrive, so the data changes between polls until then."""
    return all(a["name"] != a["agent"] for a in snap["agents"]) and all(
        q["name"] != q["queue"] for q in snap["queues"]
    )


def fresh(web: Proc) -> dict[str, Any]:
    snap: dict[str, Any] = until(
        lambda: not (s := snapshot(web))["stale"] and s["agents"] and named(s) and s,
        what="fresh data with every name",
    )
    return snap


def just_polled(web: Proc) -> dict[str, Any]:
    """Fresh data right after a poll landed: the fault then comes between two polls, not
    during one (a poll under way when it comes may still succeed)."""
    before = fresh(web)["fetched_at"]
    snap: dict[str, Any] = until(
        lambda: (s := snapshot(web))["fetched_at"] != before and not s["stale"] and s,
        what="the next poll",
    )
    return snap


@pytest.fixture(autouse=True)
def no_fault_left(floor: tuple[Stack, Proc, Proc]) -> Iterator[None]:
    """A failed test leaves no fault behind for the next one."""
    yield
    control(floor[1], "DELETE", "faults")


def data(snap: dict[str, Any]) -> tuple[Any, ...]:
    return snap["queues"], snap["agents"], snap["calls"], snap["fetched_at"]


def realtime_count(sim: Proc) -> int:
    found: int = control(sim, "GET", "requests")["endpoints"].get("QmRealtime", {}).get("count", 0)
    return found


def most_in_flight(sim: Proc) -> dict[str, int]:
    endpoints = control(sim, "GET", "requests")["endpoints"]
    return {name: e["max_in_flight"] for name, e in endpoints.items()}


@pytest.mark.parametrize(("fault", "kind"), MODES, ids=[m["mode"] for m, _ in MODES])
def test_a_failing_queuemetrics(
    floor: tuple[Stack, Proc, Proc], fault: dict[str, Any], kind: str
) -> None:
    _stack, sim, web = floor
    good = just_polled(web)
    control(sim, "POST", "requests/reset")
    control(sim, "POST", "faults", json={"endpoints": ["*"], **fault})
    started = time.monotonic()

    def stale_now() -> dict[str, Any] | None:
        nonlocal good
        snap = snapshot(web)
        if not snap["stale"]:
            good = snap  # a poll already under way when the fault came may still succeed
        return snap if snap["stale"] and snap["error"]["kind"] == kind else None

    stale = until(stale_now, what=f"stale data with error.kind {kind}")
    took = time.monotonic() - started
    assert data(stale) == data(good), "the last good data is kept, with its fetched_at"
    attempts = realtime_count(sim)
    until(lambda: realtime_count(sim) >= attempts + 1, what="one more failed attempt")
    assert data(snapshot(web)) == data(good)
    control(sim, "DELETE", "faults")
    cleared = time.monotonic()
    fresh(web)
    back = time.monotonic() - cleared
    flights = most_in_flight(sim)
    FIGURES.append(
        f"{fault['mode']:>15}: stale ({kind}) after {took:.2f} s, fresh {back:.2f} s after "
        f"recovery, most in flight {flights}"
    )
    assert all(n <= 1 for n in flights.values()), flights
    assert took <= 2 * INTERVAL + SLACK
    assert back <= CAP + SLACK, "fresh within one backoff step"


def test_backoff_grows_to_its_cap_and_no_further(floor: tuple[Stack, Proc, Proc]) -> None:
    _stack, sim, web = floor
    fresh(web)
    control(sim, "POST", "faults", json={"mode": "http_500"})
    control(sim, "POST", "requests/reset")
    until(lambda: realtime_count(sim) >= 6, timeout=15, what="six failed attempts")
    control(sim, "DELETE", "faults")
    times = [
        r["time"]
        for r in control(sim, "GET", "requests")["recent"]
        if r["endpoint"] == "QmRealtime" and r.get("status") == 500
    ]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    FIGURES.append(f"backoff gaps (interval {INTERVAL}, cap {CAP}): {[round(g, 2) for g in gaps]}")
    assert len(gaps) >= 4
    assert max(gaps) >= 0.8 * CAP, "it backs off beyond the poll interval"
    assert max(gaps) <= CAP + SLACK, "and never beyond the cap"
    fresh(web)


def test_queuemetrics_down_and_back(floor: tuple[Stack, Proc, Proc]) -> None:
    stack, sim, web = floor
    good = fresh(web)
    port = sim.port
    sim.stop()
    stopped = time.monotonic()
    stale = until(
        lambda: (s := snapshot(web))["stale"] and s["error"]["kind"] == "unreachable" and s,
        what="stale data, QueueMetrics unreachable",
    )
    took = time.monotonic() - stopped
    assert data(stale) == data(good)
    stack.simulator(port=port or 0)
    restarted = time.monotonic()
    fresh(web)
    back = time.monotonic() - restarted
    FIGURES.append(f"{'down':>15}: stale after {took:.2f} s, fresh {back:.2f} s after restart")
    assert took <= 2 * INTERVAL + SLACK
    assert back <= CAP + SLACK
