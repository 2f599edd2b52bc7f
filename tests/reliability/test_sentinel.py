"""Matrix row: the Redis master killed (SIGKILL) under load, behind Redis Sentinel.

Real processes: a master, a replica and three sentinels, the simulator, a poller and two web
processes with SSE clients, all pointed at ``redis+sentinel://``. What must hold: the screens go
STALE and come back to the new master's data by themselves, no sample of ``/readyz``, the API or
a stream ever calls old data live, the poller's former lease is fenced, a session survives; then
the old master rejoins as a replica and nothing breaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ReadOnlyError, RedisError

from tests.drive import agent_in, quiet, set_agent, snapshot
from tests.harness import TEST_PACE, Proc, Stack
from tests.reliability.sentinels import DOWN_AFTER_MS, Sentinels, replication
from tests.reliability.sse import Client, Fleet
from tests.waiting import eventually, until
from wallboard.model.state import Agent, Floor, encode
from wallboard.store.connection import connect, connect_sync
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import Change, LeaseLost, SnapshotStore
from wallboard.web.follower import StreamFollower

FAST = {"WALLBOARD_LEASE_TTL": "1.5"}
# What the web calls stale (Settings.stale_after_s at a 0.5 s poll interval), and the slack of
# a sample: the web judges at its own instant, the test reads a moment later.
STALE_AFTER_S = 2 * float(TEST_PACE["WALLBOARD_POLL_INTERVAL"]) + 1.0
SLACK_S = 0.35
SUPERVISOR = ("demosupervisor", "demo")
_ATTR = re.compile(r'(data-stale|data-fetched-at|data-server-now)="([^"]*)"')


@dataclass
class Line:
    """One freshness line a stream carried: when the web rendered it, what it said."""

    server_now: float
    stale: bool
    fetched_at: float | None

    @property
    def old_as_live(self) -> bool:
        age = None if self.fetched_at is None else self.server_now - self.fetched_at
        return not self.stale and (age is None or age > STALE_AFTER_S + SLACK_S)


@dataclass
class Watch:
    """Every sample taken after the kill: the streams' freshness lines as they arrive, and
    what ``/readyz`` and the API of each web said when asked."""

    webs: list[Proc]
    code: str  # the agent whose state tells data from before the kill from data after it
    lines: list[Line] = field(default_factory=list)
    ready: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    api: list[tuple[int, bool, str | None]] = field(default_factory=list)

    def tap(self, fleet: Fleet) -> None:
        """Read every event block of every client before its page does."""

        def tap_all() -> None:
            for client in fleet.clients:
                self._tap(client)

        fleet.call(tap_all)

    def meanwhile(self, condition: Callable[[], bool]) -> Callable[[], bool]:
        """``condition``, sampling the webs each time it is asked."""

        def sampled() -> bool:
            self.sample()
            return condition()

        return sampled

    def _tap(self, client: Client) -> None:
        handle: Callable[[str], None] = client._handle

        def tapped(block: str) -> None:
            if 'id="freshness"' in block:
                self.lines.append(_line(block))
            handle(block)

        setattr(client, "_handle", tapped)  # noqa: B010 (the instance's own, not the class's)

    def sample(self) -> None:
        for web in self.webs:
            try:
                ready = httpx.get(f"{web.url}/readyz", timeout=2)
                self.ready.append((web.port or 0, ready.json()))
                snap = httpx.get(f"{web.url}/api/snapshot", timeout=2)
            except httpx.HTTPError:
                continue
            if snap.status_code == 200:
                body = snap.json()
                state = (agent_in(body, self.code) or {}).get("state")
                self.api.append((web.port or 0, bool(body["stale"]), state))


def _line(block: str) -> Line:
    start = block.index('id="freshness"')
    attrs = dict(_ATTR.findall(block[start : block.index(">", start)]))
    fetched = attrs.get("data-fetched-at", "")
    return Line(
        float(attrs["data-server-now"]), attrs["data-stale"] == "true", float(fetched or 0) or None
    )


class Churn:
    """Load: two agents flipped between available and paused, so every poll writes a delta."""

    def __init__(self, sim: Proc, codes: list[str]) -> None:
        self.sim, self.codes, self.stop = sim, codes, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        turn = 0
        while not self.stop.wait(0.15):  # pacing the load, not synchronising with it
            code = self.codes[turn % len(self.codes)]
            state = ("available", "paused")[(turn // len(self.codes)) % 2]
            with contextlib.suppress(httpx.HTTPError):
                set_agent(self.sim, code, state, "" if state == "available" else "10")
            turn += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


def ready_fresh(web: Proc) -> bool:
    try:
        return bool(httpx.get(f"{web.url}/readyz", timeout=2).json()["fresh"])
    except (httpx.HTTPError, ValueError, KeyError):
        return False


def logged_in(web: Proc) -> httpx.Client:
    client = httpx.Client(base_url=web.url, timeout=10, follow_redirects=False)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    form = {"username": SUPERVISOR[0], "password": SUPERVISOR[1], "csrf": csrf[1]}
    assert client.post("/login", data=form).status_code == 303
    return client


def lease_value(url: str, prefix: str) -> str | None:
    """The poller lease on the master now; ``None`` when there is none, or no master."""
    client = connect_sync(url)
    try:
        value = client.get(Keys(prefix).lease)
        return None if value is None else str(value)
    except RedisError:
        return None
    finally:
        client.close()


async def _publish_as(url: str, prefix: str, value: str) -> None:
    redis = connect(url)
    try:
        await SnapshotStore(redis, Keys(prefix)).publish(value, Floor(), {}, {"fetched_at": 0})
    finally:
        await redis.aclose()


def write_refused(url: str, prefix: str, value: str) -> bool:
    """Whether a write with the lease ``value`` is fenced off now."""
    try:
        asyncio.run(_publish_as(url, prefix, value))
    except LeaseLost:
        return True
    return False


def in_sync(fleet: Fleet, webs: list[Proc]) -> bool:
    """Every client equal to what each web shows a new client, and to each web's snapshot."""
    return not sync_gap(fleet, webs)


def sync_gap(fleet: Fleet, webs: list[Proc]) -> str:
    """Why the clients are not in sync with the webs; empty when they are."""
    try:
        for web in webs:
            if gap := fleet.gap(web.port or 0, snapshot(web)):
                return f"web {web.port}: {gap}"
    except httpx.HTTPError as exc:
        return f"a web did not answer: {exc!r}"
    return ""


@pytest.fixture
def group(tmp_path: Path, prefix: str, request: pytest.FixtureRequest) -> Iterator[Sentinels]:
    stack = Stack(tmp_path, "", prefix=prefix)
    stack.env.update({**TEST_PACE, **FAST})
    try:
        sentinels = Sentinels(stack, tmp_path).start()
        until(sentinels.master, what="the sentinels to agree on a master")
        stack.use_redis(sentinels.url)
        yield sentinels
    finally:
        stack.stop()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(stack.logs())


@dataclass
class Scene:
    """The floor under test: the simulator, the agent watched (``code``), the webs."""

    group: Sentinels
    prefix: str
    sim: Proc
    code: str
    webs: list[Proc]

    @property
    def url(self) -> str:
        return self.group.url

    def shows(self, web: Proc, state: str) -> bool:
        return (agent_in(snapshot(web), self.code) or {}).get("state") == state


def floor_on_sentinels(group: Sentinels, prefix: str) -> tuple[Scene, list[str]]:
    """The simulator (quiet: the test drives it), a poller and two webs; the agents to churn."""
    stack = group.stack
    sim = stack.simulator()
    agents = [a["agent"] for a in quiet(sim)["agents"] if a["logged_queues"]]
    set_agent(sim, agents[0], "available")
    stack.poller()
    scene = Scene(group, prefix, sim, agents[0], [stack.web(), stack.web()])
    until(lambda: all(scene.shows(w, "available") for w in scene.webs), what="data on both webs")
    return scene, agents[1:3]


def test_the_redis_master_killed_under_load(group: Sentinels, prefix: str) -> None:
    scene, load = floor_on_sentinels(group, prefix)
    supervisor = logged_in(scene.webs[0])
    fleet = Fleet([w.port or 0 for w in scene.webs], 4)
    churn = Churn(scene.sim, load)
    try:
        master = until(group.master)
        until(lambda: replication(master[1]).get("connected_slaves") == "1")
        until(lambda: in_sync(fleet, scene.webs), what="screens in sync before the kill")
        held = lease_value(scene.url, prefix)
        assert held
        dead = group.data[master[1]]
        watch, new = fail_over(scene, master, held, fleet, churn)
        check_nothing_old_was_live(watch)
        check_the_failover_kept_the_state(scene, held, supervisor)
        rejoin_the_old_master(scene, master, new, fleet)
        alive = [p for p in group.stack.procs if p is not dead]
        assert all(p.process and p.process.poll() is None for p in alive), "a process died"
        assert fleet.call(lambda: [c.errors for c in fleet.clients if c.errors]) == []
    finally:
        churn.close()
        fleet.close()
        supervisor.close()


def fail_over(
    scene: Scene, master: tuple[str, int], held: str, fleet: Fleet, churn: Churn
) -> tuple[Watch, tuple[str, int]]:
    """Kill the master; measure until every client is equal to the snapshot again."""
    watch = Watch(scene.webs, scene.code)
    watch.tap(fleet)
    scene.group.kill(master[1])
    killed = time.monotonic()
    until(
        lambda: fleet.call(lambda: all(c.page.stale for c in fleet.clients)),
        what="every screen marked stale",
    )
    marked = time.monotonic() - killed
    set_agent(scene.sim, scene.code, "paused", "10")  # nobody can publish it before the failover
    new = until(lambda: (m := scene.group.master()) not in (None, master) and m, timeout=30)
    switched = time.monotonic() - killed
    until(lambda: lease_value(scene.url, scene.prefix) not in (None, held), what="a new lease")
    leased = time.monotonic() - killed
    until(
        watch.meanwhile(lambda: all(ready_fresh(w) for w in scene.webs)),
        timeout=30,
        what="/readyz fresh on both webs",
    )
    ready_at = time.monotonic() - killed
    until(
        watch.meanwhile(
            lambda: fleet.call(lambda: all(c.page.stale is False for c in fleet.clients))
        ),
        timeout=30,
        what="every stream's freshness line live again",
    )
    live_at = time.monotonic() - killed
    churn.close()
    until(
        watch.meanwhile(lambda: in_sync(fleet, scene.webs)),
        timeout=20,
        what="every client equal to the snapshot",
        explain=lambda: sync_gap(fleet, scene.webs),
    )
    print(
        f"\nRedis master killed: screens STALE after {marked:.2f} s; sentinels switched "
        f"after {switched:.2f} s; lease re-taken after {leased:.2f} s; /readyz fresh after "
        f"{ready_at:.2f} s; every stream live after {live_at:.2f} s; every client equal to "
        f"the snapshot after {time.monotonic() - killed:.2f} s"
    )
    # Detection (down-after) plus election, then at most a backoff step of the poller and of
    # the follower, on a busy machine.
    assert live_at < DOWN_AFTER_MS / 1000 + 15, "the failover cost too long"
    return watch, new


def check_nothing_old_was_live(watch: Watch) -> None:
    assert watch.lines, "the streams carried no freshness line after the kill"
    assert [line for line in watch.lines if line.old_as_live] == [], "a stream called old data live"
    for port, body in watch.ready:
        if body.get("fresh"):
            assert body["age_s"] is not None and body["age_s"] <= STALE_AFTER_S, (port, body)
    old = [sample for sample in watch.api if not sample[1] and sample[2] != "paused"]
    assert old == [], "the API served data from before the kill as live"
    assert any(not stale for _, stale, _ in watch.api), "the API never came back live"


def check_the_failover_kept_the_state(scene: Scene, held: str, supervisor: httpx.Client) -> None:
    """The poller re-took the lease with a higher epoch; the lost lease is fenced; the session
    was replicated."""
    now = until(lambda: lease_value(scene.url, scene.prefix), what="a lease on the new master")
    assert now != held and int(now.split(":")[0]) > int(held.split(":")[0]), (held, now)
    assert write_refused(scene.url, scene.prefix, held), "the lost lease still writes"
    assert supervisor.get("/supervisor").status_code == 200, "the session did not survive"


def rejoin_the_old_master(
    scene: Scene, old: tuple[str, int], new: tuple[str, int], fleet: Fleet
) -> None:
    """The old master back, empty (as a container without a volume), as the current master's
    replica: replication healthy, the sentinels keep the master, the data stays fresh."""
    group = scene.group
    shutil.rmtree(group.workdir / f"redis-{old[1]}")
    group.rejoin(old[1])
    started = time.monotonic()
    until(lambda: replication(old[1]).get("master_link_status") == "up", timeout=20)
    until(lambda: replication(new[1]).get("connected_slaves") == "1", timeout=20)
    caught_up = time.monotonic() - started
    assert replication(old[1])["role"] == "slave" and group.master() == new
    set_agent(scene.sim, scene.code, "available")
    until(
        lambda: all(ready_fresh(w) and scene.shows(w, "available") for w in scene.webs),
        what="fresh data through both webs after the rejoin",
    )
    # Quiet, but not still: today's figures and the trend still move the floor now and then.
    until(
        lambda: in_sync(fleet, scene.webs),
        timeout=30,
        what="every client equal to the snapshot again",
        explain=lambda: sync_gap(fleet, scene.webs),
    )
    assert group.master() == new, "the sentinels failed back"
    print(f"old master back as a replica: in sync with the new master after {caught_up:.2f} s")


async def test_a_write_lost_in_a_failover_makes_the_next_write_a_reset(
    redis: Redis, prefix: str
) -> None:
    """The poller's next delta extends a version the new master never got: it becomes a reset
    (readers reload the snapshot) rather than a delta applied to the wrong base."""
    keys = Keys(prefix)
    lease = Lease(redis, keys, 5)
    assert await lease.acquire() and lease.value
    store = SnapshotStore(redis, keys)
    one = Floor(agents=(Agent(agent="a", name="A", state="available"),))
    two = Floor(agents=(Agent(agent="a", name="A", state="paused"), Agent(agent="b", name="B")))
    three = Floor(agents=(Agent(agent="a", name="A", state="paused"),))
    first = await store.publish(lease.value, one, {}, {})
    lost = await store.publish(lease.value, two, {"agents": {"set": {"a": {}}, "del": []}}, {})
    # What a replica that missed the last write holds once promoted:
    await redis.xdel(keys.changes, lost)
    await redis.hset(keys.snapshot, "version", first)
    await redis.hset(keys.snapshot, "state", encode(one))
    delta = {"agents": {"set": {}, "del": ["b"]}}  # against ``two``, which is gone
    version = await store.publish(lease.value, three, delta, {})
    changes = await store.read(first, block_ms=10)
    assert [(c.version, c.delta) for c in changes] == [(version, None)]
    assert await store.snapshot() == (version, three)
    after = await store.publish(lease.value, one, {"agents": {"set": {"a": {}}, "del": []}}, {})
    assert [c.delta is not None for c in await store.read(version, block_ms=10)] == [True]
    assert after


class _DemotedOnce:
    """A store whose first snapshot read meets a demoted master (READONLY), as a connection
    that outlived a failover would."""

    def __init__(self) -> None:
        self.calls = 0

    async def snapshot(self) -> tuple[str, Floor] | None:
        self.calls += 1
        if self.calls == 1:
            raise ReadOnlyError("You can't write against a read only replica.")
        return "2-0", Floor()

    async def last_version(self) -> str:
        return "2-0"

    async def read(self, after: str, block_ms: int) -> list[Change]:
        await asyncio.sleep(block_ms / 1000)  # what XREAD BLOCK does when nothing comes
        return []


@dataclass
class _Heard:
    reloads: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def reload(self, version: str, floor: Floor) -> None:
        self.reloads.append(version)

    def apply(self, change: Change) -> None:
        raise AssertionError("no change was read")

    async def refresh(self) -> None:
        return None

    def lost_redis(self, message: str) -> None:
        self.lost.append(message)


async def test_a_demoted_masters_readonly_answer_is_an_outage_to_the_follower() -> None:
    heard, stop = _Heard(), asyncio.Event()
    follower = StreamFollower(cast(SnapshotStore, _DemotedOnce()), heard)
    task = asyncio.create_task(follower.run(stop))
    try:
        await eventually(lambda: heard.reloads, what="the snapshot loaded after the error")
    finally:
        stop.set()
        await task
    assert heard.lost and "ReadOnlyError" in heard.lost[0]
    assert heard.reloads == ["2-0"]


def test_a_master_restarted_before_the_sentinels_noticed_comes_back_as_a_replica(
    group: Sentinels,
) -> None:
    """The hazard: a master back at once and empty (no persistence) while still named master
    would make its replica copy the emptiness. Started by the deployment's script, it waits for
    the failover and follows the replica that holds the data."""
    master = until(group.master)
    client = connect_sync(group.url)
    try:
        client.set("kept", "through the restart")
        until(lambda: replication(master[1]).get("connected_slaves") == "1")
        until(lambda: client.wait(1, 1000) == 1, what="the write replicated")
    finally:
        client.close()
    group.kill(master[1])
    shutil.rmtree(group.workdir / f"redis-{master[1]}")
    killed = time.monotonic()
    group.rejoin(master[1])  # returns once it listens: after the failover
    listening = time.monotonic() - killed
    new = group.master()
    assert new not in (None, master), "it came back as the master"
    assert replication(master[1])["role"] == "slave"
    until(lambda: replication(master[1]).get("master_link_status") == "up", timeout=20)
    client = connect_sync(group.url)
    try:
        assert client.get("kept") == "through the restart"
    finally:
        client.close()
    print(f"\nmaster restarted at once: listening again {listening:.2f} s later, as a replica")
