"""The clients of a web process by view: a cap on distinct views, slow clients dropped."""

from __future__ import annotations

import asyncio

import pytest

from wallboard.web.fanout import Fanout, Mailbox
from wallboard.web.views import TooManyViews, View

A, B, C = View(queues=("300",)), View(queues=("301",)), View(queues=("302",))


def test_too_many_views_past_max_views() -> None:
    fanout = Fanout(queue_size=4, max_views=2)
    first = fanout.add(A)
    fanout.add(B)
    with pytest.raises(TooManyViews, match="WALLBOARD_MAX_VIEWS"):
        fanout.add(C)
    fanout.add(A)  # another client of a view already served still fits
    assert fanout.clients == 3 and set(fanout.views()) == {A, B}
    fanout.remove(first)
    with pytest.raises(TooManyViews):
        fanout.add(C)  # A still has a client
    for subscriber in list(fanout.subscribers[A]):
        fanout.remove(subscriber)
    fanout.add(C)
    assert set(fanout.views()) == {B, C}


def test_the_same_bytes_to_every_client_of_a_view() -> None:
    fanout = Fanout(queue_size=4, max_views=10)
    a1, a2, b = fanout.add(A), fanout.add(A), fanout.add(B)
    fanout.send(A, b"for A")
    fanout.send(None, b"for all")
    assert [a1.queue.get_nowait(), a1.queue.get_nowait()] == [b"for A", b"for all"]
    assert [a2.queue.get_nowait(), a2.queue.get_nowait()] == [b"for A", b"for all"]
    assert b.queue.get_nowait() == b"for all" and b.queue.empty()
    assert (fanout.events_sent, fanout.bytes_sent) == (5, 2 * 5 + 3 * 7)


def test_a_slow_client_is_dropped_not_buffered() -> None:
    fanout = Fanout(queue_size=2, max_views=10)
    slow, fast = fanout.add(A), fanout.add(A)
    for n in range(3):
        fanout.send(A, b"x%d" % n)
        assert fast.queue.get_nowait() == b"x%d" % n
    assert slow.dropped and not fast.dropped
    assert slow.queue.qsize() == 1 and slow.queue.get_nowait() is None, "told to end, no data"
    fanout.send(A, b"later")
    assert slow.queue.empty(), "nothing more for a dropped client"
    assert fast.queue.get_nowait() == b"later"
    assert fanout.dropped == 1, "counted once"
    fanout.remove(slow)
    assert fanout.clients == 1


async def test_a_mailbox_wakes_its_reader_keeps_order_and_stays_bounded() -> None:
    box = Mailbox(2)
    reader = asyncio.create_task(box.get())
    await asyncio.sleep(0)  # the reader is waiting now
    box.put_nowait(b"one")
    assert await reader == b"one"
    box.put_nowait(b"two")
    box.put_nowait(None)
    with pytest.raises(asyncio.QueueFull):
        box.put_nowait(b"three")
    assert [await box.get(), box.get_nowait()] == [b"two", None] and box.empty()
    with pytest.raises(asyncio.QueueEmpty):
        box.get_nowait()


async def test_a_reader_cancelled_while_waiting_leaves_the_mailbox_usable() -> None:
    box = Mailbox(1)
    reader = asyncio.create_task(box.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    box.put_nowait(b"after")
    assert await asyncio.wait_for(box.get(), 1) == b"after"
