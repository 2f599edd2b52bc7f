"""Matrix rows: a web process killed under its clients; SIGTERM with clients connected."""

from __future__ import annotations

import signal
import time

from tests.drive import agent_in, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.reliability.sse import Client, Fleet, full_page, snapshot_agents
from tests.waiting import until

FAST = {"WALLBOARD_LEASE_TTL": "1.5", "WALLBOARD_POLL_INTERVAL": "0.5"}


def settled(fleet: Fleet, web: Proc) -> bool:
    """Every client shows what the snapshot holds, at the snapshot's version, as a new client
    would be shown it."""
    snap = snapshot(web)
    expected = full_page(web.port or 0).data()

    def check(c: Client) -> bool:
        return (
            c.last_id == snap["version"]
            and c.page.agent_states() == snapshot_agents(snap)
            and c.page.data() == expected
        )

    return fleet.call(lambda: all(check(c) for c in fleet.clients))


def test_clients_of_a_killed_web_resume_on_another(stack: Stack) -> None:
    sim = stack.simulator()
    state = quiet(sim)
    code = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    set_agent(sim, code, "available")
    stack.poller(**FAST)
    first, second = stack.web(), stack.web()
    for web in (first, second):
        until(lambda web=web: agent_in(snapshot(web), code), what="data on both webs")
    assert first.port and second.port
    fleet = Fleet([first.port, second.port], 5)
    try:
        until(lambda: fleet.call(lambda: all(c.port == first.port for c in fleet.clients)))
        until(lambda: settled(fleet, first), what="clients in sync")
        first.stop(signal.SIGKILL)
        killed = time.monotonic()
        set_agent(sim, code, "paused", "10")  # a change while they are away
        until(lambda: fleet.call(lambda: all(c.port == second.port for c in fleet.clients)))
        moved = time.monotonic() - killed
        until(
            lambda: (agent_in(snapshot(second), code) or {}).get("state") == "paused",
            what="the change in the snapshot",
        )
        until(lambda: settled(fleet, second), what="resynchronized")
        synced = time.monotonic() - killed
        print(f"\nweb killed: clients on the other web after {moved:.2f} s, in sync {synced:.2f} s")
        assert fleet.call(lambda: [c.errors for c in fleet.clients if c.errors]) == []
        assert all(c.page.agent_states()[code] == "paused" for c in fleet.clients)
    finally:
        fleet.close()


def test_sigterm_with_clients_connected_stops_within_10_s(stack: Stack) -> None:
    stack.simulator()
    stack.poller(**FAST)
    web = stack.web()
    until(lambda: snapshot(web)["agents"], what="data")
    assert web.port
    fleet = Fleet([web.port], 50, retry_s=30)
    try:
        until(lambda: fleet.call(lambda: all(c.connected.is_set() for c in fleet.clients)))
        took = web.stop(signal.SIGTERM, timeout=15)
        print(f"\nSIGTERM with 50 SSE clients: exited in {took:.2f} s")
        # uvicorn re-raises the signal once it has shut down: -SIGTERM is its own clean exit.
        assert web.process is not None and web.process.returncode in (0, -signal.SIGTERM)
        assert took < 10
        until(lambda: fleet.call(lambda: all(c.endings == 1 for c in fleet.clients)))
    finally:
        fleet.close()
