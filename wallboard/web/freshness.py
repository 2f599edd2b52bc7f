"""Whether the data on screen is live: judged by the web process itself from the data's age, so
that a dead poller shows as stale as surely as a failing QueueMetrics."""

from __future__ import annotations

from typing import Any

from wallboard.i18n import N_

# In English (the health API's); the freshness line translates them, and the no-data detail.
REASONS = {
    "unreachable": N_("QueueMetrics unreachable"),
    "auth": N_("QueueMetrics refused the login"),
    "protocol": N_("QueueMetrics gave a bad answer"),
    "refused": N_("QueueMetrics refused the request"),
    "no-poller": N_("no poller is updating the data"),
    "no-data": N_("no data yet"),
    "redis": N_("the data store is unavailable"),
}
NO_POLL_YET = N_("no successful poll yet")


def judge(meta: dict[str, Any], now: float, stale_after: float) -> dict[str, Any]:
    """``fresh``, ``age_s``, ``stale``, ``error`` (kind and message) and a ``reason`` for people."""
    fetched_at = meta.get("fetched_at")
    age = None if fetched_at is None else max(0.0, now - float(fetched_at))
    error = meta.get("error")
    if meta.get("redis_down"):
        error = {"kind": "redis", "message": str(meta.get("redis_down"))}
    elif error is None and fetched_at is None:
        error = {"kind": "no-data", "message": NO_POLL_YET}
    elif error is None and age is not None and age > stale_after:
        error = {"kind": "no-poller", "message": f"last update {age:.0f} s ago"}
    stale = error is not None
    reason = REASONS.get(error["kind"], error["kind"]) if error else ""
    return {
        "fresh": not stale,
        "stale": stale,
        "age_s": None if age is None else round(age, 1),
        "fetched_at": fetched_at,
        "error": error,
        "reason": reason,
        "qm_clock_offset": meta.get("qm_clock_offset") or 0.0,
    }
