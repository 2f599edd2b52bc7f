"""The trend widget's lines: an hour of points a minute as SVG polyline coordinates.

Pure. The x axis is the last ``MINUTES`` minutes up to the newest point, so every queue's
line ends at the right edge at the same minute and a gap in polling stays a gap (the line
breaks rather than joining two points across it). The template draws the ``<svg>``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wallboard.model.trend import MINUTES, Point

WIDTH = 300
HEIGHT = 60
PAD = 4  # keeps a thick stroke at 0 or at the top inside the box


@dataclass(frozen=True, slots=True)
class Line:
    segments: list[str]  # each a polyline's ``points`` attribute
    last: float | None  # the newest value, for the label beside the line
    top: float  # the value at the top of the box


FIGURES: dict[str, Callable[[Point], float | None]] = {
    "waiting": lambda p: p.waiting,
    "longest": lambda p: p.longest_s,
    "sl": lambda p: p.sl,
}


def line(points: Sequence[Point], figure: str, end_minute: int | None = None) -> Line:
    """One figure of a queue's points; service level is drawn on 0-100, the others on 0 to
    their hour's highest (at least 1, so a quiet hour is a flat line at the bottom)."""
    value_of = FIGURES[figure]
    if not points:
        return Line([], None, 100.0 if figure == "sl" else 1.0)
    end = end_minute if end_minute is not None else points[-1].minute
    start = end - MINUTES + 1
    values = [(p.minute, value_of(p)) for p in points if start <= p.minute <= end]
    known = [v for _, v in values if v is not None]
    top = 100.0 if figure == "sl" else float(max([1.0, *known]))
    segments: list[str] = []
    run: list[str] = []
    previous: int | None = None
    for minute, value in values:
        if value is None or (previous is not None and minute - previous > 1):
            _flush(run, segments)
            run = []
        if value is not None:
            run.append(f"{_x(minute - start)},{_y(value, top)}")
        previous = minute
    _flush(run, segments)
    last = points[-1] if points[-1].minute <= end else None
    return Line(segments, value_of(last) if last is not None else None, top)


def end_of(series: Sequence[Sequence[Point]]) -> int | None:
    """The newest minute of all the queues shown: the right edge every line shares."""
    ends = [s[-1].minute for s in series if s]
    return max(ends) if ends else None


def _flush(run: list[str], segments: list[str]) -> None:
    if run:  # a lone point still shows, as a short flat dash
        segments.append(" ".join(run) if len(run) > 1 else _dash(run[0]))


def _x(offset: int) -> str:
    return f"{PAD + offset * (WIDTH - 2 * PAD) / (MINUTES - 1):.1f}"


def _y(value: float, top: float) -> str:
    share = min(1.0, max(0.0, value / top))
    return f"{HEIGHT - PAD - share * (HEIGHT - 2 * PAD):.1f}"


def _dash(point: str) -> str:
    x, y = point.split(",")
    return f"{max(PAD, float(x) - 4):.1f},{y} {x},{y}"
