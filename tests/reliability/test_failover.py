"""Matrix row: the leader poller killed, or frozen with SIGSTOP: a standby takes over within the
lease TTL. That a frozen leader, resumed, writes nothing is
``tests/integration/test_poller.py::test_a_frozen_leader_resumed_writes_nothing``; here, how
long the floor goes without a leader."""

from __future__ import annotations

import signal
import time

import pytest
import redis as redis_sync

from tests.harness import Stack
from tests.integration.test_poller import TTL, leader_pid, meta, two_pollers
from tests.waiting import until
from wallboard.store.keys import Keys

# The test's own polling (50 ms) and a loaded CI machine.
SLACK = 0.2


def lease_value(stack: Stack) -> bytes | None:
    client = redis_sync.Redis.from_url(stack.redis_url)
    try:
        value: bytes | None = client.get(Keys(stack.prefix).lease)
    finally:
        client.close()
    return value


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "frozen"])
def test_a_standby_takes_over_within_the_lease_ttl(stack: Stack, sig: signal.Signals) -> None:
    leader, first = two_pollers(stack)
    held = until(lambda: lease_value(stack), what="the lease")
    leader.signal(sig)
    hit = time.monotonic()
    try:
        until(lambda: lease_value(stack) not in (None, held), what="a new lease holder")
        took_lease = time.monotonic() - hit
        fetched = meta(stack)["fetched_at"]
        until(lambda: leader_pid(stack) not in (None, first), what="data from the new leader")
        until(lambda: meta(stack)["fetched_at"] > fetched, what="a fresh poll")
        first_poll = time.monotonic() - hit
    finally:
        if sig == signal.SIGSTOP:
            leader.signal(signal.SIGCONT)
    print(
        f"\nleader {sig.name}: lease taken over after {took_lease:.2f} s, "
        f"new data after {first_poll:.2f} s (TTL {TTL} s)"
    )
    assert took_lease <= TTL + SLACK
