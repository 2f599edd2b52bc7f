"""A Redis master, its replica and three sentinels as real processes: the embedded redis-server
binary (which is also a sentinel) started by the deployment's own script, deploy/redis-ha.sh,
so that a restarted master rejoins only as a replica of the master the sentinels name."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path

import redis as redis_sync

from tests.harness import ROOT, Proc, Stack
from wallboard.processes import free_port, redis_binary

SERVICE = "mymaster"
# Sentinel's timings for a busy 2-core test machine, shorter than the deployment's (5 s, 60 s)
# to keep the test short; a second (down-after 1 s) once made a sentinel declare the freshly
# promoted master down and fail back to an empty one.
DOWN_AFTER_MS = 2000
FAILOVER_TIMEOUT_MS = 10000
QUORUM = 2
SCRIPT = ROOT / "deploy" / "redis-ha.sh"


def _script_env(first_master: int, sentinels: list[int], **more: str) -> dict[str, str]:
    """The deployment's script, told the test's loopback ports and timings."""
    return {
        "REDIS_HA_SERVICE": SERVICE,
        "REDIS_HA_SENTINELS": " ".join(f"127.0.0.1:{p}" for p in sentinels),
        "REDIS_HA_FIRST_MASTER": "127.0.0.1",
        "REDIS_HA_FIRST_MASTER_PORT": str(first_master),
        "REDIS_HA_QUORUM": str(QUORUM),
        "REDIS_HA_DOWN_AFTER_MS": str(DOWN_AFTER_MS),
        "REDIS_HA_FAILOVER_TIMEOUT_MS": str(FAILOVER_TIMEOUT_MS),
        "REDIS_SERVER": redis_binary(),
        "REDIS_CLI": str(Path(redis_binary()).with_name("redis-cli")),
        **more,
    }


@dataclass
class Sentinels:
    """The five processes, started in ``stack`` (stopped with it), configs under ``workdir``."""

    stack: Stack
    workdir: Path
    data: dict[int, Proc] = field(default_factory=dict)  # by port
    sentinels: list[Proc] = field(default_factory=list)

    first: int = 0
    sentinel_ports: list[int] = field(default_factory=list)

    def start(self) -> Sentinels:
        """The first master, its replica, then the sentinels, each as the script starts it."""
        self.first = free_port()
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.start_data(self.first)
        self.start_data(free_port())
        for port in self.sentinel_ports:
            workdir = self.workdir / f"sentinel-{port}"
            workdir.mkdir()
            env = self._env(REDIS_HA_SENTINEL_PORT=str(port), REDIS_HA_DIR=str(workdir))
            args = ["sh", str(SCRIPT), "sentinel", "127.0.0.1", "--bind", "127.0.0.1"]
            self.sentinels.append(self.stack.start("sentinel", args, port, **env))
        return self

    def _env(self, **more: str) -> dict[str, str]:
        return _script_env(self.first, self.sentinel_ports, **more)

    def start_data(self, port: int) -> Proc:
        """A Redis server on ``port``: master or replica, as the script decides."""
        workdir = self.workdir / f"redis-{port}"
        workdir.mkdir(exist_ok=True)
        args = [
            "sh",
            str(SCRIPT),
            "node",
            "127.0.0.1",
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
        ]
        proc = self.stack.start(f"redis-{port}", args, port, **self._env(REDIS_HA_PORT=str(port)))
        self.data[port] = proc
        return proc

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def master(self) -> tuple[str, int] | None:
        """The master as the sentinels' majority names it now."""
        named: dict[tuple[str, int], int] = {}
        for proc in self.sentinels:
            with _client(proc.port or 0) as client:
                try:
                    answer = client.sentinel_get_master_addr_by_name(SERVICE)
                except redis_sync.RedisError:
                    continue
            if answer:
                address = (str(answer[0]), int(answer[1]))
                named[address] = named.get(address, 0) + 1
        agreed = [a for a, n in named.items() if n >= QUORUM]
        return agreed[0] if agreed else None

    def kill(self, port: int) -> None:
        self.data[port].stop(signal.SIGKILL)

    def rejoin(self, port: int) -> Proc:
        """A killed node back, started by the script: as a replica of the master the sentinels
        name (never empty as a master: that is how a failback once lost the data)."""
        return self.start_data(port)


def _client(port: int) -> redis_sync.Redis:
    return redis_sync.Redis(
        port=port, socket_timeout=1, socket_connect_timeout=1, decode_responses=True
    )


def replication(port: int) -> dict[str, str]:
    """``INFO replication`` of the node on ``port``."""
    with _client(port) as client:
        info: dict[str, str] = {k: str(v) for k, v in client.info("replication").items()}
    return info
