"""The metrics module: the poller's figures through Redis, the hub's figures, the exposition."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from wallboard import metrics
from wallboard.processes import EmbeddedRedis, free_port
from wallboard.store.keys import Keys


@dataclass
class FakeHub:
    events_sent: int = 0
    bytes_sent: int = 0
    dropped: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    fresh: dict[str, Any] = field(default_factory=lambda: {"stale": True})
    connected: int = 0

    @property
    def clients(self) -> int:
        return self.connected


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text.decode()):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def test_figures_count_polls_errors_and_durations() -> None:
    figures = metrics.PollerFigures(None, "p:", "host:1")  # type: ignore[arg-type]
    figures.record(0.03, None)
    figures.record(0.7, "unreachable")
    figures.record(20.0, "unreachable")
    figures.record(0.01, "auth")
    fields = figures.fields(leader=True, epoch=7)
    assert fields["polls"] == "4"
    assert fields["errors:unreachable"] == "2" and fields["errors:auth"] == "1"
    assert fields["consecutive_failures"] == "3"
    assert fields["leader"] == "1" and fields["epoch"] == "7"
    assert float(fields["last_success"]) > 0
    assert fields["bucket:0.025"] == "1"  # 0.01
    assert fields["bucket:0.05"] == "2"  # + 0.03
    assert fields["bucket:1.0"] == "3"  # + 0.7; 20 s is only in +Inf
    assert fields["bucket:10.0"] == "3"
    figures.record(0.02, None)
    assert figures.fields(False, 7)["consecutive_failures"] == "0"


async def test_figures_travel_through_redis_to_the_exposition(redis: Redis, prefix: str) -> None:
    leader = metrics.PollerFigures(redis, prefix, "a:1")
    standby = metrics.PollerFigures(redis, prefix, "b:2")
    leader.record(0.2, None)
    leader.record(0.4, "protocol")
    await leader.publish(True, 3)
    await standby.publish(False, None)
    hub = FakeHub(events_sent=5, bytes_sent=900, dropped=1, connected=2)
    hub.meta = {"poller": "a:1", "fetched_at": 1.0}
    text = await metrics.exposition(hub, redis, prefix)
    got = samples(text)
    assert got[("wallboard_poller_polls_total", (("poller", "a:1"),))] == 2
    assert got[("wallboard_poller_polls_total", (("poller", "b:2"),))] == 0
    errors = (("kind", "protocol"), ("poller", "a:1"))
    assert got[("wallboard_poller_upstream_errors_total", errors)] == 1
    assert got[("wallboard_poller_leader", (("poller", "a:1"),))] == 1
    assert got[("wallboard_poller_leader", (("poller", "b:2"),))] == 0
    assert got[("wallboard_poller_epoch", (("poller", "a:1"),))] == 3
    count = ("wallboard_poller_poll_duration_seconds_count", (("poller", "a:1"),))
    assert got[count] == 2
    bucket = ("wallboard_poller_poll_duration_seconds_bucket", (("le", "0.25"), ("poller", "a:1")))
    assert got[bucket] == 1
    assert got[
        ("wallboard_poller_poll_duration_seconds_sum", (("poller", "a:1"),))
    ] == pytest.approx(0.6)
    assert got[("wallboard_active_poller", (("poller", "a:1"),))] == 1
    assert got[("wallboard_sse_clients", ())] == 2
    assert got[("wallboard_sse_events_total", ())] == 5
    assert got[("wallboard_sse_bytes_total", ())] == 900
    assert got[("wallboard_sse_slow_clients_dropped_total", ())] == 1
    assert got[("wallboard_data_stale", ())] == 1
    assert got[("wallboard_data_age_seconds", ())] > 1e9
    assert got[("wallboard_redis_up", ())] == 1
    assert "process_resident_memory_bytes" in {name for name, _ in got}


async def test_a_dead_pollers_figures_drop_out(redis: Redis, prefix: str) -> None:
    figures = metrics.PollerFigures(redis, prefix, "gone:9")
    await figures.publish(False, None)
    assert "gone:9" in await metrics.read_figures(redis, prefix)
    # Its hash expires (as after FIGURES_TTL_S); the index entry alone shows nothing.
    await redis.delete(Keys(prefix).poller_figures("gone:9"))
    assert await metrics.read_figures(redis, prefix) == {}
    assert await redis.pttl(Keys(prefix).poller_figures("x")) == -2


async def test_actions_and_logins_are_defined_for_their_builders(redis: Redis, prefix: str) -> None:
    metrics.ACTIONS.labels(action="pause", result="ok").inc()
    metrics.LOGINS.labels(result="denied").inc()
    got = samples(await metrics.exposition(FakeHub(), redis, prefix))
    assert got[("wallboard_actions_total", (("action", "pause"), ("result", "ok")))] >= 1
    assert got[("wallboard_logins_total", (("result", "denied"),))] >= 1
    assert not any(name.endswith("_created") for name, _ in got)


async def test_redis_down_still_answers_with_redis_up_zero() -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    try:
        got = samples(await metrics.exposition(FakeHub(connected=3), down, "x:"))
    finally:
        await down.aclose()
    assert got[("wallboard_redis_up", ())] == 0
    assert got[("wallboard_sse_clients", ())] == 3
    assert not any(name.startswith("wallboard_poller_polls") for name, _ in got)


async def test_poller_healthcheck(
    redis: Redis, redis_server: EmbeddedRedis, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WALLBOARD_REDIS_URL", redis_server.url)
    monkeypatch.setenv("WALLBOARD_REDIS_PREFIX", prefix)
    assert metrics.check_poller() == 1, "no poller has reported yet"
    other = metrics.PollerFigures(redis, prefix, "elsewhere:1")
    await other.publish(True, 1)
    assert metrics.check_poller() == 1, "a poller on another host does not count"
    mine = metrics.PollerFigures(redis, prefix, f"{socket.gethostname()}:42")
    await mine.publish(False, None)
    assert metrics.check_poller() == 0
    await redis.hset(Keys(prefix).poller_figures(mine.identity), "updated", "1000")
    assert metrics.check_poller() == 1, "a report long ago means a wedged poller"
    monkeypatch.setenv("WALLBOARD_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert metrics.check_poller() == 1
