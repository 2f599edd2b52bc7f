"""An SSE client that behaves like a TV: it keeps what the stream told it as a page would (htmx
out-of-band fragments swapped by element id), reconnects with ``Last-Event-ID`` to whichever web
process answers, and can be compared with the snapshot at the end.

Raw asyncio sockets rather than httpx: a soak holds a thousand of them in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypeVar

# Elements that never have a closing tag.
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}
# Attributes that change on every render without the data changing.
_VOLATILE = {"data-server-now"}
_OOB = "hx-swap-oob"
SECTIONS = ("queues", "agents", "calls")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Node:
    tag: str
    attrs: tuple[tuple[str, str], ...]
    children: tuple[Node | str, ...]

    @property
    def id(self) -> str:
        for name, value in self.attrs:  # called for every node a swap walks: no dict
            if name == "id":
                return value
        return ""

    def attr(self, name: str) -> str:
        return dict(self.attrs).get(name, "")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[tuple[str, str], ...], list[Node | str]]] = [("", (), [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = tuple(sorted((k, v or "") for k, v in attrs if k not in _VOLATILE))
        if tag in _VOID:
            self.stack[-1][2].append(Node(tag, kept, ()))
        else:
            self.stack.append((tag, kept, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or len(self.stack) == 1:
            return
        name, attrs, children = self.stack.pop()
        self.stack[-1][2].append(Node(name, attrs, tuple(children)))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.stack[-1][2].append(text)


@functools.lru_cache(maxsize=512)
def fragments(html: str) -> tuple[Node, ...]:
    """The top-level elements of an event's data; cached: a thousand clients get the same bytes."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    while len(builder.stack) > 1:
        builder.handle_endtag(builder.stack[-1][0])
    # Equal components become one object: pages then share them, compare by identity first,
    # and the transitions below are shared by every client that saw the same events.
    if len(_NODES) > 50_000:
        _NODES.clear()
    return tuple(_NODES.setdefault(n, n) for n in builder.stack[0][2] if isinstance(n, Node))


_NODES: dict[Node, Node] = {}


def _edited(node: Node, edit: Callable[[Node], tuple[Node | str, ...] | None]) -> Node | None:
    """``node`` with the first descendant that ``edit`` answers for (with what stands in its
    place: itself changed, or other nodes) replaced; None if ``edit`` answers for none."""
    for index, child in enumerate(node.children):
        if not isinstance(child, Node):
            continue
        instead = edit(child)
        if instead is None:
            swapped = _edited(child, edit)
            instead = None if swapped is None else (swapped,)
        if instead is not None:
            children = (*node.children[:index], *instead, *node.children[index + 1 :])
            return Node(node.tag, node.attrs, children)
    return None


def _edit_for(swap: str, new: Node) -> tuple[str, Callable[[Node], tuple[Node | str, ...] | None]]:
    """The element id an out-of-band fragment targets, and what it does there, as htmx does:
    replace it (``true``), delete it, append to it or insert before it (the fragment's
    children, for these two)."""
    style, _, selector = swap.partition(":")
    target = selector.removeprefix("#") if selector else new.id
    if style in ("true", "outerHTML"):
        return target, lambda n: (new,) if n.id == target else None
    if style == "delete":
        return target, lambda n: () if n.id == target else None
    if style == "beforeend":
        return (
            target,
            lambda n: (
                (Node(n.tag, n.attrs, (*n.children, *new.children)),) if n.id == target else None
            ),
        )
    if style == "beforebegin":
        return target, lambda n: (*new.children, n) if n.id == target else None
    raise ProtocolError(f"an out-of-band swap this client does not know: {swap!r}")


def _swapped(parts: dict[str, Node], html: str) -> dict[str, Node]:
    """``parts`` after htmx swapped in an event's out-of-band fragments."""
    parts = dict(parts)
    for fragment in fragments(html):
        attrs = dict(fragment.attrs)
        swap = attrs.pop(_OOB, "true")
        new = Node(fragment.tag, tuple(attrs.items()), fragment.children)
        target, edit = _edit_for(swap, new)
        if not target:
            continue
        if target in parts and swap in ("true", "outerHTML"):
            parts[target] = new
            continue
        if target in parts and swap == "delete":
            del parts[target]
            continue
        # The part that holds the target first: ids start with their section's letter.
        for key, part in sorted(parts.items(), key=lambda kv: kv[0][:1] != target[:1]):
            whole = edit(part) if part.id == target else None
            edited = whole[0] if whole and isinstance(whole[0], Node) else _edited(part, edit)
            if edited is not None:
                # Equal parts become one object, as fragments() does for whole components:
                # clients that saw the same events converge on the same page again (the
                # transitions below are shared only between pages that are one object).
                parts[key] = _NODES.setdefault(edited, edited)
                break
        else:
            if swap in ("true", "outerHTML"):
                parts[target] = new
    return parts


# (id of a page's parts, event data) → (those parts, kept alive so the id stays theirs; the next)
_TRANSITIONS: dict[tuple[int, str], tuple[dict[str, Node], dict[str, Node]]] = {}
# Pages of equal content, by their components' identities: one dict for all of them.
_PARTS: dict[tuple[tuple[str, int], ...], dict[str, Node]] = {}
_EMPTY: dict[str, Node] = {}


@dataclass
class Page:
    """The components a page shows, by element id, as htmx would leave them."""

    parts: dict[str, Node] = field(default_factory=lambda: _EMPTY)

    def swap(self, html: str) -> None:
        # Pages are never changed in place: clients that saw the same events share one dict,
        # and a thousand clients applying the same event cost one computation.
        key = (id(self.parts), html)
        known = _TRANSITIONS.get(key)
        if known is None:
            after = _swapped(self.parts, html)
            after = _PARTS.setdefault(tuple((k, id(v)) for k, v in after.items()), after)
            known = (self.parts, after)
            if len(_TRANSITIONS) > 4096:
                _TRANSITIONS.clear()
                _PARTS.clear()
            _TRANSITIONS[key] = known
        self.parts = known[1]

    def data(self) -> dict[str, Node]:
        """What a viewer reads, without the freshness line (its clock moves on its own)."""
        return {k: v for k, v in self.parts.items() if k != "freshness"}

    def agent_states(self) -> dict[str, str]:
        section = self.parts.get("agents")
        tiles = section.children if section else ()
        return {n.attr("data-agent"): n.attr("data-state") for n in tiles if isinstance(n, Node)}

    def tile_ids(self, section: str) -> list[str]:
        part = self.parts.get(section)
        return [n.id for n in (part.children if part else ()) if isinstance(n, Node) and n.id]

    @property
    def stale(self) -> bool | None:
        fresh = self.parts.get("freshness")
        return None if fresh is None else fresh.attr("data-stale") == "true"


@dataclass
class Event:
    id: str | None
    data: str


def parse_event(block: str) -> Event | None:
    """One SSE event block; ``None`` for a comment-only block (sse-starlette's ping)."""
    event_id: str | None = None
    data: list[str] = []
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            event_id = value
        elif name == "data":
            data.append(value)
    if event_id is None and not data:
        return None
    return Event(event_id, "\n".join(data))


@dataclass
class Client:
    """One TV: connects to the first web process that answers, resumes from its last id."""

    ports: list[int]
    query: str = ""
    retry_s: float = 0.2
    page: Page = field(default_factory=Page)
    last_id: str | None = None
    connects: int = 0
    events: int = 0
    endings: int = 0  # streams the server ended (a drop, a shutdown)
    errors: list[str] = field(default_factory=list)
    port: int | None = None
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, stop: asyncio.Event) -> None:
        turn = 0
        while not stop.is_set():
            port = self.ports[turn % len(self.ports)]
            turn += 1
            try:
                await self._stream(port)
            except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                if not isinstance(exc, ConnectionRefusedError):
                    self.endings += 1
            except ProtocolError as exc:
                self.errors.append(str(exc))
            self.connected.clear()
            self.port = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_s * random.uniform(0.5, 1.5))

    async def _stream(self, port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        try:
            resume = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id else ""
            writer.write(
                f"GET /events{self.query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Accept: text/event-stream\r\n{resume}\r\n".encode()
            )
            await writer.drain()
            status = await reader.readline()
            if not status.startswith(b"HTTP/1.1 200"):
                raise ProtocolError(f"port {port}: {status.decode(errors='replace').strip()}")
            while (await reader.readline()).strip():
                pass  # headers: uvicorn streams with chunked transfer encoding
            self.connects += 1
            self.port = port
            self.connected.set()
            buffer = b""
            while True:
                data = await _chunk(reader)
                if data is None:
                    self.endings += 1
                    return
                buffer += data.replace(b"\r\n", b"\n")
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._handle(block.decode())
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def _handle(self, block: str) -> None:
        event = parse_event(block)
        if event is None:
            return
        self.events += 1
        if event.data:
            self.page.swap(event.data)
        if event.id:
            self.last_id = event.id


def replay(response: bytes) -> Client:
    """A client that has seen what this raw ``/events`` response (cut short or not) carried."""
    client = Client([])
    body = response.split(b"\r\n\r\n", 1)[1]
    stream = b""
    while b"\r\n" in body:
        size_line, rest = body.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0 or len(rest) < size + 2:
            break  # the end, or a chunk the connection cut
        stream += rest[:size]
        body = rest[size + 2 :]
    for block in stream.replace(b"\r\n", b"\n").split(b"\n\n")[:-1]:
        client._handle(block.decode())
    return client


class ProtocolError(Exception):
    pass


async def stop_all(tasks: list[asyncio.Task[None]]) -> None:
    """Clients read until cancelled: no stop check per chunk, which a thousand would pay for."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _chunk(reader: asyncio.StreamReader) -> bytes | None:
    """One chunk of a chunked body; ``None`` at its end."""
    size_line = await reader.readline()
    if not size_line:
        raise asyncio.IncompleteReadError(b"", None)
    size = int(size_line.split(b";")[0].strip() or b"0", 16)
    if size == 0:
        await reader.readline()
        return None
    data = await reader.readexactly(size + 2)
    return data[:-2]


def snapshot_agents(snapshot: dict[str, Any]) -> dict[str, str]:
    return {a["agent"]: a["state"] for a in snapshot["agents"]}


class Fleet:
    """Clients on an event loop of their own, for tests written as plain functions."""

    def __init__(
        self,
        ports: list[int],
        count: int,
        query: str = "",
        retry_s: float = 0.2,
        resume: Client | None = None,
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self.clients = [Client(list(ports), query, retry_s) for _ in range(count)]
        for client in self.clients if resume else ():
            client.page, client.last_id = resume.page, resume.last_id
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the client loop did not start")

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._run())
        self.loop.close()

    async def _run(self) -> None:
        self._stop = asyncio.Event()
        tasks = [asyncio.create_task(c.run(self._stop)) for c in self.clients]
        self._started.set()
        await self._stop.wait()
        await stop_all(tasks)

    def call(self, fn: Callable[[], T]) -> T:
        """``fn`` run on the clients' loop, so it reads them between two of their steps."""

        async def wrapped() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(10)

    def in_sync(self, port: int, snap: dict[str, Any]) -> bool:
        """Every client at the snapshot's version, showing what a fresh client is shown."""
        return not self.gap(port, snap)

    def gap(self, port: int, snap: dict[str, Any]) -> str:
        """How the first client out of sync differs from the snapshot; empty when none does."""
        expected = full_page(port).data()
        agents = snapshot_agents(snap)

        def first_gap() -> str:
            for n, c in enumerate(self.clients):
                if c.last_id != snap["version"]:
                    return f"client {n} at {c.last_id}, the snapshot at {snap['version']}"
                parts = [
                    k
                    for k in expected.keys() | c.page.data().keys()
                    if expected.get(k) != c.page.data().get(k)
                ]
                if parts:
                    return f"client {n} differs from a new client in {sorted(parts)}"
                if c.page.agent_states() != agents:
                    return f"client {n}'s agent states differ from the snapshot's"
            return ""

        return self.call(first_gap)

    def close(self) -> None:
        if self._stop is not None and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(15)
        assert not self.thread.is_alive(), "the clients did not stop"


def full_page(port: int, query: str = "", timeout: float = 10.0) -> Page:
    """What a new client, without an id to resume from, is shown first: a full refresh."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET /events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        stream = sock.makefile("rb")
        status = stream.readline()
        if not status.startswith(b"HTTP/1.1 200"):
            raise ProtocolError(status.decode(errors="replace"))
        while stream.readline().strip():
            pass
        size = int(stream.readline().split(b";")[0].strip(), 16)
        data = stream.read(size).decode().replace("\r\n", "\n")
    page = Page()
    event = parse_event(data.split("\n\n", 1)[0])
    if event is not None:
        page.swap(event.data)
    return page
