"""The last hour per queue, one point a minute: what the trend widget draws.

Every poll samples each queue (calls waiting, longest wait now, service level of the last 30
minutes); samples of the same minute fold into one point (the highest waiting and wait, the
latest service level), so a queue never holds more than ``MINUTES`` points however fast the
poll runs. Pure: the poller keeps the points in Redis and puts them on the floor.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct

MINUTES = 60


class Point(Struct, frozen=True, array_like=True):
    minute: int  # epoch minute (seconds // 60) on QueueMetrics' clock
    waiting: int
    longest_s: int
    sl: float | None = None  # percent


Series = tuple[Point, ...]


def fold(series: Series, sample: Point, minutes: int = MINUTES) -> Series:
    """The series with one more sample; points older than ``minutes`` fall off."""
    points = list(series)
    if points and points[-1].minute == sample.minute:
        last = points.pop()
        sample = Point(
            sample.minute,
            max(last.waiting, sample.waiting),
            max(last.longest_s, sample.longest_s),
            sample.sl if sample.sl is not None else last.sl,
        )
    elif points and points[-1].minute > sample.minute:
        return series  # a clock step backwards: keep what is drawn rather than reorder it
    points.append(sample)
    oldest = sample.minute - minutes + 1
    return tuple(p for p in points if p.minute >= oldest)


def sample(
    series: Mapping[str, Series],
    readings: Mapping[str, tuple[int, int, float | None]],
    now: float,
    minutes: int = MINUTES,
) -> dict[str, Series]:
    """Each queue's series with this poll's reading (waiting, longest wait s, SL %) folded in;
    a queue without a reading keeps its points until they age out."""
    minute = int(now // 60)
    out: dict[str, Series] = {}
    for queue in dict.fromkeys([*series, *readings]):
        points = series.get(queue, ())
        if queue in readings:
            waiting, longest, sl = readings[queue]
            points = fold(points, Point(minute, waiting, longest, sl), minutes)
        else:
            points = tuple(p for p in points if p.minute > minute - minutes)
        if points:
            out[queue] = points
    return out
