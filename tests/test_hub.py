from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.test_render import agent, state
from tests.waiting import eventually
from wallboard.model.board import Board
from wallboard.model.diff import diff
from wallboard.model.state import EMPTY, Floor
from wallboard.settings import Settings
from wallboard.store.boards import BoardStore
from wallboard.store.keys import Keys
from wallboard.store.lease import Lease
from wallboard.store.snapshot import SnapshotStore
from wallboard.web.fragments import dom_id
from wallboard.web.hub import Hub
from wallboard.web.render import Renderer
from wallboard.web.views import UnknownBoard, View


class Publisher:
    def __init__(self, store: SnapshotStore, lease: Lease) -> None:
        self.store, self.lease = store, lease
        self.state: Floor = EMPTY

    async def publish(self, new: Floor) -> str:
        assert self.lease.value
        meta = {"fetched_at": time.time(), "stale": False, "error": None}
        version = await self.store.publish(self.lease.value, new, diff(self.state, new), meta)
        self.state = new
        return version


@pytest.fixture
async def setup(redis: Redis, prefix: str) -> AsyncIterator[tuple[Hub, Publisher]]:
    settings = Settings(redis_prefix=prefix, client_queue_size=3)
    store = SnapshotStore(redis, Keys(prefix))
    lease = Lease(redis, Keys(prefix), 10)
    assert await lease.acquire()
    publisher = Publisher(store, lease)
    await publisher.publish(state(agent("agent/1"), agent("agent/2", "Bob")))
    hub = Hub(store, Renderer(), settings)
    stop = asyncio.Event()
    task = asyncio.create_task(hub.run(stop))
    await eventually(lambda: hub.loaded)
    yield hub, publisher
    stop.set()
    await task


async def next_event(queue: asyncio.Queue[bytes | None], containing: str) -> str:
    """The next event carrying ``containing`` (heartbeats may come in between)."""
    async with asyncio.timeout(5):
        while True:
            data = await queue.get()
            assert data is not None, "the stream ended"
            if containing in data.decode():
                return data.decode()


async def test_new_client_gets_everything_then_only_changes(setup: tuple[Hub, Publisher]) -> None:
    hub, publisher = setup
    subscriber, first = hub.attach(View(), None)
    text = first.decode()
    assert "retry:" in text and f"id: {hub.version}" in text
    assert 'id="agents"' in text and "Bob" in text
    version = await publisher.publish(state(agent("agent/1"), agent("agent/2", "Bob", "paused")))
    event = await next_event(subscriber.queue, "st-paused")
    assert f"id: {version}" in event
    assert dom_id("agents", "agent/2") in event and dom_id("agents", "agent/1") not in event


async def test_a_change_and_the_freshness_it_brings_are_one_message(
    setup: tuple[Hub, Publisher],
) -> None:
    hub, publisher = setup
    subscriber, _ = hub.attach(View(), None)
    version = await publisher.publish(state(agent("agent/1", state="paused"), agent("agent/2")))
    event = await next_event(subscriber.queue, "st-paused")
    assert f"id: {version}" in event and 'id="freshness"' in event
    fetched_at = (await hub.follower.store.meta())["fetched_at"]
    assert f'data-fetched-at="{fetched_at}"' in event


async def test_resume_sends_only_what_was_missed(setup: tuple[Hub, Publisher]) -> None:
    hub, publisher = setup
    since = hub.version
    await publisher.publish(state(agent("agent/1", state="on_call"), agent("agent/2", "Bob")))
    await eventually(lambda: hub.version != since)
    _, first = hub.attach(View(), since)
    text = first.decode()
    assert dom_id("agents", "agent/1") in text and dom_id("agents", "agent/2") not in text
    _, up_to_date = hub.attach(View(), hub.version)
    assert "agent" not in up_to_date.decode().replace("data-agent", "")
    _, unknown = hub.attach(View(), "1-0")
    assert 'id="agents"' in unknown.decode()


async def test_a_slow_client_is_dropped_not_buffered(setup: tuple[Hub, Publisher]) -> None:
    hub, publisher = setup
    slow, _ = hub.attach(View(), None)
    for n in range(6):  # one round each: a round's changes are one message
        version = await publisher.publish(state(agent("agent/1", name=f"N{n}")))
        await eventually(lambda v=version: hub.version == v)
    await eventually(lambda: slow.dropped)
    assert slow.queue.qsize() == 1 and slow.queue.get_nowait() is None
    hub.detach(slow)
    assert hub.dropped == 1 and hub.clients == 0


async def test_views_get_their_own_rendering(setup: tuple[Hub, Publisher]) -> None:
    hub, publisher = setup
    sales, _ = hub.attach(View(queues=("300",)), None)
    other, _ = hub.attach(View(queues=("999",)), None)
    await publisher.publish(state(agent("agent/1", state="paused"), agent("agent/2", "Bob")))
    await next_event(sales.queue, "st-paused")
    while not other.queue.empty():
        assert "st-paused" not in (other.queue.get_nowait() or b"").decode()


async def test_a_board_saved_a_moment_ago_is_found_before_the_next_round(
    redis: Redis, prefix: str
) -> None:
    """A TV opening a board (or a playlist of boards) just saved, perhaps on another replica,
    is shown it, not "no such board" until the hub's next round reads the boards."""
    keys = Keys(prefix)
    boards = BoardStore(redis, keys)
    hub = Hub(SnapshotStore(redis, keys), Renderer(), Settings(redis_prefix=prefix), boards=boards)
    await boards.write("boards", Board(id="calm", title="Calm"), None, 10)

    with pytest.raises(UnknownBoard):
        hub.board_view("calm")  # what this process read so far: no round has run
    view = await hub.board_view_now("calm")
    assert view.board == "calm"
    assert (await hub.view_now({"board": "calm"})).board == "calm"
    with pytest.raises(UnknownBoard):
        await hub.board_view_now("nowhere")
