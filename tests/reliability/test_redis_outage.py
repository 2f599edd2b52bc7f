"""Matrix row: Redis stopped and restarted (empty, as after an upgrade without persistence).

That the poller and the web carry on without a restart and the data resumes is
``tests/integration/test_poller.py::test_redis_restart_is_survived``; here, what screens show
meanwhile: stale, never old data presented as live, and in sync again afterwards.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.drive import agent_in, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.reliability.sse import Fleet
from tests.waiting import until
from wallboard.processes import EmbeddedRedis

FAST = {"WALLBOARD_LEASE_TTL": "1.5", "WALLBOARD_POLL_INTERVAL": "0.5"}


def in_sync(fleet: Fleet, web: Proc) -> bool:
    return fleet.in_sync(web.port or 0, snapshot(web))


def observe(web: Proc, fleet: Fleet, code: str) -> list[tuple[str, bool, str | None]]:
    """What the API and each screen show now: (who, stale, the agent's state)."""
    seen: list[tuple[str, bool, str | None]] = []
    try:
        snap = httpx.get(f"{web.url}/api/snapshot", timeout=5)
        if snap.status_code == 200:
            body: dict[str, Any] = snap.json()
            seen.append(("api", body["stale"], (agent_in(body, code) or {}).get("state")))
    except httpx.HTTPError:
        pass
    pages = fleet.call(
        lambda: [(c.page.stale, c.page.agent_states().get(code)) for c in fleet.clients]
    )
    seen += [("screen", bool(stale), state) for stale, state in pages]
    return seen


def test_screens_during_a_redis_restart(stack: Stack) -> None:
    sim = stack.simulator()
    state = quiet(sim)
    code = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    set_agent(sim, code, "available")
    redis = EmbeddedRedis().start()
    stack.use_redis(redis.url)
    fleet = None
    try:
        stack.poller(**FAST)
        web = stack.web(**FAST)
        assert web.port
        until(lambda: (agent_in(snapshot(web), code) or {}).get("state") == "available")
        fleet = Fleet([web.port], 3)
        until(lambda: in_sync(fleet, web), what="screens in sync")
        port = redis.port
        redis.stop()
        stopped = time.monotonic()
        until(
            lambda: fleet.call(lambda: all(c.page.stale for c in fleet.clients)),
            what="every screen marked stale",
        )
        marked = time.monotonic() - stopped
        set_agent(sim, code, "paused", "10")  # a change nobody can publish yet
        seen = []
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            seen += observe(web, fleet, code)
            time.sleep(0.1)
        redis = EmbeddedRedis(port).start()
        restarted = time.monotonic()

        def recovered() -> bool:
            seen.extend(observe(web, fleet, code))
            try:
                paused = (agent_in(snapshot(web), code) or {}).get("state") == "paused"
                return paused and in_sync(fleet, web)
            except httpx.HTTPStatusError:
                return False  # a 503 while the web's Redis connections come back

        until(recovered, timeout=20, what="screens in sync with the new data")
        back = time.monotonic() - restarted
        print(
            f"\nRedis down: screens stale after {marked:.2f} s; in sync {back:.2f} s after restart"
        )
        old_as_live = [s for s in seen if not s[1] and s[2] != "paused"]
        assert old_as_live == [], "old data shown as live"
        assert all(p.process and p.process.poll() is None for p in stack.procs)
        assert fleet.call(lambda: [c.errors for c in fleet.clients if c.errors]) == []
    finally:
        if fleet is not None:
            fleet.close()
        redis.stop()
