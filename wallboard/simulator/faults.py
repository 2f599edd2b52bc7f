"""Run-time fault injection: slow, hanging, failing and garbled QueueMetrics answers."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

# Faults that replace the answer before the endpoint runs, and those that spoil its answer.
BEFORE = ("latency", "timeout", "unauthorized", "http_500", "html_error")
AFTER = ("malformed_json", "status_not_ok")
MODES = BEFORE + AFTER

ENDPOINTS = (
    "QmRealtime", "QmStats", "QmAuth", "QmAuthenticate", "QmAgentPCodes", "QmAgentQueues",
    "QmBroadcastMsg", "pbxactions", "editor", "sysup",
)  # fmt: skip

DEFAULT_SECONDS = {"latency": 1.0, "timeout": 60.0}

HTML_502 = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""

HTML_500 = """<!doctype html><html lang="en"><head><title>HTTP Status 500 - Internal Server \
Error</title></head><body><h1>HTTP Status 500 - Internal Server Error</h1><hr class="line" />\
<p><b>Type</b> Exception Report</p><p><b>Message</b> Simulated failure</p><p><b>Description</b> \
The server encountered an unexpected condition that prevented it from fulfilling the request.\
</p><p><b>Exception</b></p><pre>java.lang.RuntimeException: Simulated failure</pre>\
<hr class="line" /><h3>Apache Tomcat/9.0.85</h3></body></html>
"""


@dataclass
class Fault:
    mode: str
    endpoints: list[str] = field(default_factory=lambda: ["QmRealtime"])
    seconds: float = 0.0  # latency added, or how long a timeout hangs
    rate: float = 1.0  # chance that a matching request is hit
    count: int | None = None  # hit only this many more requests, then vanish

    def applies_to(self, endpoint: str) -> bool:
        return "*" in self.endpoints or endpoint in self.endpoints


def parse_fault(spec: dict[str, Any]) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong."""
    mode = spec.get("mode")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}")
    endpoints = spec.get("endpoints", ["QmRealtime"])
    if isinstance(endpoints, str):
        endpoints = [endpoints]
    if not isinstance(endpoints, list) or not endpoints:
        raise ValueError("endpoints must be a non-empty list")
    for e in endpoints:
        if e != "*" and e not in ENDPOINTS:
            raise ValueError(f"unknown endpoint '{e}', expected '*' or one of {list(ENDPOINTS)}")
    seconds = spec.get("seconds", DEFAULT_SECONDS.get(mode, 0.0))
    rate = spec.get("rate", 1.0)
    count = spec.get("count")
    if not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError("seconds must be a number >= 0")
    if not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise ValueError("rate must be a number from 0 to 1")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer")
    return Fault(mode, list(endpoints), float(seconds), float(rate), count)


class Faults:
    """The active faults; at most one per mode (adding a mode again replaces it)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.active: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.active = [f for f in self.active if f.mode != fault.mode]
        self.active.append(fault)

    def clear(self) -> None:
        self.active = []

    def describe(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.active]

    def draw(self, endpoint: str) -> list[Fault]:
        """The faults hitting one request to `endpoint`, in the order they act."""
        hits: list[Fault] = []
        for f in list(self.active):
            if not f.applies_to(endpoint):
                continue
            if f.rate < 1 and self._rng.random() >= f.rate:
                continue
            hits.append(f)
            if f.count is not None:
                f.count -= 1
                if f.count <= 0:
                    self.active.remove(f)
        return sorted(hits, key=lambda f: MODES.index(f.mode))


def malformed(body: bytes) -> bytes:
    """A JSON answer cut short, as a broken proxy or a crashed marshaller would leave it."""
    return body[: max(1, len(body) // 2)]
