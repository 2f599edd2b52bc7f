"""Matrix row: a slow SSE client. It never reads; its buffer is bounded, so the web process's
memory stays bounded, the others go on receiving, and it is dropped; when it reads again it
finds its stream ended and resumes from its last id like any other client."""

from __future__ import annotations

import socket
import time

from tests.drive import quiet, snapshot
from tests.harness import Proc, Stack, rss_bytes
from tests.integration.test_operations import scrape, total
from tests.reliability.sse import Fleet, replay
from tests.waiting import until

DROPPED = "wallboard_sse_slow_clients_dropped_total"
ENV = {"WALLBOARD_POLL_INTERVAL": "0.1", "WALLBOARD_LEASE_TTL": "1.5"}


def rss_mb(proc: Proc) -> float:
    return rss_bytes(proc.pid) / 2**20


def in_sync(fleet: Fleet, web: Proc) -> bool:
    return fleet.in_sync(web.port or 0, snapshot(web))


def test_a_slow_client_is_dropped_and_nobody_else_notices(stack: Stack) -> None:
    # A busy floor: many agents, simulated time five times faster, polled ten times a second.
    sim = stack.simulator("--speed", "10", agents=200, queues=8)
    stack.poller(**ENV)
    web = stack.web(
        **ENV, WALLBOARD_CLIENT_QUEUE_SIZE="4", WALLBOARD_KEEPALIVE="1", WALLBOARD_SEND_TIMEOUT="2"
    )
    assert web.port
    until(lambda: snapshot(web)["agents"], what="data")
    others = Fleet([web.port], 3)
    slow = socket.socket()
    try:
        until(lambda: others.call(lambda: all(c.connected.is_set() for c in others.clients)))
        before = rss_mb(web)
        # A small receive window: what the web process cannot send stays in its own buffers.
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", web.port))
        slow.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        stalled = time.monotonic()
        sent = total(scrape(web), "wallboard_sse_bytes_total")
        events = others.call(lambda: [c.events for c in others.clients])
        peak = before
        while not total(scrape(web), DROPPED):
            peak = max(peak, rss_mb(web))
            assert time.monotonic() - stalled < 60, "the slow client was never dropped"
            time.sleep(0.2)
        took = time.monotonic() - stalled
        rate = (total(scrape(web), "wallboard_sse_bytes_total") - sent) / took / 4 / 1000
        after = others.call(lambda: [c.events for c in others.clients])
        fewest = min(a - b for a, b in zip(after, events, strict=True))
        print(
            f"\nslow client dropped after {took:.1f} s; web RSS {before:.1f} MB before, "
            f"{peak:.1f} MB at most meanwhile; each other client got {fewest}+ events meanwhile "
            f"({rate:.0f} kB/s each)"
        )
        assert peak - before < 20, "memory stays bounded while a client does not read"
        assert all(a > b for a, b in zip(after, events, strict=True)), "the others carried on"
        assert others.call(lambda: [c.endings for c in others.clients]) == [0, 0, 0]

        # It reads again: what was buffered, then its connection ends (closed once a write to it
        # blocked for the send timeout, or its stream ended).
        slow.settimeout(10)
        received = b""
        while not received.endswith(b"\r\n0\r\n\r\n"):
            chunk = slow.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        seen = replay(received)
        assert seen.last_id and seen.page.agent_states(), "it had a page before it stalled"
        resumed = Fleet([web.port], 1, resume=seen)
        try:
            quiet(sim)  # let the floor settle
            until(lambda: in_sync(others, web) and in_sync(resumed, web), 20, "all in sync")
        finally:
            resumed.close()
    finally:
        slow.close()
        others.close()
