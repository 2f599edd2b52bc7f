"""QmStats' raw call lists, DetailsDO.CallsOkRaw and DetailsDO.CallsKoRaw, as typed records.

Both blocks come from one request (Loway: every block of one analysis costs little more than
one). Columns are found by title without their CALLOK_/CALLKO_ prefix; unknown columns are
ignored. What the titles mean beyond their names is inferred (docs/queuemetrics.md), so the
reading of ``tstStart`` is an option and ``reason`` letters are kept raw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMProtocolError
from wallboard.qm.wire import Row, check_result, epoch, find_block, integer, table

OK_BLOCK = "DetailsDO.CallsOkRaw"
KO_BLOCK = "DetailsDO.CallsKoRaw"
DATE_FORMAT = "%Y-%m-%d.%H:%M:%S"  # "2000-01-01.00:00:00", the dot included (Loway's guide)
ELAPSED = "Time elapsed (ms)"

StartMeans = Literal["enter", "answer"]


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One queue stint of a completed call; times in epoch seconds, durations in seconds."""

    callid: str
    queue: str
    entered: int
    answered: bool
    wait: int
    talk: int
    ended: int | None
    agent: str
    caller: str
    reason: str

    @property
    def key(self) -> tuple[str, str, int]:
        # A transferred call keeps its id across queues, and may come back to one: the stint's
        # entry time tells its visits apart.
        return (self.callid, self.queue, self.entered)


@dataclass(frozen=True, slots=True)
class StatsAnswer:
    calls: tuple[CallRecord, ...]
    elapsed_ms: float | None  # QueueMetrics' own "Time elapsed (ms)"
    round_trip_s: float
    clock_offset: float | None


def qm_date(t: float, tz: ZoneInfo) -> str:
    """An epoch time as QueueMetrics reads dates: its own local time, to the second."""
    return datetime.fromtimestamp(int(t), tz).strftime(DATE_FORMAT)


def request_params(
    queues: Iterable[str], start: float, end: float, tz: ZoneInfo
) -> list[tuple[str, str]]:
    """Both raw blocks in one request; the client percent-encodes the pipes as %7C."""
    codes = [q for q in queues if q]
    if not codes:
        raise ValueError("QmStats needs at least one queue")
    return [
        ("queues", "|".join(codes)),
        ("from", qm_date(start, tz)),
        ("to", qm_date(end, tz)),
        ("jsonFormat", "simple"),
        ("block", OK_BLOCK),
        ("block", KO_BLOCK),
    ]


def _strip(row: Row, prefix: str) -> Row:
    plen = len(prefix)
    return {k[plen:] if k.upper().startswith(prefix) else k: v for k, v in row.items()}


def _need(row: Row, column: str, prefix: str) -> str:
    if column not in row:
        raise QMProtocolError(f"column {prefix}{column} missing from QmStats' answer")
    return row[column]


def _seconds(row: Row, column: str, prefix: str) -> int:
    _need(row, column, prefix)
    try:
        value = integer(row, column)
    except QMProtocolError:
        raise QMProtocolError(
            f"column {prefix}{column}: {row[column]!r} is not a number of seconds"
        ) from None
    if value is not None and value < 0:
        raise QMProtocolError(f"column {prefix}{column}: {value} is negative")
    return value or 0


def _time(row: Row, column: str, prefix: str) -> int | None:
    if column not in row:
        return None
    try:
        return epoch(row, column)
    except QMProtocolError:
        message = f"column {prefix}{column}: {row[column]!r} is not an epoch time"
        raise QMProtocolError(message) from None


def _entered(row: Row, prefix: str, wait: int, talk: int, start_means: StartMeans) -> int:
    """The stint's entry time: tstEnter, else tstStart read as configured, else from the end."""
    enter = _time(row, "tstEnter", prefix)
    if enter is not None:
        return enter
    start = _time(row, "tstStart", prefix)
    if start is not None:
        # Read as the answer time, it only differs from the entry on answered calls.
        return start - wait if start_means == "answer" and prefix == "CALLOK_" else start
    end = _time(row, "tstEnd", prefix)
    if end is not None:
        return end - wait - talk
    raise QMProtocolError(f"row of {prefix}callid {row.get('callid', '')!r} has no entry time")


def parse_row(raw: Row, answered: bool, start_means: StartMeans = "enter") -> CallRecord:
    prefix = "CALLOK_" if answered else "CALLKO_"
    row = _strip(raw, prefix)
    callid = _need(row, "callid", prefix)
    queue = _need(row, "queue", prefix)
    if not callid or not queue:
        raise QMProtocolError(f"a {prefix} row lacks its callid or queue: {raw!r}")
    wait = _seconds(row, "waitLen", prefix)
    talk = _seconds(row, "callLen", prefix) if answered else 0
    return CallRecord(
        callid=callid,
        queue=queue,
        entered=_entered(row, prefix, wait, talk, start_means),
        answered=answered,
        wait=wait,
        talk=talk,
        ended=_time(row, "tstEnd", prefix),
        agent=row.get("agent", "") if answered else "",
        caller=row.get("from", ""),
        reason=row.get("reason", "").upper(),
    )


def parse_calls(
    payload: Any, start_means: StartMeans = "enter"
) -> tuple[list[CallRecord], float | None]:
    """Every record of both blocks, and QueueMetrics' reported elapsed milliseconds."""
    result = check_result(payload)
    calls: list[CallRecord] = []
    for name, answered in ((OK_BLOCK, True), (KO_BLOCK, False)):
        rows = table(find_block(payload, name), name)
        calls.extend(parse_row(r, answered, start_means) for r in rows)
    return calls, _elapsed(result)


def _elapsed(result: Mapping[str, str]) -> float | None:
    value = result.get(ELAPSED, "").replace(",", "")
    try:
        return float(value)
    except ValueError:
        return None


async def fetch_calls(
    client: QMClient,
    queues: Iterable[str],
    start: float,
    end: float,
    tz: ZoneInfo,
    start_means: StartMeans = "enter",
) -> StatsAnswer:
    """One QmStats request for the completed calls of ``queues`` between two epoch times."""
    answer = await client.stats_api("QmStats", request_params(queues, start, end, tz))
    calls, elapsed = parse_calls(answer.payload, start_means)
    return StatsAnswer(tuple(calls), elapsed, answer.elapsed, answer.clock_offset)
