"""The running simulator: the model on a clock, the knobs, the faults and what was received."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wallboard.simulator.callcenter import CallCenter
from wallboard.simulator.config import Config
from wallboard.simulator.faults import Faults


@dataclass
class EndpointStats:
    count: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


class RequestLog:
    """Counts per endpoint, requests in flight now and the most ever in flight at once."""

    def __init__(self) -> None:
        self.stats: dict[str, EndpointStats] = {}
        self.recent: deque[dict[str, Any]] = deque(maxlen=200)

    def begin(self, endpoint: str, entry: dict[str, Any]) -> None:
        s = self.stats.setdefault(endpoint, EndpointStats())
        s.count += 1
        s.in_flight += 1
        s.max_in_flight = max(s.max_in_flight, s.in_flight)
        self.recent.append(entry)

    def end(self, endpoint: str) -> None:
        self.stats[endpoint].in_flight -= 1

    def reset(self) -> None:
        """Forget counts and history; requests still in flight stay counted as such."""
        for s in self.stats.values():
            s.count = 0
            s.max_in_flight = s.in_flight
        self.recent.clear()

    def describe(self) -> dict[str, Any]:
        return {
            "endpoints": {
                name: {"count": s.count, "in_flight": s.in_flight, "max_in_flight": s.max_in_flight}
                for name, s in sorted(self.stats.items())
            },
            "in_flight": sum(s.in_flight for s in self.stats.values()),
            "recent": list(self.recent),
        }


class Simulation:
    """Maps real time onto the model's simulated time and holds the run-time state."""

    def __init__(
        self,
        center: CallCenter,
        config: Config | None = None,
        speed: float = 1.0,
        seed: int = 1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.center = center
        self.config = config or Config()
        self.initial_config = self.config
        self.speed = speed
        self._clock = clock
        # At speed 1 simulated time is real time, so timestamps look like today's.
        self._anchor_real = clock()
        self._anchor_sim = self._anchor_real
        self.rng = random.Random(f"runtime-{seed}")
        self.faults = Faults(random.Random(f"faults-{seed}"))
        self.requests = RequestLog()
        self.actions: list[dict[str, Any]] = []
        self.broadcasts: list[dict[str, Any]] = []
        self.logons: dict[str, int] = {}
        # A plain flag polled by sleepers: an asyncio.Event would tie the simulation to one
        # event loop, and every TestClient runs its own.
        self.stopping = False
        self.tick()

    # --------------------------------------------------------------- clock

    def now(self) -> float:
        """Simulated time now (the model's terms, no QueueMetrics clock offset)."""
        return self._anchor_sim + (self._clock() - self._anchor_real) * self.speed

    def qm_now(self) -> float:
        """QueueMetrics' clock: what its timestamps and Date header say now."""
        return self.now() + self.config.clock_offset_s

    def tick(self) -> None:
        self.center.advance(self.now())

    def set_speed(self, speed: float) -> None:
        self._anchor_sim = self.now()
        self._anchor_real = self._clock()
        self.speed = speed

    def jump(self, seconds: float) -> None:
        """Move simulated time forward at once, applying everything due meanwhile."""
        self._anchor_sim += seconds
        self.tick()

    # --------------------------------------------------------------- knobs

    def reconfigure(self, changes: dict[str, Any]) -> None:
        self.config = self.config.updated(changes)

    def reset_faults(self) -> None:
        """Clear the faults and restore the knobs, except the clock: skew is not a fault."""
        self.faults.clear()
        self.config = self.initial_config.updated({"clock_offset_s": self.config.clock_offset_s})

    def record_action(self, user: str, raw: str) -> dict[str, Any]:
        """Keep a pbx action body as received; its handler adds the outcome."""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        record = {"time": self.qm_now(), "user": user, "raw": raw, "body": body,
                  "authorized": None, "resultStatus": None}  # fmt: skip
        self.actions.append(record)
        return record

    # --------------------------------------------------------------- delayed actions

    def apply_later(self, effect: Callable[[float], None]) -> bool:
        """Schedule an accepted pbx action's effect; False when it is (randomly) dropped."""
        cfg = self.config
        if cfg.action_drop_rate and self.rng.random() < cfg.action_drop_rate:
            return False
        self.center.schedule(self.center.time + cfg.action_delay_s * self.speed, effect)
        return True

    async def wait_or_shutdown(self, seconds: float) -> bool:
        """Sleep, but wake up when the server stops; True if it is stopping."""
        deadline = time.monotonic() + seconds
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(left, 0.05))
        return True
