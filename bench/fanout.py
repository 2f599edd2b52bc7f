"""Benchmark 2: SSE fan-out, many clients on one or two web processes, one change a second.

The injector writes each change into Redis through the store (stamping its sequence number into
an agent's pause reason); the load client (``bench/sseload.py``, raw asyncio sockets, its own
process) records when each connection first sees each number. Latency = that moment minus the
moment the change was handed to Redis. RSS per connection = (RSS with the clients connected -
RSS before) / clients; CPU over the measured window, from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench.common import pct
from bench.inject import Injector
from tests.harness import ROOT, Proc, Stack, child_setup, cpu_seconds, free_port, rss_bytes
from wallboard.model.state import Floor


@dataclass
class LoadClient:
    process: asyncio.subprocess.Process

    @classmethod
    async def start(
        cls, targets: list[str], n: int, path: str
    ) -> tuple[LoadClient, dict[str, Any]]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "sseload.py"),
            "--targets",
            ",".join(targets),
            "--n",
            str(n),
            "--path",
            path,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            preexec_fn=child_setup(many_files=True),
            limit=1 << 26,
        )
        client = cls(process)
        ready = await client._line(timeout=180)
        return client, ready

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _line(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise RuntimeError("the load client exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def command(self, word: str, timeout: float = 60) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(word.encode() + b"\n")
        await self.process.stdin.drain()
        return await self._line(timeout)

    async def close(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


async def warm(url: str) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(3):
            await client.get(f"{url}/wallboard")
            await client.get(f"{url}/api/snapshot")


async def counters(url: str) -> tuple[float, float]:
    """The SSE bytes a web process wrote so far and the seconds its full garbage collections
    held it (its own counts, on ``/metrics``)."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{url}/metrics")).text
    lines = text.splitlines()
    written = sum(float(line.split()[-1]) for line in lines
                  if line.startswith("wallboard_sse_bytes"))  # fmt: skip
    full = 'wallboard_gc_pause_seconds_total{generation="2"}'
    paused = sum(float(line.split()[-1]) for line in lines if line.startswith(full))
    return written, paused


async def first_event_bytes(url: str, path: str) -> int:
    """The size of a stream's first event (the full refresh a new screen gets)."""
    async with httpx.AsyncClient(timeout=10) as client, client.stream("GET", url + path) as r:
        data = b""
        async for chunk in r.aiter_bytes():
            data += chunk
            if b"\n\n" in data or b"\r\n\r\n" in data:
                break
    return len(data)


def bare_server(stack: Stack, prefix: str, event_bytes: int, first_bytes: int) -> Proc:
    """``bench/bare.py`` on the same Redis stream: the floor our web process is compared with."""
    assert stack.redis is not None
    port = free_port()
    args = [sys.executable, str(ROOT / "bench" / "bare.py"), "--port", str(port),
            "--redis", stack.redis.url, "--prefix", prefix, "--event-bytes", str(event_bytes),
            "--first-bytes", str(first_bytes)]  # fmt: skip
    return stack.start("bare", args, port)


async def measure(
    stack: Stack,
    state: Floor,
    clients: int,
    webs: int,
    window: float,
    settle: float = 3.0,
    path: str = "/events?view=tv",
    prepare: Callable[[str], Awaitable[None]] | None = None,
    bare: tuple[int, int] | None = None,
    freeze: bool = True,
) -> dict[str, Any]:
    """``path``: the clients' stream, or several, comma-separated, taken in turn (one board
    each); ``prepare``: called with the Redis prefix before the web starts (saved boards);
    ``bare``: (bytes per change, first event's bytes) to measure ``bench/bare.py`` instead;
    ``freeze``: false for our web process with Python's garbage collector as it is."""
    assert stack.redis is not None
    prefix = f"bench-fan-{clients}-{webs}-{int(time.time())}:"
    injector = Injector(stack.redis.url, prefix, state)
    await injector.start()
    if prepare is not None:
        await prepare(prefix)
    procs: list[Proc] = []
    load: LoadClient | None = None
    feeding: asyncio.Task[list[int]] | None = None
    try:
        for _ in range(webs if bare is None else 0):
            procs.append(
                stack.web(
                    WALLBOARD_REDIS_PREFIX=prefix,
                    WALLBOARD_POLL_INTERVAL="1",
                    WALLBOARD_STATS_ENABLED="false",
                    # Every load connection comes from one address: the per-address cap (50)
                    # guards real sites, not a benchmark.
                    WALLBOARD_SSE_PER_ADDRESS=str(clients + 100),
                    WALLBOARD_GC_FREEZE=str(freeze).lower(),
                )
            )
        for proc in procs:
            await warm(proc.url)
        first = await first_event_bytes(procs[0].url, path.split(",")[0]) if procs else 0
        if bare is not None:
            procs = [bare_server(stack, prefix, *bare) for _ in range(webs)]
        await asyncio.sleep(1.0)
        rss_before = [rss_bytes(p.pid) for p in procs]
        feeding = asyncio.create_task(injector.run(1.0, 3600))
        targets = [f"127.0.0.1:{p.port}" for p in procs]
        started = time.monotonic()
        load, ready = await LoadClient.start(targets, clients, path)
        connect_s = time.monotonic() - started
        await asyncio.sleep(settle)
        rss_after = [rss_bytes(p.pid) for p in procs]
        redis_pid = stack.redis.process.pid if stack.redis.process else None
        await load.command("mark")
        figures0 = [(0.0, 0.0) if bare else await counters(p.url) for p in procs]
        cpu0 = [cpu_seconds(p.pid) for p in procs]
        redis0 = cpu_seconds(redis_pid) if redis_pid else 0.0
        first_seq = injector.seq + 1
        mark = time.monotonic()
        await asyncio.sleep(window)
        last_seq = injector.seq
        elapsed = time.monotonic() - mark
        cpu1 = [cpu_seconds(p.pid) for p in procs]
        figures1 = [(0.0, 0.0) if bare else await counters(p.url) for p in procs]
        redis1 = cpu_seconds(redis_pid) if redis_pid else 0.0
        await asyncio.sleep(2.0)  # let the last changes of the window arrive
        result = await load.command("stop", timeout=120)
    finally:
        if feeding is not None:
            feeding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeding
        if load is not None:
            await load.close()
        for proc in procs:
            stack.remove(proc)
        with contextlib.suppress(Exception):
            await injector.close()
    seen: dict[str, list[float]] = result["seen"]
    latencies: list[float] = []
    for seq in range(first_seq, last_seq + 1):
        sent = injector.sent[seq]
        latencies += [t - sent for t in seen.get(str(seq), [])]
    connected = int(ready["connected"])
    expected = connected * (last_seq - first_seq + 1)
    per_conn = [
        (after - before) / max(1, connected // webs)
        for before, after in zip(rss_before, rss_after, strict=True)
    ]
    return {
        "clients": clients,
        "webs": webs,
        "connected": connected,
        "failed": ready["failed"],
        "errors": ready.get("errors", {}),
        "connect_s": connect_s,
        "changes": last_seq - first_seq + 1,
        "deliveries": len(latencies),
        "expected": expected,
        "closed": result["closed"],
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
        "max": max(latencies) if latencies else float("nan"),
        "rss_before_mb": [r / 2**20 for r in rss_before],
        "rss_after_mb": [r / 2**20 for r in rss_after],
        "rss_per_conn_kb": sum(per_conn) / len(per_conn) / 1024,
        "web_cpu_pct": [(b - a) / elapsed * 100 for a, b in zip(cpu0, cpu1, strict=True)],
        "redis_cpu_pct": (redis1 - redis0) / elapsed * 100,
        "client_cpu_pct": result["cpu_s"] / result["wall_s"] * 100,
        "client_bytes_per_s": result["bytes"] / result["wall_s"],
        "window_s": elapsed,
        "web_sse_bytes": [b[0] - a[0] for a, b in zip(figures0, figures1, strict=True)],
        "web_gc_full_s": [b[1] - a[1] for a, b in zip(figures0, figures1, strict=True)],
        "first_bytes": first,
        "server": "bare" if bare else "ours" if freeze else "ours-gc-default",
    }
