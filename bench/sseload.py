"""A light SSE load client: raw asyncio sockets (no HTTP library, no browser), many connections
to ``/events``, reporting when each connection first sees each injected sequence number.

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
import contextlib
import json
import re
import resource
import sys
import time
from typing import Any

TOKEN = re.compile(rb"seq(\d+)\D")
TAIL = 32


class Conn:
    __slots__ = ("bytes", "closed", "last", "reader", "writer")

    def __init__(self) -> None:
        self.last = -1
        self.bytes = 0
        self.closed = False
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None


class Load:
    def __init__(self) -> None:
        self.seen: dict[int, list[float]] = {}
        self.conns: list[Conn] = []
        self.failed = 0
        self.errors: dict[str, int] = {}

    async def connect(self, host: str, port: int, path: str, timeout: float) -> Conn | None:
        conn = Conn()
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
                request = (
                    f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
                )
                writer.write(request.encode())
                head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            self.failed += 1
            kind = type(exc).__name__
            self.errors[kind] = self.errors.get(kind, 0) + 1
            return None
        conn.reader, conn.writer = reader, writer
        return conn

    async def follow(self, conn: Conn) -> None:
        assert conn.reader is not None
        tail = b""
        seen = self.seen
        try:
            while True:
                chunk = await conn.reader.read(65536)
                if not chunk:
                    break
                now = time.time()
                conn.bytes += len(chunk)
                data = tail + chunk
                for match in TOKEN.finditer(data):
                    seq = int(match.group(1))
                    if seq > conn.last:
                        conn.last = seq
                        seen.setdefault(seq, []).append(now)
                tail = data[-TAIL:]
        except (OSError, asyncio.IncompleteReadError):
            pass
        conn.closed = True


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
    tasks: list[asyncio.Task[None]] = []
    started = time.monotonic()
    for first in range(0, args.n, args.batch):
        batch = range(first, min(args.n, first + args.batch))
        made = await asyncio.gather(
            *(
                load.connect(*targets[i % len(targets)], paths[i % len(paths)], args.timeout)
                for i in batch
            )
        )
        for conn in made:
            if conn is not None:
                load.conns.append(conn)
                tasks.append(asyncio.create_task(load.follow(conn)))
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
        if conn.writer is not None:
            conn.writer.close()
    for task in tasks:
        task.cancel()
    with contextlib.suppress(Exception):
        await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main())
