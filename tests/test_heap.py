"""The web process's garbage collector: what survived a full collection is frozen out of the
next ones' scans, a sweep frees the cycles that died frozen, and every collection is timed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable, Iterator

import pytest

from wallboard import metrics
from wallboard.web.heap import Heap


class Node:
    """A reference cycle: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def no_automatic_collections() -> Iterator[None]:
    """Python's own collections off during each test. One started in another thread (a server
    thread an earlier test left) makes Python skip the collections the test asks for, and a
    full one makes a freeze due that the test did not make."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@pytest.fixture
def heap() -> Iterator[Heap]:
    heap = Heap(freezing=True, sweep_every=3600)
    heap.install()
    try:
        yield heap
    finally:
        heap.uninstall()
        gc.unfreeze()


async def turns_until(done: Callable[[], bool]) -> None:
    """Let the loop run other tasks until ``done`` (a bounded number of turns, no clock)."""
    for _ in range(100):
        if done():
            return
        await asyncio.sleep(0)
    raise AssertionError("the task never got there")


def test_what_survives_a_full_collection_is_frozen_until_a_sweep(heap: Heap) -> None:
    node = Node()
    alive = weakref.ref(node)
    gc.collect()
    heap.tick(heap.swept_at)
    assert heap.freezes == 1 and gc.get_freeze_count() > 0

    del node  # now garbage, but frozen: a full collection does not look at it
    gc.collect()
    assert alive() is not None

    heap.tick(heap.swept_at + 3600)
    assert alive() is None
    assert heap.sweeps == 1
    assert heap.freezes == 2  # the sweep's survivors are frozen again


def test_a_sweep_that_python_skipped_is_made_at_the_next_check(heap: Heap) -> None:
    node = Node()
    alive = weakref.ref(node)
    gc.collect()
    heap.tick(heap.swept_at)
    del node  # garbage, frozen
    sweep_time = heap.swept_at + 3600

    checked: list[int] = []

    def sweep_during_a_collection(phase: str, info: dict[str, object]) -> None:
        # While a collection runs, Python skips the one the sweep asks for: the same as when
        # another thread's collection is running.
        if phase == "start" and not checked:
            checked.append(heap.sweeps)
            heap.tick(sweep_time)

    gc.callbacks.append(sweep_during_a_collection)
    try:
        gc.collect(0)
    finally:
        gc.callbacks.remove(sweep_during_a_collection)
    assert checked == [0], "the check ran during the collection"
    assert heap.sweeps == 0 and alive() is not None

    heap.tick(sweep_time + 1)
    assert heap.sweeps == 1 and alive() is None


def test_the_sweep_is_due_at_its_hour_to_the_last_bit(heap: Heap) -> None:
    # 14302.06 + 3600 - 14302.06 is 3599.999999999998 in floating point: measured as a
    # difference, the sweep at its exact hour was late by a check (and a test saw none).
    heap.swept_at = 14302.06
    heap.tick(14302.06 + 3600)
    assert heap.sweeps == 1


def test_nothing_is_frozen_before_a_full_collection(heap: Heap) -> None:
    heap.due = False
    gc.collect(0)
    heap.tick(heap.swept_at)
    assert heap.freezes == 0


def test_young_garbage_is_collected_as_usual_while_the_old_is_frozen(heap: Heap) -> None:
    gc.collect()
    heap.tick(heap.swept_at)
    node = Node()
    alive = weakref.ref(node)
    del node
    gc.collect(0)
    assert alive() is None


async def test_without_freezing_collections_are_timed_and_nothing_is_frozen() -> None:
    heap = Heap(freezing=False, sweep_every=3600)
    stop = asyncio.Event()
    task = asyncio.create_task(heap.run(stop))
    await turns_until(lambda: heap._collected in gc.callbacks)
    before = gc.get_freeze_count()
    gc.collect()
    assert heap.paused[2] > 0
    stop.set()
    await task
    assert heap.freezes == 0 and gc.get_freeze_count() == before
    paused = heap.paused[2]
    gc.collect()
    assert heap.paused[2] == paused  # stopped: no longer called


async def test_run_stops_with_its_event_and_gives_the_collector_back() -> None:
    heap = Heap(freezing=True, sweep_every=3600)
    stop = asyncio.Event()
    task = asyncio.create_task(heap.run(stop))
    await turns_until(lambda: heap._collected in gc.callbacks)
    gc.collect()
    heap.tick()
    assert gc.get_freeze_count() > 0
    stop.set()
    await task
    assert heap._collected not in gc.callbacks
    assert gc.get_freeze_count() == 0


def test_the_pauses_are_exposed_by_generation() -> None:
    family = metrics.gc_family([0.25, 0.5, 1.5])
    got = {s.labels["generation"]: s.value for s in family.samples}
    assert got == {"0": 0.25, "1": 0.5, "2": 1.5}
