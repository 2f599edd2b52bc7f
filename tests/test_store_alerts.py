"""Alerts in a real Redis: two writers, neither losing the other's change; the lease fence."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from wallboard.model.alert import Alert, Outcome, acknowledge, reconcile
from wallboard.store.alerts import AlertStore, LeaseGone
from wallboard.store.keys import Keys

RED = {("300", "waiting"): ("red", 9.0)}


@pytest.fixture
def store(redis: Redis, prefix: str) -> AlertStore:
    return AlertStore(redis, Keys(prefix))


async def test_raise_then_clear_into_history(store: AlertStore) -> None:
    before = await store.revision()
    raised = await store.update(lambda alerts: reconcile(alerts, RED, 100))
    assert [a.metric for a in await store.open_alerts()] == ["waiting"]
    assert await store.revision() > before
    await store.update(lambda alerts: reconcile(alerts, {}, 101, clear_after_s=0))
    assert await store.open_alerts() == []
    history = await store.history()
    assert [(a.id, a.state) for a in history] == [(raised.alerts[0].id, "cleared")]


async def test_an_acknowledgement_is_not_lost_to_a_concurrent_poll(store: AlertStore) -> None:
    await store.update(lambda alerts: reconcile(alerts, RED, 100))
    first_read = asyncio.Event()
    acked = asyncio.Event()

    async def slow_poll(alerts: list[Alert]) -> Outcome:
        # The poller read the alerts; a supervisor acknowledges before it writes.
        first_read.set()
        await acked.wait()
        return reconcile(alerts, {("300", "waiting"): ("yellow", 10.0)}, 103)

    def ack(alerts: list[Alert]) -> Outcome:
        return Outcome([acknowledge(alerts[0], "sup", "seen", 102)], [])

    poll = asyncio.create_task(store.update(slow_poll))
    await first_read.wait()
    await store.update(ack)
    acked.set()
    await poll
    (alert,) = await store.open_alerts()
    assert (alert.state, alert.acked_by, alert.level, alert.value) == (
        "acknowledged",
        "sup",
        "yellow",
        10.0,
    )


async def test_a_poller_without_the_lease_writes_nothing(store: AlertStore, redis: Redis,
                                                         prefix: str) -> None:  # fmt: skip
    lease = Keys(prefix).lease
    await redis.set(lease, "2:other")
    with pytest.raises(LeaseGone):
        await store.update(lambda alerts: reconcile(alerts, RED, 100), lease=(lease, "1:me"))
    assert await store.open_alerts() == []
    await redis.set(lease, "1:me")
    await store.update(lambda alerts: reconcile(alerts, RED, 100), lease=(lease, "1:me"))
    assert len(await store.open_alerts()) == 1
