"""Today's figures per queue from QmStats' raw call lists (docs/figures.md defines each one).

Pure: no clock and no I/O; ``now`` and every threshold are passed in. Results are JSON-ready
dicts. A queue stint is one offered call of that queue, as QueueMetrics counts them outside
its multi-stint mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from msgspec.structs import replace

from wallboard.model.state import Floor, Queue, Today
from wallboard.qm.stats import CallRecord

Key = tuple[str, str, int]
Book = dict[Key, CallRecord]
Figures = dict[str, Any]

# KO letters: "A" is confirmed as an abandon; the others are the likely letters.
LOST_CAUSES: dict[str, str] = {"A": "abandon", "T": "timeout", "E": "exit_empty", "K": "exit_key"}


@dataclass(frozen=True)
class Targets:
    sl_s: float = 20.0  # answered within this many seconds counts towards service level
    sl_pct: float = 80.0  # the service level aimed at, in percent
    short_abandon_s: float = 5.0  # a lost call that waited less is a short abandon


def parse_targets(text: str, default: Targets) -> dict[str, Targets]:
    """``"300=20/80/5|301=30/90"``: per queue, target seconds / percent / short abandon s.

    Missing parts keep the default's values; ValueError names the bad entry."""
    out: dict[str, Targets] = {}
    for entry in filter(None, (e.strip() for e in text.split("|"))):
        queue, sep, spec = entry.partition("=")
        parts = spec.split("/")
        if not sep or not queue.strip() or len(parts) > 3:
            raise ValueError(f"bad queue target {entry!r}: expected queue=seconds/percent/short")
        base = (default.sl_s, default.sl_pct, default.short_abandon_s)
        try:
            values = [float(p) if p.strip() else b for p, b in zip(parts, base, strict=False)]
        except ValueError:
            raise ValueError(f"bad queue target {entry!r}: not a number") from None
        values += list(base[len(values) :])
        if any(v < 0 for v in values) or values[1] > 100:
            raise ValueError(f"bad queue target {entry!r}: out of range")
        out[queue.strip()] = Targets(*values)
    return out


@dataclass(frozen=True)
class Day:
    label: str  # YYYY-MM-DD of the business day's start, in QueueMetrics' time zone
    start: float
    end: float


def business_day(now: float, tz: ZoneInfo, start: time = time(0)) -> Day:
    """The business day holding ``now``: from ``start`` local time to the next day's start
    (23 or 25 hours across a daylight-saving change)."""
    local = datetime.fromtimestamp(now, tz)
    day = local.date()
    if local.time() < start:
        day -= timedelta(days=1)
    return Day(day.isoformat(), _at(day, start, tz), _at(day + timedelta(days=1), start, tz))


def _at(day: date, start: time, tz: ZoneInfo) -> float:
    return datetime.combine(day, start, tzinfo=tz).timestamp()


def upsert(
    book: Book, records: Iterable[CallRecord], window_start: float | None = None
) -> list[CallRecord]:
    """Add or replace records by (callid, queue, entry time); returns those that changed.

    A record that entered before its fetch window began was only partly seen (QueueMetrics
    drops the events outside the window), so it never overwrites one already known."""
    changed: list[CallRecord] = []
    for rec in records:
        known = book.get(rec.key)
        if known == rec:
            continue
        if known is not None and window_start is not None and rec.entered < window_start:
            continue
        book[rec.key] = rec
        changed.append(rec)
    return changed


def of_day(book: Book, day: Day) -> list[CallRecord]:
    """The stints that entered the queue during the day: a call crossing the day start
    belongs to the day it entered."""
    return [r for r in book.values() if day.start <= r.entered < day.end]


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _avg(total: int, count: int) -> float | None:
    return round(total / count, 1) if count else None


def _fig(
    calls: list[CallRecord],
    target_of: Mapping[str, Targets],
    shown: Targets | None,
    *,
    exclude_short: bool,
    basis: str,
    waiting_since: float | None,
    now: float,
    causes: Mapping[str, str],
) -> Figures:
    answered = [c for c in calls if c.answered]
    lost = [c for c in calls if not c.answered]
    in_target = sum(1 for c in answered if c.wait <= target_of[c.queue].sl_s)
    short = sum(1 for c in lost if c.wait < target_of[c.queue].short_abandon_s)
    sl_offered = len(calls) - (short if exclude_short else 0)
    talk = sum(c.talk for c in answered)
    by_cause: dict[str, int] = {}
    for c in lost:
        cause = causes.get(c.reason, "other")
        by_cause[cause] = by_cause.get(cause, 0) + 1
    of_answered, of_offered = _pct(in_target, len(answered)), _pct(in_target, sl_offered)
    sl = of_offered if basis == "offered" else of_answered
    live = max(0, round(now - waiting_since)) if waiting_since is not None else None
    max_ok = max((c.wait for c in answered), default=None)
    max_ko = max((c.wait for c in lost), default=None)
    return {
        "offered": len(calls),
        "answered": len(answered),
        "lost": len(lost),
        "short_abandons": short,
        "short_abandons_excluded": exclude_short,
        "lost_causes": dict(sorted(by_cause.items())),
        "answered_in_target": in_target,
        "sl_target_s": shown.sl_s if shown else None,
        "sl_target_pct": shown.sl_pct if shown else None,
        "short_abandon_s": shown.short_abandon_s if shown else None,
        "sl_of_answered": of_answered,
        "sl_of_offered": of_offered,
        "sl_basis": basis,
        "sl": sl,
        "sl_met": None if sl is None or shown is None else sl >= shown.sl_pct,
        "asa_s": _avg(sum(c.wait for c in answered), len(answered)),
        "talk_avg_s": _avg(talk, len(answered)),
        "talk_total_s": talk,
        "longest_wait_answered_s": max_ok,
        "longest_wait_lost_s": max_ko,
        "longest_wait_live_s": live,
        "waiting_since": waiting_since,
        "longest_wait_s": max((w for w in (max_ok, max_ko, live) if w is not None), default=None),
    }


def with_live(fig: Figures, waiting_since: float | None, now: float) -> Figures:
    """The same figures with the live part (calls waiting now) brought up to ``now``."""
    live = max(0, round(now - waiting_since)) if waiting_since is not None else None
    waits = (fig["longest_wait_answered_s"], fig["longest_wait_lost_s"], live)
    return {
        **fig,
        "waiting_since": waiting_since,
        "longest_wait_live_s": live,
        "longest_wait_s": max((w for w in waits if w is not None), default=None),
    }


def figures(
    calls: Iterable[CallRecord],
    queues: Iterable[str],
    *,
    now: float,
    default: Targets = Targets(),
    targets: Mapping[str, Targets] | None = None,
    exclude_short: bool = False,
    sl_basis: str = "offered",
    waiting_since: Mapping[str, float] | None = None,
    causes: Mapping[str, str] = LOST_CAUSES,
) -> Figures:
    """Per-queue figures for each selected queue, and the same for them all together.

    Every call is judged against its own queue's targets, the total too; the total shows a
    target only when every selected queue shares it."""
    codes = list(dict.fromkeys(queues))
    per_queue = targets or {}
    target_of = {q: per_queue.get(q, default) for q in codes}
    waits = waiting_since or {}
    mine = [c for c in calls if c.queue in target_of]
    common = {target_of[q] for q in codes}
    kw: dict[str, Any] = {
        "exclude_short": exclude_short,
        "basis": sl_basis,
        "now": now,
        "causes": causes,
    }
    out: dict[str, Figures] = {}
    for q in codes:
        out[q] = _fig(
            [c for c in mine if c.queue == q],
            target_of,
            target_of[q],
            waiting_since=waits.get(q),
            **kw,
        )
    since = [waits[q] for q in codes if q in waits]
    total = _fig(
        mine,
        target_of,
        common.pop() if len(common) == 1 else None,
        waiting_since=min(since) if since else None,
        **kw,
    )
    total["distinct_calls"] = len({c.callid for c in mine})
    return {"queues": out, "all": total}


# Figures that stay still between two QmStats fetches: the live wait, which moves with every
# poll, is left to the page, which ticks it from ``waiting_since``.
SHOWN = (
    "offered", "answered", "lost", "short_abandons", "answered_in_target", "sl", "sl_basis",
    "sl_of_answered", "sl_of_offered", "sl_target_s", "sl_target_pct", "asa_s", "talk_avg_s",
    "talk_total_s", "longest_wait_answered_s", "longest_wait_lost_s",
)  # fmt: skip


def with_today(floor: Floor, stored: Mapping[str, Any]) -> Floor:
    """The floor with each queue's figures of the day in ``queues[].today``, with their own
    freshness (``as_of``, ``stale``); ``None`` for a queue QmStats has no figures for."""
    per_queue = stored.get("queues") or {}
    as_of, stale = stored.get("as_of"), bool(stored.get("stale"))

    def today_of(queue: Queue) -> Today | None:
        fig = per_queue.get(queue.queue)
        if fig is None:
            return None
        shown = {name: fig.get(name) for name in SHOWN if fig.get(name) is not None}
        return msgspec.convert({**shown, "as_of": as_of, "stale": stale}, Today)

    queues = tuple(replace(q, today=today_of(q)) for q in floor.queues)
    return replace(floor, queues=queues)
