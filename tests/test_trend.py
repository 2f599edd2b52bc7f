"""The last hour per queue (model/trend.py): one point a minute, never more than 60."""

from __future__ import annotations

from wallboard.model.trend import MINUTES, Point, fold, sample


def test_samples_of_one_minute_fold_into_one_point() -> None:
    series = fold((), Point(100, 2, 30, 90.0))
    series = fold(series, Point(100, 5, 10, None))  # busier, shorter wait, no SL this time
    series = fold(series, Point(100, 1, 40, 85.0))
    assert series == (Point(100, 5, 40, 85.0),)


def test_a_missing_service_level_keeps_the_minutes_last() -> None:
    assert fold((Point(7, 1, 1, 70.0),), Point(7, 1, 1, None)) == (Point(7, 1, 1, 70.0),)


def test_the_series_is_bounded_however_often_it_is_sampled() -> None:
    series: tuple[Point, ...] = ()
    for second in range(0, 3 * 3600, 2):  # three hours, a poll every 2 s
        series = fold(series, Point(second // 60, second % 7, second % 60, None))
    assert len(series) == MINUTES
    minutes = [p.minute for p in series]
    assert minutes == list(range(3 * 60 - MINUTES, 3 * 60))


def test_a_gap_in_polling_leaves_a_gap_not_stale_points() -> None:
    series = fold((Point(10, 1, 1),), Point(30, 2, 2))
    assert [p.minute for p in series] == [10, 30]
    series = fold(series, Point(75, 3, 3))  # minute 10 is more than an hour old now
    assert [p.minute for p in series] == [30, 75]


def test_a_clock_step_backwards_keeps_what_is_drawn() -> None:
    series = (Point(10, 1, 1), Point(11, 2, 2))
    assert fold(series, Point(9, 9, 9)) == series


def test_sample_every_queue_and_age_out_silent_ones() -> None:
    now = 600 * 60.0
    kept = {"300": (Point(599, 1, 5, 80.0),), "gone": (Point(540, 4, 4),)}
    out = sample(kept, {"300": (3, 12, 75.0), "301": (0, 0, None)}, now)
    assert out["300"] == (Point(599, 1, 5, 80.0), Point(600, 3, 12, 75.0))
    assert out["301"] == (Point(600, 0, 0, None),)
    assert "gone" not in out  # no reading and its only point is an hour old
    later = sample(out, {}, now + 60)
    assert later["300"] == out["300"]  # a queue no longer read keeps its hour
