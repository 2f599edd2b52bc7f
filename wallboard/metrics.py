"""Prometheus metrics: the registry, the objects others increment, the poller's figures.

The poller publishes its figures in a small Redis hash per poller (under the key prefix, with
an expiry, indexed by a sorted set), and every web process reads them at scrape time and adds
them to its own ``/metrics``: one scrape target kind, the web, covers everything. The web's own
figures (SSE clients, events, bytes, slow clients) are read from the hub's counters at scrape
time, so the hot path pays nothing for them.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import time
from asyncio import all_tasks
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from redis.exceptions import RedisError

from wallboard.model.alert import Alert
from wallboard.store.alerts import AlertStore
from wallboard.store.connection import connect_sync
from wallboard.store.keys import Keys
from wallboard.store.screens import ScreenStore, is_connected, is_silent

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Poll durations: a healthy QueueMetrics answers in tens of milliseconds; the tail up to the
# read timeout is what an operator needs to see coming.
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# A poller's figures vanish this long after its last report, so a dead poller drops out.
FIGURES_TTL_S = 60.0

# `*_created` series double the output and no dashboard of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

# Defined here so that the actions and the login (being built elsewhere) only increment them:
# ACTIONS.labels(action="pause", result="ok").inc(); LOGINS.labels(result="denied").inc().
ACTIONS = Counter(
    "wallboard_actions",
    "Supervisor actions (pause, unpause, broadcast) by result (ok, refused, error, ...)",
    ["action", "result"],
    registry=REGISTRY,
)
LOGINS = Counter(
    "wallboard_logins",
    "Browser logins by result (ok, denied, unavailable, ...)",
    ["result"],
    registry=REGISTRY,
)


class PollerFigures:
    """The poller's counters, kept in process and published to Redis as one small hash."""

    def __init__(self, redis: Redis, prefix: str, identity: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.identity = identity
        self.polls = 0
        self.errors: dict[str, int] = {}
        self.consecutive_failures = 0
        self.duration_sum = 0.0
        self.buckets = [0] * len(BUCKETS)
        self.last_duration = 0.0
        self.last_success: float | None = None

    def record(self, duration: float, error_kind: str | None) -> None:
        self.polls += 1
        self.duration_sum += duration
        self.last_duration = duration
        for i, bound in enumerate(BUCKETS):
            if duration <= bound:
                self.buckets[i] += 1
        if error_kind:
            self.errors[error_kind] = self.errors.get(error_kind, 0) + 1
            self.consecutive_failures += 1
        else:
            self.consecutive_failures = 0
            self.last_success = time.time()

    def fields(self, leader: bool, epoch: int | None) -> dict[str, str]:
        fields = {
            "polls": str(self.polls),
            "duration_sum": repr(self.duration_sum),
            "last_duration": repr(self.last_duration),
            "consecutive_failures": str(self.consecutive_failures),
            "leader": "1" if leader else "0",
            "epoch": str(epoch or 0),
            "last_success": repr(self.last_success or 0.0),
            "updated": repr(time.time()),
            "host": socket.gethostname(),
        }
        fields.update({f"errors:{kind}": str(n) for kind, n in self.errors.items()})
        fields.update({f"bucket:{b}": str(n) for b, n in zip(BUCKETS, self.buckets, strict=True)})
        return fields

    async def publish(self, leader: bool, epoch: int | None) -> None:
        """Never raises: metrics must not stop a poll."""
        key = Keys(self.prefix).poller_figures(self.identity)
        index = Keys(self.prefix).poller_metrics
        now = time.time()
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.hset(key, mapping=self.fields(leader, epoch))  # type: ignore[arg-type]
                pipe.pexpire(key, int(FIGURES_TTL_S * 1000))
                pipe.zadd(index, {self.identity: now})
                pipe.zremrangebyscore(index, "-inf", now - FIGURES_TTL_S)
                await pipe.execute()
        except RedisError:
            pass


async def read_figures(redis: Redis, prefix: str) -> dict[str, dict[str, str]]:
    """Every live poller's figures by identity; raises RedisError when Redis does not answer."""
    identities = [
        i.decode() if isinstance(i, bytes) else str(i)
        for i in await redis.zrange(Keys(prefix).poller_metrics, 0, -1)
    ]
    if not identities:
        return {}
    async with redis.pipeline(transaction=False) as pipe:
        for identity in identities:
            pipe.hgetall(Keys(prefix).poller_figures(identity))
        hashes = await pipe.execute()
    figures: dict[str, dict[str, str]] = {}
    for identity, raw in zip(identities, hashes, strict=True):
        if raw:
            figures[identity] = {_text(k): _text(v) for k, v in raw.items()}
    return figures


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _num(value: str | None) -> float:
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def poller_families(figures: dict[str, dict[str, str]]) -> Iterator[Metric]:
    polls = CounterMetricFamily(
        "wallboard_poller_polls", "Real-time polls made by each poller", labels=["poller"]
    )
    errors = CounterMetricFamily(
        "wallboard_poller_upstream_errors",
        "Failed real-time polls by kind (unreachable, auth, protocol, refused, ...)",
        labels=["poller", "kind"],
    )
    duration = HistogramMetricFamily(
        "wallboard_poller_poll_duration_seconds",
        "Duration of a real-time poll, QueueMetrics' answer included",
        labels=["poller"],
    )
    leader = GaugeMetricFamily(
        "wallboard_poller_leader", "1 for the poller holding the lease", labels=["poller"]
    )
    epoch = GaugeMetricFamily(
        "wallboard_poller_epoch", "Lease epoch the poller last held", labels=["poller"]
    )
    success = GaugeMetricFamily(
        "wallboard_poller_last_success_timestamp_seconds",
        "When the poller's last successful poll ended (epoch seconds; 0 if none)",
        labels=["poller"],
    )
    failing = GaugeMetricFamily(
        "wallboard_poller_consecutive_failures",
        "Failed polls in a row (the backoff grows with it)",
        labels=["poller"],
    )
    reported = GaugeMetricFamily(
        "wallboard_poller_report_timestamp_seconds",
        "When the poller last published its figures (epoch seconds)",
        labels=["poller"],
    )
    for name, f in sorted(figures.items()):
        polls.add_metric([name], _num(f.get("polls")))
        for field, value in sorted(f.items()):
            if field.startswith("errors:"):
                errors.add_metric([name, field.split(":", 1)[1]], _num(value))
        cumulative = [(repr(b), _num(f.get(f"bucket:{b}"))) for b in BUCKETS]
        cumulative.append(("+Inf", _num(f.get("polls"))))
        duration.add_metric([name], cumulative, _num(f.get("duration_sum")))
        leader.add_metric([name], _num(f.get("leader")))
        epoch.add_metric([name], _num(f.get("epoch")))
        success.add_metric([name], _num(f.get("last_success")))
        failing.add_metric([name], _num(f.get("consecutive_failures")))
        reported.add_metric([name], _num(f.get("updated")))
    yield from (polls, errors, duration, leader, epoch, success, failing, reported)


class HubFigures(Protocol):
    """What the web's hub offers; read at scrape time (metrics never imports the web)."""

    @property
    def events_sent(self) -> int: ...

    @property
    def bytes_sent(self) -> int: ...

    @property
    def dropped(self) -> int: ...

    @property
    def meta(self) -> dict[str, Any]: ...

    @property
    def fresh(self) -> dict[str, Any]: ...

    @property
    def clients(self) -> int: ...


def web_families(hub: HubFigures, now: float) -> Iterator[Metric]:
    yield GaugeMetricFamily(
        "wallboard_sse_clients", "SSE clients connected to this process", value=hub.clients
    )
    yield CounterMetricFamily(
        "wallboard_sse_events", "SSE events written to clients", value=hub.events_sent
    )
    yield CounterMetricFamily(
        "wallboard_sse_bytes", "SSE bytes written to clients", value=hub.bytes_sent
    )
    yield CounterMetricFamily(
        "wallboard_sse_slow_clients_dropped",
        "SSE clients dropped because they could not keep up",
        value=hub.dropped,
    )
    fetched = hub.meta.get("fetched_at")
    if isinstance(fetched, int | float):
        yield GaugeMetricFamily(
            "wallboard_data_age_seconds",
            "Age of the data, from the last successful poll, as this process sees it",
            value=max(0.0, now - fetched),
        )
    yield GaugeMetricFamily(
        "wallboard_data_stale", "1 while the data is stale", value=1 if hub.fresh["stale"] else 0
    )
    active = GaugeMetricFamily(
        "wallboard_active_poller", "The poller whose data is served (1)", labels=["poller"]
    )
    if hub.meta.get("poller"):
        active.add_metric([str(hub.meta["poller"])], 1)
    yield active


def alert_families(stats: dict[str, float], open_alerts: list[Alert]) -> Iterator[Metric]:
    """The alerts' figures, the same on every web process (they live in Redis). Seconds to
    acknowledge as a total, so that rate(seconds) / rate(acknowledged) is the mean."""
    yield CounterMetricFamily(
        "wallboard_alerts_raised", "Alerts raised by the poller", value=stats.get("raised", 0.0)
    )
    yield CounterMetricFamily(
        "wallboard_alerts_acknowledged",
        "Alerts acknowledged or snoozed by a supervisor",
        value=stats.get("acknowledged", 0.0),
    )
    yield CounterMetricFamily(
        "wallboard_alerts_ack_seconds",
        "Seconds from raising to acknowledging or snoozing, summed over those alerts",
        value=stats.get("ack_seconds", 0.0),
    )
    by_level = GaugeMetricFamily(
        "wallboard_alerts_open", "Alerts not cleared yet, by level", labels=["level"]
    )
    for level in ("yellow", "red"):
        by_level.add_metric([level], sum(1 for a in open_alerts if a.level == level))
    yield by_level


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def screen_families(screens: list[dict[str, Any]], now: float) -> Iterator[Metric]:
    """The screens' figures, the same on every web process (the registry lives in Redis): a
    screen is connected while a stream of its is open or it polled in the last 15 s, silent
    when not seen for over a minute."""
    connected = [s for s in screens if is_connected(s, now)]
    yield GaugeMetricFamily("wallboard_screens", "Screens known", value=len(screens))
    yield GaugeMetricFamily(
        "wallboard_screens_connected", "Screens connected now", value=len(connected)
    )
    yield GaugeMetricFamily(
        "wallboard_screens_silent",
        "Screens not seen for over a minute",
        value=sum(1 for s in screens if is_silent(s, now)),
    )
    by_build = GaugeMetricFamily(
        "wallboard_screens_by_build", "Connected screens by the build they run", labels=["build"]
    )
    builds: dict[str, int] = {}
    for screen in connected:
        builds[screen.get("build") or "unknown"] = (
            builds.get(screen.get("build") or "unknown", 0) + 1
        )
    for build, count in sorted(builds.items()):
        by_build.add_metric([build], count)
    yield by_build


def gc_family(paused: Sequence[float]) -> Metric:
    family = CounterMetricFamily(
        "wallboard_gc_pause_seconds",
        "Seconds the garbage collector held this process, by generation (2: full collections)",
        labels=["generation"],
    )
    for generation, seconds in enumerate(paused):
        family.add_metric([str(generation)], seconds)
    return family


async def exposition(
    hub: HubFigures, redis: Redis, prefix: str, gc_paused: Sequence[float] = ()
) -> bytes:
    """The text exposition: this process, its hub, and every live poller's figures."""
    families: list[Metric] = [*REGISTRY.collect(), *web_families(hub, time.time())]
    families.append(gc_family(gc_paused))
    # Tasks grow with clients and must come back down when they leave: a leak shows here first.
    families.append(
        GaugeMetricFamily(
            "wallboard_asyncio_tasks", "asyncio tasks alive in this process", value=len(all_tasks())
        )
    )
    try:
        figures = await read_figures(redis, prefix)
        alerts = AlertStore(redis, Keys(prefix))
        families.extend(alert_families(await alerts.stats(), await alerts.open_alerts()))
        screens = await ScreenStore(redis, Keys(prefix)).all()
        families.extend(screen_families(screens, time.time()))
        up = 1
    except RedisError:
        figures, up = {}, 0
    families.append(
        GaugeMetricFamily("wallboard_redis_up", "1 when Redis answered this scrape", value=up)
    )
    families.extend(poller_families(figures))
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Families(families))
    return generate_latest(scrape)


def check_poller(max_age: float | None = None) -> int:
    """Container healthcheck of a poller: a poller on this host reported recently.

    Exit status 0 or 1, for ``HEALTHCHECK``. Leader and standby both report every third of the
    lease TTL, so three missed reports (30 s at least) mean a wedged or cut-off poller.
    """
    from wallboard.settings import Settings

    settings = Settings()
    limit = max_age if max_age is not None else max(30.0, settings.lease_ttl_s)
    prefix = settings.redis_prefix
    host = socket.gethostname()
    client = connect_sync(settings.redis_url)
    try:
        for raw in client.zrange(Keys(prefix).poller_metrics, 0, -1):
            identity = _text(raw)
            if not identity.startswith(f"{host}:"):
                continue
            updated = _num(
                _text(client.hget(Keys(prefix).poller_figures(identity), "updated") or "")
            )
            if time.time() - updated < limit:
                return 0
    except RedisError as exc:
        print(f"Redis: {exc}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(RedisError):
            client.close()
    print(f"no poller on {host} reported in the last {limit:.0f} s", file=sys.stderr)
    return 1
