"""QmStats' raw call lists (DetailsDO.CallsOkRaw / CallsKoRaw) from the simulated day (pure).

Written from what docs/queuemetrics.md says of QmStats. Confirmed: the CALLOK_/CALLKO_
prefixes, the column names below, epoch-second times and second durations, `from`/`to` as
"YYYY-MM-DD.HH:MM:SS" in QueueMetrics' local time, a report seeing only the events inside
[from, to] and a call that started before `from` losing its caller id. Knobs cover what is
inferred: the meaning of tstStart, whether tstEnter is sent, the reason letters and the
elapsed-time model.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from wallboard.simulator.callcenter import CallCenter, FinishedCall
from wallboard.simulator.config import Config
from wallboard.simulator.wire import Block, stamp, table

PREFIX = "DetailsDO."
OK_BLOCK = "CallsOkRaw"
KO_BLOCK = "CallsKoRaw"
DATE_FORMAT = "%Y-%m-%d.%H:%M:%S"

# The order is unknown (clients must read by title); these are every confirmed name.
OK_COLUMNS: tuple[str, ...] = (
    "callid", "queue", "from", "agent", "tstEnter", "tstStart", "tstEnd", "waitLen",
    "callLen", "reason", "ivr", "dnis", "server", "events", "stints", "variables", "features",
)  # fmt: skip
KO_COLUMNS: tuple[str, ...] = (
    "callid", "queue", "from", "agentOut", "tstEnter", "tstStart", "tstEnd", "waitLen",
    "reason", "ivr", "dnis", "server", "events", "stints", "variables", "features",
)  # fmt: skip


class BadRequest(ValueError):
    """A parameter QueueMetrics would refuse, worded for its `result` Description."""


@dataclass(frozen=True)
class Window:
    start: float  # epoch seconds on QueueMetrics' clock
    end: float


def stats_block(requested: str) -> str | None:
    """The raw block a requested key names: prefix in any case, the rest case-sensitive."""
    if requested[: len(PREFIX)].lower() != PREFIX.lower():
        return None
    name = requested[len(PREFIX) :]
    return name if name in (OK_BLOCK, KO_BLOCK) else None


def parse_date(value: str, zone: str) -> float:
    try:
        local = datetime.strptime(value, DATE_FORMAT)
    except ValueError:
        raise BadRequest(f"Invalid date '{value}': expected yyyy-MM-dd.HH:mm:ss") from None
    return local.replace(tzinfo=ZoneInfo(zone)).timestamp()


def window(start: str, end: str, zone: str) -> Window:
    if not start or not end:
        raise BadRequest("Parameters 'from' and 'to' are mandatory")
    return Window(parse_date(start, zone), parse_date(end, zone))


def calls_in(
    center: CallCenter, queues: set[str] | None, win: Window, offset: float
) -> list[FinishedCall]:
    """Completed stints with an event inside the window and their end not after it."""
    out: list[FinishedCall] = []
    for f in center.finished:
        if queues is not None and f.queue not in queues:
            continue
        events = [t + offset for t in (f.entered, f.answered, f.ended) if t]
        if f.ended + offset > win.end:  # the report sees no end yet: not a completed call
            continue
        if any(win.start <= t <= win.end for t in events):
            out.append(f)
    return out


def _reason(f: FinishedCall, cfg: Config) -> str:
    if f.outcome == "abandoned":
        return cfg.stats_reason_abandon
    if f.outcome == "transferred":
        return cfg.stats_reason_transfer
    # Who hung up is not modelled: a stable choice per call.
    agent_first = sum(map(ord, f.callid)) % 3 == 0
    return cfg.stats_reason_agent if agent_first else cfg.stats_reason_caller


def record(f: FinishedCall, win: Window, cfg: Config) -> dict[str, str]:
    """One call stint as title -> cell, without the block prefix."""
    off = cfg.clock_offset_s
    entered = stamp(f.entered, off)
    answered = stamp(f.answered, off) if f.answered else ""
    ended = stamp(f.ended, off)
    wait_end = answered or ended
    start = answered if cfg.stats_start_means == "answer" and answered else entered
    cells = {
        "callid": f.callid,
        "queue": f.queue,
        # A call whose entry lies before `from` loses its caller id (confirmed by Loway's FAQ).
        "from": f.caller if f.entered + off >= win.start else "",
        "tstStart": start,
        "tstEnd": ended,
        "waitLen": str(int(wait_end) - int(entered)),
        "reason": _reason(f, cfg),
        "dnis": f.dnis,
        "server": cfg.server_id,
        "events": "[]",
    }
    if cfg.stats_tst_enter:
        cells["tstEnter"] = entered
    if f.answered:
        cells["agent"] = f.agent
        cells["callLen"] = str(int(ended) - int(answered))
    return cells


def elapsed_ms(calls: int, cfg: Config) -> int:
    return int(cfg.stats_ms_base + cfg.stats_ms_per_call * calls)


def stats(
    center: CallCenter,
    blocks: Sequence[str],
    queues: set[str] | None,
    win: Window,
    simple: bool,
    cfg: Config,
    rng: random.Random | None = None,
) -> tuple[dict[str, Block], int, str | None]:
    """The data blocks of a QmStats answer, the modelled elapsed ms, and an error if any."""
    calls = calls_in(center, queues, win, cfg.clock_offset_s)
    out: dict[str, Block] = {}
    for key in blocks:
        name = stats_block(key)
        if name is None:
            if cfg.unknown_block == "error":
                return {}, elapsed_ms(0, cfg), f"Unknown block: {key}"
            if cfg.unknown_block == "empty":
                out[key] = []
            continue
        answered = name == OK_BLOCK
        tag = "CALLOK_" if answered else "CALLKO_"
        columns = OK_COLUMNS if answered else KO_COLUMNS
        rows = [
            {tag + k: v for k, v in record(f, win, cfg).items()}
            for f in calls
            if (f.outcome != "abandoned") == answered
        ]
        titles = [tag + c for c in columns if c != "tstEnter" or cfg.stats_tst_enter]
        out[key] = table(titles, rows, simple, cfg, rng)
    return out, elapsed_ms(len(calls), cfg), None
