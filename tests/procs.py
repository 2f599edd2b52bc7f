"""Real processes for integration and browser tests: the simulator, pollers, web processes,
each started with the product's own command on a free loopback port, logs kept for failures."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from wallboard.processes import free_port, wait_for_port

ROBOT = ("robot", "robot")


def until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


async def eventually(
    condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
) -> Any:
    """``until`` for async tests: the event loop keeps running while it waits."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.01)
    return value


@dataclass
class Proc:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    port: int | None = None

    def start(self) -> Proc:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.args, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        if self.port:
            wait_for_port("127.0.0.1", self.port, 30, self.process)
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> float:
        """Stop it and return how long it took."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        if sig == signal.SIGSTOP:
            self.process.send_signal(signal.SIGCONT)
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started

    def signal(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Stack:
    """The product's processes for one test, sharing one Redis key prefix."""

    tmp: Path
    redis_url: str
    prefix: str
    procs: list[Proc] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "WALLBOARD_REDIS_URL": self.redis_url,
            "WALLBOARD_REDIS_PREFIX": self.prefix,
            "WALLBOARD_QM_USER": ROBOT[0],
            "WALLBOARD_QM_PASSWORD": ROBOT[1],
            "WALLBOARD_SECRET_KEY": secrets.token_urlsafe(16),
            "WALLBOARD_POLL_INTERVAL": "0.5",
            "WALLBOARD_KEEPALIVE": "2",
            "WALLBOARD_LOG_LEVEL": "warning",
        }

    def _start(self, name: str, role: list[str], port: int | None, **env: str) -> Proc:
        args = [sys.executable, "-m", "wallboard.cli", *role]
        log = self.tmp / f"{name}-{len(self.procs)}.log"
        proc = Proc(name, args, {**self.env, **env}, log, port=port)
        self.procs.append(proc)
        return proc.start()

    def simulator(self, *extra: str, port: int = 0) -> Proc:
        port = port or free_port()
        role = ["simulator", "--port", str(port), "--agents", "8", "--queues", "2", *extra]
        sim = self._start("simulator", role, port)
        self.env["WALLBOARD_QM_URL"] = f"{sim.url}/queuemetrics"
        return sim

    def poller(self, **env: str) -> Proc:
        return self._start("poller", ["poller"], None, **env)

    def web(self, port: int = 0, **env: str) -> Proc:
        port = port or free_port()
        return self._start("web", ["web", "--port", str(port)], port, **env)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"===== {p.name} ({p.log.name})\n{p.output()[-4000:]}" for p in self.procs)


def control(sim: Proc, method: str, path: str, **kw: Any) -> Any:
    response = httpx.request(method, f"{sim.url}/sim/{path.lstrip('/')}", timeout=10, **kw)
    response.raise_for_status()
    return response.json() if response.content else None


def snapshot(web: Proc, **params: str) -> dict[str, Any]:
    response = httpx.get(f"{web.url}/api/snapshot", params=params, timeout=10)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def agent_in(snap: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((a for a in snap["agents"] if a["agent"] == code), None)


def quiet(sim: Proc) -> dict[str, Any]:
    """Stop the simulator's random events and end every call: tests then drive the floor."""
    control(sim, "POST", "auto", json={"enabled": False})
    for call in control(sim, "GET", "state")["calls"]:
        control(sim, "DELETE", f"calls/{call['callid']}")
    state: dict[str, Any] = control(sim, "GET", "state")
    return state


def set_agent(sim: Proc, code: str, state: str, pause_code: str = "") -> None:
    body = {"state": state, **({"pause_code": pause_code} if pause_code else {})}
    control(sim, "POST", f"agents/{code}", json=body)
