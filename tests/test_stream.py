"""The SSE stream's own send timeout: one sweep over all streams, not a scope per send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.types import Message

from wallboard.web.stream import Stream, Watchdog


async def events() -> AsyncIterator[bytes]:
    while True:
        yield b"data: x\n\n"
        await asyncio.sleep(0)


async def never() -> Message:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def test_a_stream_stuck_in_a_send_is_ended_by_the_sweep_and_gives_back_its_place() -> None:
    watchdog = Watchdog(send_timeout=0.2)
    released: list[bool] = []
    stream = Stream(events(), lambda: released.append(True), watchdog)
    sent: list[Message] = []
    stuck = asyncio.Event()

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and len(sent) >= 3:
            stuck.set()
            await asyncio.Event().wait()  # a client that stopped reading: the write never ends

    scope = {"type": "http", "method": "GET", "headers": []}
    task = asyncio.create_task(stream(scope, never, send))
    await stuck.wait()
    assert watchdog.streams == {stream}
    late = stream.sending_since
    assert late is not None
    # The sweep's clock is given, not read: a loaded machine's pause is no stuck client.
    assert watchdog.sweep(now=late + 0.1) == 0  # not yet past the timeout
    assert watchdog.sweep(now=late + 0.3) == 1
    await asyncio.wait_for(task, 5)
    assert released == [True] and watchdog.streams == set() and watchdog.cancelled == 1


async def test_a_stream_that_keeps_sending_is_left_alone() -> None:
    watchdog = Watchdog(send_timeout=0.2)
    stream = Stream(events(), lambda: None, watchdog)
    count = 0
    done = asyncio.Event()

    async def send(message: Message) -> None:
        nonlocal count
        count += 1
        if count > 50:
            done.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(
        stream({"type": "http", "method": "GET", "headers": []}, never, send)
    )
    await done.wait()
    assert stream.sending_since is not None and watchdog.sweep(stream.sending_since + 0.1) == 0
    task.cancel()
