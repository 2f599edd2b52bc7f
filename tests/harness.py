"""The product's processes for tests and benchmarks alike: Redis, the simulator, pollers and web
processes, each started with the product's own command on a free loopback port, in a process
group of its own (stopping it stops whatever it started), dying with its parent, its output kept
in a log that is shown when something fails. Also what benchmarks read of a running child: its
CPU time and memory."""

from __future__ import annotations

import contextlib
import functools
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wallboard.processes import EmbeddedRedis, die_with_parent, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
ROBOT = ("robot", "robot")
# The pace tests run the product at: two polls a second and a keep-alive every 2 s, so a change
# or an outage shows within a second or two. Benchmarks keep the product's own defaults.
TEST_PACE = {"WALLBOARD_POLL_INTERVAL": "0.5", "WALLBOARD_KEEPALIVE": "2"}
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


class DidNotStart(RuntimeError):
    """A process exited, or never listened, while it was being started; the message has its
    log."""


def raise_nofile() -> int:
    """Raise this process's soft open-file limit to its hard limit (children inherit it); the
    limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _prepare_child(many_files: bool) -> None:
    if many_files:
        raise_nofile()
    die_with_parent()


def child_setup(many_files: bool = False) -> Callable[[], None]:
    """What a child runs before its program: die with its parent, and with ``many_files`` the
    open-file limit raised (a web process holding thousands of SSE connections needs it)."""
    return functools.partial(_prepare_child, many_files)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_bytes(pid: int) -> int:
    """Resident memory of a process now."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE


@dataclass
class Proc:
    """One child process: its command, its environment, its log, the port it listens on."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    many_files: bool = False
    process: subprocess.Popen[bytes] | None = None
    cwd: Path = ROOT  # another checkout runs its own code (bench/baseline.py)

    def start(self, timeout: float = 30.0) -> Proc:
        """Start it and, when it has a port, wait until it listens there."""
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen(
                self.args,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                start_new_session=True,
                preexec_fn=child_setup(self.many_files),
            )
        if self.port:
            try:
                wait_for_port("127.0.0.1", self.port, timeout, self.process)
            except (RuntimeError, TimeoutError) as exc:
                self.stop(signal.SIGKILL)
                raise DidNotStart(f"{self.name}: {exc}\n{self.logged()}") from None
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> float:
        """Send ``sig`` to its process group, SIGKILL the group if it is still there after
        ``timeout``; how long it took to exit."""
        if self.process is None or self.process.returncode is not None:
            return 0.0
        started = time.monotonic()
        if not self._exited():
            self.signal(sig)
            self.signal(signal.SIGCONT)  # a stopped process handles SIGTERM only once continued
            deadline = started + timeout
            while not self._exited() and time.monotonic() < deadline:
                time.sleep(0.01)
            self.signal(signal.SIGKILL)  # what is left of the group, the process too if need be
        took = time.monotonic() - started
        self.process.wait()
        return took

    def signal(self, sig: int) -> None:
        """Send ``sig`` to its process group, as long as the process is not reaped: until then
        the group's id (its pid) cannot have gone to another process."""
        assert self.process is not None
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def _exited(self) -> bool:
        """Whether it has exited, without reaping it (a zombie keeps its pid to itself)."""
        assert self.process is not None
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self.process.pid, flags) is not None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def logged(self, chars: int = 4000) -> str:
        """The end of its log, under a header naming it."""
        return f"===== {self.name} ({self.log})\n{self.output()[-chars:]}"


class Stack:
    """The product's roles as real processes on one Redis (and one key prefix); stopped in
    reverse order of starting."""

    def __init__(
        self,
        workdir: Path,
        redis_url: str,
        *,
        prefix: str = "",
        many_files: bool = False,
        **settings: str,
    ) -> None:
        self.workdir = workdir
        self.prefix = prefix
        self.many_files = many_files
        self.redis: EmbeddedRedis | None = None  # set when the stack started Redis itself
        self.procs: list[Proc] = []
        self.env = {
            **os.environ,
            "WALLBOARD_REDIS_URL": redis_url,
            **({"WALLBOARD_REDIS_PREFIX": prefix} if prefix else {}),
            "WALLBOARD_QM_USER": ROBOT[0],
            "WALLBOARD_QM_PASSWORD": ROBOT[1],
            "WALLBOARD_SIM_ROBOT_PASSWORD": ROBOT[1],
            "WALLBOARD_SECRET_KEY": secrets.token_urlsafe(16),
            "WALLBOARD_LOG_LEVEL": "warning",
            **settings,
        }

    @classmethod
    def with_own_redis(cls, workdir: Path, *, many_files: bool = False) -> Stack:
        """A stack on a Redis of its own, which ``stop`` stops too."""
        redis = EmbeddedRedis().start()
        stack = cls(workdir, redis.url, many_files=many_files)
        stack.redis = redis
        return stack

    @property
    def redis_url(self) -> str:
        return self.env["WALLBOARD_REDIS_URL"]

    def use_redis(self, url: str) -> None:
        """Processes started from now on use the Redis at ``url``."""
        self.env["WALLBOARD_REDIS_URL"] = url

    def start(
        self, name: str, args: list[str], port: int | None = None, cwd: Path = ROOT, **env: str
    ) -> Proc:
        """Any command with the stack's environment (plus ``env``), waited for on ``port``."""
        log = self.workdir / f"{name}-{len(self.procs)}.log"
        proc = Proc(name, args, {**self.env, **env}, log, port, self.many_files, cwd=cwd)
        self.procs.append(proc)
        return proc.start()

    def _role(
        self, name: str, role: list[str], port: int | None, cwd: Path = ROOT, **env: str
    ) -> Proc:
        return self.start(name, [sys.executable, "-m", "wallboard.cli", *role], port, cwd, **env)

    def simulator(self, *extra: str, agents: int = 8, queues: int = 2, port: int = 0) -> Proc:
        """The simulator (``extra``: more of its options); the roles started after it use it as
        QueueMetrics."""
        port = port or free_port()
        role = ["simulator", "--port", str(port), "--agents", str(agents)]
        sim = self._role("simulator", [*role, "--queues", str(queues), *extra], port)
        self.env["WALLBOARD_QM_URL"] = f"{sim.url}/queuemetrics"
        return sim

    def poller(self, **env: str) -> Proc:
        return self._role("poller", ["poller"], None, **env)

    def web(self, *, port: int = 0, cwd: Path = ROOT, **env: str) -> Proc:
        port = port or free_port()
        return self._role("web", ["web", "--port", str(port)], port, cwd, **env)

    def remove(self, proc: Proc) -> None:
        """Stop one process and forget it."""
        proc.stop()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        if self.redis is not None:
            self.redis.stop()
            self.redis = None

    def logs(self, chars: int = 4000) -> str:
        """The end of every process's log, for a failure's report."""
        return "\n".join(proc.logged(chars) for proc in self.procs)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
