"""The poller with real processes: one leader, failover, fencing, staleness, Redis outages."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import httpx
import redis as redis_sync

from tests.drive import agent_in, control, quiet, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.processes import EmbeddedRedis
from wallboard.store.keys import Keys

INTERVAL = 0.5
TTL = 1.5


def meta(stack: Stack) -> dict[str, Any]:
    client = redis_sync.Redis.from_url(stack.redis_url)
    try:
        raw = client.get(Keys(stack.prefix).meta)
    finally:
        client.close()
    return json.loads(raw) if raw else {}


def realtime_requests(sim: Proc) -> dict[str, Any]:
    stats: dict[str, Any] = control(sim, "GET", "requests")["endpoints"].get("QmRealtime", {})
    return stats


def leader_pid(stack: Stack) -> int | None:
    poller = meta(stack).get("poller")
    return int(poller.rsplit(":", 1)[1]) if poller else None


def pollers(stack: Stack, count: int) -> list[Proc]:
    env = {"WALLBOARD_LEASE_TTL": str(TTL), "WALLBOARD_POLL_INTERVAL": str(INTERVAL)}
    return [stack.poller(**env) for _ in range(count)]


def two_pollers(stack: Stack) -> tuple[Proc, int]:
    """The simulator and two pollers; the one that leads, once one does, and its pid."""
    stack.simulator()
    procs = pollers(stack, 2)
    first: int = until(lambda: leader_pid(stack), what="a leader")
    return next(p for p in procs if p.pid == first), first


def test_two_pollers_one_request_per_interval(stack: Stack) -> None:
    sim = stack.simulator()
    pollers(stack, 2)
    until(lambda: leader_pid(stack), what="a leader")
    control(sim, "POST", "requests/reset")
    started = time.monotonic()
    until(lambda: realtime_requests(sim).get("count", 0) >= 10, timeout=20, what="10 polls")
    elapsed = time.monotonic() - started
    stats = realtime_requests(sim)
    # Two pollers would make about twice as many: one request per interval, never overlapping.
    assert stats["count"] <= elapsed / INTERVAL + 2
    assert stats["max_in_flight"] == 1
    recent = [r for r in control(sim, "GET", "requests")["recent"] if r["endpoint"] == "QmRealtime"]
    assert all("block=RealtimeDO.RtAgentsRaw" in r["query"] for r in recent if r["query"])


def test_standby_takes_over_when_the_leader_dies(stack: Stack) -> None:
    leader, first = two_pollers(stack)
    leader.stop(signal.SIGKILL)
    died = time.monotonic()
    until(lambda: leader_pid(stack) not in (None, first), timeout=10, what="a new leader")
    fetched = meta(stack)["fetched_at"]
    until(lambda: meta(stack)["fetched_at"] > fetched, what="fresh data from the new leader")
    assert time.monotonic() - died < TTL + 2 * INTERVAL + 1.0


def test_a_frozen_leader_resumed_writes_nothing(stack: Stack) -> None:
    leader, first = two_pollers(stack)
    leader.signal(signal.SIGSTOP)
    try:
        until(lambda: leader_pid(stack) not in (None, first), timeout=10, what="a new leader")
        epoch = meta(stack)["epoch"]
    finally:
        leader.signal(signal.SIGCONT)
    until(lambda: "lease lost" in leader.output(), timeout=10, what="the old leader to notice")
    # Several more polls later, everything still comes from the new leader's epoch.
    polls = meta(stack)["polls"]
    until(lambda: meta(stack)["polls"] >= polls + 4, what="more polls")
    assert meta(stack)["epoch"] == epoch and leader_pid(stack) != first


def test_redis_restart_is_survived(stack: Stack, tmp_path: Any) -> None:
    sim = stack.simulator()
    state = quiet(sim)
    code = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    redis = EmbeddedRedis().start()
    stack.use_redis(redis.url)
    try:
        pollers(stack, 1)
        web = stack.web()
        until(lambda: agent_in(snapshot(web), code), what="data")
        port = redis.port
        redis.stop()
        until(lambda: httpx_status(web, "/readyz") == 503, what="/readyz failing without Redis")
        control(sim, "POST", f"agents/{code}", json={"state": "paused", "pause_code": "10"})
        redis = EmbeddedRedis(port).start()  # empty: Redis lost everything
        until(
            lambda: (agent_in(safe_snapshot(web), code) or {}).get("state") == "paused",
            timeout=20,
            what="the change after Redis came back",
        )
        assert all(p.process and p.process.poll() is None for p in stack.procs)
    finally:
        redis.stop()


def httpx_status(proc: Proc, path: str) -> int:
    return httpx.get(f"{proc.url}{path}", timeout=5).status_code


def safe_snapshot(web: Proc) -> dict[str, Any]:
    """The snapshot, or an empty one while the web process answers 503 (Redis down)."""
    try:
        return snapshot(web)
    except httpx.HTTPStatusError:
        return {"agents": []}
