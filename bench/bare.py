"""The floor for Python: a bare asyncio SSE server that writes the same bytes to the same
sockets as a web process, and does nothing else.

It follows the same Redis change stream (``XREAD``), and for each change writes one event of
``--event-bytes`` bytes carrying the change's ``seq<n>`` to every connection, straight to the
transports: no HTTP framework, no ASGI, no task or queue per connection, no rendering. A new
connection gets ``--first-bytes`` (a web process's full refresh) first. The fan-out benchmark
runs it with the sizes our web process wrote, against the same load client, so that the
difference is what our stack costs.

    python bench/bare.py --port 8001 --redis redis://127.0.0.1:6379 --prefix bench: \\
        --event-bytes 600 --first-bytes 60000
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
from typing import Any, cast

import redis.asyncio as aioredis

SEQ = re.compile(rb"seq\d+")
HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
    b"cache-control: no-store\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n"
)


def chunk(body: bytes) -> bytes:
    """One HTTP/1.1 chunk, as uvicorn frames each body message of a streaming response."""
    return b"%x\r\n%s\r\n" % (len(body), body)


def event(seq: bytes, size: int) -> bytes:
    start = b"data: <span>" + seq + b" "
    end = b"</span>\n\n"
    return start + b"x" * max(0, size - len(start) - len(end)) + end


class Stream(asyncio.Protocol):
    def __init__(self, server: Bare) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.request = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        if self.transport is None or self in self.server.streams:
            return
        self.request += data
        if b"\r\n\r\n" in self.request:
            self.transport.write(HEAD + self.server.first)
            self.server.streams.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.streams.discard(self)


class Bare:
    def __init__(self, event_bytes: int, first_bytes: int) -> None:
        self.event_bytes = event_bytes
        self.first = chunk(event(b"seq0", first_bytes))
        self.streams: set[Stream] = set()

    def send(self, seq: bytes) -> None:
        data = chunk(event(seq, self.event_bytes))
        for stream in self.streams:
            if stream.transport is not None:
                stream.transport.write(data)

    async def follow(self, url: str, key: str) -> None:
        client: Any = aioredis.from_url(url)
        last = "$"
        while True:
            answer = await client.xread({key: last}, block=1000, count=100)
            for _stream, entries in answer or []:
                for ident, fields in entries:
                    last = ident.decode()
                    found = SEQ.search(b" ".join(fields.values()))
                    if found:
                        self.send(found.group(0))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--event-bytes", type=int, default=600)
    parser.add_argument("--first-bytes", type=int, default=60000)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    bare = Bare(args.event_bytes, args.first_bytes)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Stream(bare), "127.0.0.1", args.port, backlog=4096)
    async with server:
        await bare.follow(args.redis, f"{args.prefix}changes")


if __name__ == "__main__":
    import uvloop

    uvloop.run(main())
