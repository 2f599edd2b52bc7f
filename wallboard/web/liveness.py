"""Whether the data this process serves is live, and when the screens must hear from it: the
freshness line is sent when what it says changes, and at least every keep-alive period (it is
also the keep-alive the browser can see)."""

from __future__ import annotations

import time
from typing import Any

from wallboard.web.freshness import judge


class Liveness:
    def __init__(self, stale_after_s: float, keepalive_s: float) -> None:
        self.stale_after_s = stale_after_s
        self.keepalive_s = min(keepalive_s, 15.0)
        self.meta: dict[str, Any] = {}
        self.fresh = judge({}, time.time(), stale_after_s)
        self.last_beat = 0.0

    def update(self, meta: dict[str, Any]) -> bool:
        """Judge ``meta`` now; True when what the screens show of it changed."""
        self.meta = meta
        fresh = judge(meta, time.time(), self.stale_after_s)
        visible = ("stale", "reason", "fetched_at")
        changed = any(fresh[k] != self.fresh.get(k) for k in visible)
        self.fresh = fresh
        return changed

    def redis_down(self, message: str) -> bool:
        return self.update({**self.meta, "redis_down": message})

    def beat_due(self) -> bool:
        return time.time() - self.last_beat >= self.keepalive_s

    def beaten(self) -> float:
        self.last_beat = time.time()
        return self.last_beat
