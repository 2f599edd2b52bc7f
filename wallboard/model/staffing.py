"""Agents needed now per queue: Erlang C on the last 30 minutes (docs/figures.md, "Staffing").

Pure: the calls of the window, the queue's live counts and its target go in, a ``Staffing``
record comes out. When the inputs cannot carry a figure (no call in the window, a handling
time of zero, no target) the record says why in ``missing`` and holds no number at all.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from msgspec import Struct

from wallboard.model import erlang

WINDOW_S = 1800.0  # the arrival rate and handling time are those of the last 30 minutes
Missing = Literal["no_calls", "no_handling_time", "no_target", "too_many"]


@dataclass(frozen=True, slots=True)
class Recent:
    """One call of the window: when it entered the queue, its wait, its talk if answered."""

    entered: float
    answered: bool
    talk: float
    wait: float = 0.0


class Staffing(Struct, frozen=True, kw_only=True):
    """Agents needed to hold the target, against agents staffed (available + on call)."""

    staffed: int = 0
    available: int = 0
    on_call: int = 0
    calls: int = 0  # calls that entered in the window
    missing: Missing | None = None
    arrivals_per_hour: float | None = None
    aht_s: float | None = None
    traffic: float | None = None  # erlangs
    needed: int | None = None
    gap: int | None = None  # needed - staffed: "+3 needed" when positive
    projected_sl: float | None = None  # percent, with the agents staffed now
    target_s: float | None = None
    target_pct: float | None = None


def window(calls: Sequence[Recent], now: float, span_s: float = WINDOW_S) -> Sequence[Recent]:
    """The calls that entered in the ``span_s`` seconds up to ``now``, of ``calls`` sorted by
    entry (as ``model.insights.recent_calls`` gives them): two bisections, not a scan, as it
    runs for every queue on every poll."""
    low = bisect.bisect_left(calls, now - span_s, key=_entered)
    high = bisect.bisect_right(calls, now, lo=low, key=_entered)
    return calls[low:high]


def _entered(call: Recent) -> float:
    return call.entered


def window_sl(calls: Sequence[Recent], target_s: float | None) -> float | None:
    """Percent of the window's calls answered within ``target_s``; None without calls."""
    if target_s is None or not calls:
        return None
    within = sum(1 for c in calls if c.answered and c.wait <= target_s)
    return round(100.0 * within / len(calls), 1)


def staffing(
    calls: Sequence[Recent],
    *,
    available: int,
    on_call: int,
    target_s: float | None,
    target_pct: float | None,
    span_s: float = WINDOW_S,
) -> Staffing:
    """Erlang C for the calls of one window (see ``window``) and the agents staffed now."""
    staffed = available + on_call
    base = Staffing(staffed=staffed, available=available, on_call=on_call, calls=len(calls))
    talks = [c.talk for c in calls if c.answered]
    if target_s is None or target_pct is None or target_pct <= 0 or target_pct >= 100:
        return _missing(base, "no_target", target_s, target_pct)
    if not calls or span_s <= 0:
        return _missing(base, "no_calls", target_s, target_pct)
    aht = sum(talks) / len(talks) if talks else 0.0
    if aht <= 0:
        return _missing(base, "no_handling_time", target_s, target_pct)
    rate = len(calls) / span_s
    traffic = rate * aht
    try:
        needed = erlang.agents_needed(traffic, aht, target_s, target_pct / 100)
    except ValueError:
        return _missing(base, "too_many", target_s, target_pct)
    projected = erlang.service_level(staffed, traffic, aht, target_s) if staffed else 0.0
    return Staffing(
        staffed=staffed,
        available=available,
        on_call=on_call,
        calls=len(calls),
        arrivals_per_hour=round(rate * 3600, 1),
        aht_s=round(aht, 1),
        traffic=round(traffic, 2),
        needed=needed,
        gap=needed - staffed,
        # Rounded down: Erlang C never promises 100 %, and neither should the board.
        projected_sl=math.floor(1000 * projected) / 10,
        target_s=target_s,
        target_pct=target_pct,
    )


def _missing(
    base: Staffing, why: Missing, target_s: float | None, target_pct: float | None
) -> Staffing:
    return Staffing(
        staffed=base.staffed,
        available=base.available,
        on_call=base.on_call,
        calls=base.calls,
        missing=why,
        target_s=target_s,
        target_pct=target_pct,
    )
