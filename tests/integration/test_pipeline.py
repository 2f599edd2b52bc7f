"""The whole path with real processes: simulator → poller → Redis → web → SSE client."""

from __future__ import annotations

import queue
import threading

import httpx

from tests.drive import agent_in, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until
from wallboard.web.fragments import dom_id


def first_agent(sim: Proc) -> str:
    """An agent made available in a quiet simulator."""
    state = quiet(sim)
    code: str = next(a["agent"] for a in state["agents"] if a["logged_queues"])
    set_agent(sim, code, "available")
    return code


def floor_on_screen(stack: Stack) -> tuple[Proc, Proc, str]:
    """The simulator, a poller, a web process; the agent the test drives, once the web has it."""
    sim = stack.simulator()
    code = first_agent(sim)
    stack.poller()
    web = stack.web()
    until(lambda: agent_in(snapshot(web), code), what="a first snapshot")
    return sim, web, code


def test_snapshot_follows_the_simulator(stack: Stack) -> None:
    sim, web, code = floor_on_screen(stack)
    set_agent(sim, code, "paused", "10")
    paused = until(
        lambda: (agent_in(snapshot(web), code) or {}).get("state") == "paused",
        what=f"{code} paused in /api/snapshot",
    )
    assert paused
    snap = snapshot(web)
    assert snap["stale"] is False and snap["error"] is None
    assert agent_in(snap, code)["pause_code"] == "10"  # type: ignore[index]
    set_agent(sim, code, "available")
    until(lambda: (agent_in(snapshot(web), code) or {}).get("state") == "available")


def read_events(url: str, events: queue.Queue[str], stop: threading.Event) -> None:
    with httpx.stream("GET", url, timeout=httpx.Timeout(10, read=30)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        buffer = ""
        for chunk in response.iter_text():
            buffer += chunk
            while "\r\n\r\n" in buffer or "\n\n" in buffer:
                sep = "\r\n\r\n" if "\r\n\r\n" in buffer else "\n\n"
                event, buffer = buffer.split(sep, 1)
                events.put(event)
            if stop.is_set():
                return


def test_an_sse_client_receives_the_change(stack: Stack) -> None:
    sim, web, code = floor_on_screen(stack)
    events: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(
        target=read_events, args=(f"{web.url}/events", events, stop), daemon=True
    )
    reader.start()
    first = events.get(timeout=10)
    assert "retry:" in first and 'id="agents"' in first
    set_agent(sim, code, "paused", "10")
    tile = dom_id("agents", code)

    def paused_event() -> str | None:
        try:
            event = events.get(timeout=0.2)
        except queue.Empty:
            return None
        return event if tile in event and "st-paused" in event else None

    event = until(paused_event, what="an SSE event with the paused tile")
    assert "\nid: " in f"\n{event}" and 'hx-swap-oob="true"' in event
    # Let the reader leave on its own (it sees the stop at the next heartbeat) before the
    # web process goes away under it: a broken stream in a thread would outlive the test.
    stop.set()
    reader.join(15)
    assert not reader.is_alive()
