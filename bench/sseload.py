"""A light SSE load client: raw asyncio protocols (no HTTP library, no browser, no task per
connection), many connections to ``/events``, reporting when each connection first sees each
injected sequence number.

Run by the benchmark runner as its own process, so its CPU is its own and measured:

    python bench/sseload.py --targets 127.0.0.1:8001,127.0.0.1:8002 --n 2000

It connects in batches, prints one JSON line ``{"event": "ready", ...}``, then obeys lines on
stdin: ``mark`` (start the measured window: CPU, bytes), ``stop`` (print the results as one
JSON line and exit). Sequence numbers are found in the stream as ``seq<digits>`` (the injector
writes them into an agent's pause reason); each connection records the first time it sees each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import sys
import time
from typing import Any, cast

TOKEN = re.compile(rb"seq(\d+)\D")
TAIL = 32


class Conn(asyncio.Protocol):
    """One stream: a protocol, not a reader task, so that the load client costs as little per
    connection and per byte as the server's own loop (the load shares the machine with it)."""

    def __init__(self, load: Load) -> None:
        self.load = load
        self.last = -1
        self.bytes = 0
        self.closed = False
        self.head = b""
        self.tail = b""
        self.started: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, chunk: bytes) -> None:
        now = time.time()
        self.bytes += len(chunk)
        if not self.started.done():
            self.head += chunk
            if b"\r\n\r\n" not in self.head:
                return
            head, _, chunk = self.head.partition(b"\r\n\r\n")
            self.started.set_result(head)
        data = self.tail + chunk
        for match in TOKEN.finditer(data):
            seq = int(match.group(1))
            if seq > self.last:
                self.last = seq
                self.load.seen.setdefault(seq, []).append(now)
        self.tail = data[-TAIL:]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.started.done():
            self.started.set_exception(ConnectionError("closed before the answer"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Load:
    def __init__(self) -> None:
        self.seen: dict[int, list[float]] = {}
        self.conns: list[Conn] = []
        self.failed = 0
        self.errors: dict[str, int] = {}

    async def connect(self, host: str, port: int, path: str, timeout: float) -> Conn | None:
        loop = asyncio.get_running_loop()
        conn: Conn | None = None
        try:
            async with asyncio.timeout(timeout):
                _, conn = await loop.create_connection(lambda: Conn(self), host, port)
                request = (
                    f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
                )
                assert conn.transport is not None
                conn.transport.write(request.encode())
                head = await conn.started
            if not head.startswith(b"HTTP/1.1 200"):
                raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        except (OSError, TimeoutError, ConnectionError) as exc:
            if conn is not None:
                conn.close()
            self.failed += 1
            kind = type(exc).__name__
            self.errors[kind] = self.errors.get(kind, 0) + 1
            return None
        return conn


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", required=True, help="host:port[,host:port...]")
    parser.add_argument("--n", type=int, required=True)
    # Several paths, comma-separated: client i opens path i modulo their number.
    parser.add_argument("--path", default="/events?view=tv")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    targets = [(t.rsplit(":", 1)[0], int(t.rsplit(":", 1)[1])) for t in args.targets.split(",")]
    paths = args.path.split(",")
    load = Load()
    started = time.monotonic()
    for first in range(0, args.n, args.batch):
        batch = range(first, min(args.n, first + args.batch))
        made = await asyncio.gather(
            *(
                load.connect(*targets[i % len(targets)], paths[i % len(paths)], args.timeout)
                for i in batch
            )
        )
        load.conns += [conn for conn in made if conn is not None]
        await asyncio.sleep(0.02)
    ready = {
        "event": "ready",
        "connected": len(load.conns),
        "failed": load.failed,
        "errors": load.errors,
        "connect_s": round(time.monotonic() - started, 2),
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
    }
    print(json.dumps(ready), flush=True)

    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    mark_cpu, mark_wall, mark_bytes = 0.0, time.monotonic(), 0
    result: dict[str, Any] = {}
    while True:
        line = (await stdin.readline()).decode().strip()
        if line == "mark":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            mark_cpu, mark_wall = usage.ru_utime + usage.ru_stime, time.monotonic()
            mark_bytes = sum(c.bytes for c in load.conns)
            print(json.dumps({"event": "marked"}), flush=True)
        elif line in ("stop", ""):
            usage = resource.getrusage(resource.RUSAGE_SELF)
            result = {
                "event": "result",
                "cpu_s": usage.ru_utime + usage.ru_stime - mark_cpu,
                "wall_s": time.monotonic() - mark_wall,
                "bytes": sum(c.bytes for c in load.conns) - mark_bytes,
                "closed": sum(1 for c in load.conns if c.closed),
                "connected": len(load.conns),
                "max_rss_kb": usage.ru_maxrss,
                "seen": {str(k): [round(t, 4) for t in v] for k, v in load.seen.items()},
            }
            break
    for conn in load.conns:
        conn.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main())
