"""The alerts' figures in /metrics: read from Redis at scrape time (the same on every web)."""

from __future__ import annotations

from redis.asyncio import Redis

from tests.test_metrics import FakeHub, samples
from wallboard import metrics
from wallboard.model.alert import Alert, AlertState, Outcome
from wallboard.model.state import Level
from wallboard.store.alerts import AlertStore
from wallboard.store.keys import Keys


def alert(ident: str, level: Level, state: AlertState = "active") -> Alert:
    return Alert(id=ident, queue="300", metric="waiting", level=level, value=3.0, since=1.0,
                 state=state)  # fmt: skip


async def test_raised_acknowledged_seconds_and_open_by_level(redis: Redis, prefix: str) -> None:
    store = AlertStore(redis, Keys(prefix))
    opened = [alert("a", "red"), alert("b", "red", "acknowledged"), alert("c", "yellow")]
    gone = alert("d", "yellow", "cleared")  # written to the history, not open
    await store.update(lambda current: Outcome([*opened, gone], []))
    await store.count(raised=4)
    await store.count(acknowledged=1, ack_seconds=12.5)
    await store.count(acknowledged=1, ack_seconds=30.0)
    got = samples(await metrics.exposition(FakeHub(), redis, prefix))
    assert got[("wallboard_alerts_raised_total", ())] == 4
    assert got[("wallboard_alerts_acknowledged_total", ())] == 2
    assert got[("wallboard_alerts_ack_seconds_total", ())] == 42.5
    assert got[("wallboard_alerts_open", (("level", "red"),))] == 2
    assert got[("wallboard_alerts_open", (("level", "yellow"),))] == 1


async def test_no_alerts_yet_reads_zero(redis: Redis, prefix: str) -> None:
    got = samples(await metrics.exposition(FakeHub(), redis, prefix))
    assert got[("wallboard_alerts_raised_total", ())] == 0
    assert got[("wallboard_alerts_open", (("level", "red"),))] == 0
