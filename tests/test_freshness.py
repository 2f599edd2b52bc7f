from __future__ import annotations

from wallboard.web.freshness import judge


def test_fresh_data() -> None:
    fresh = judge({"fetched_at": 100.0, "stale": False, "error": None}, 103.0, 7)
    assert fresh["fresh"] and fresh["age_s"] == 3.0 and fresh["reason"] == ""


def test_poller_reported_failure() -> None:
    meta = {"fetched_at": 100.0, "stale": True, "error": {"kind": "auth", "message": "401"}}
    fresh = judge(meta, 101.0, 7)
    assert fresh["stale"] and fresh["reason"] == "QueueMetrics refused the login"


def test_old_data_is_stale_even_when_the_poller_says_nothing() -> None:
    fresh = judge({"fetched_at": 100.0, "error": None}, 120.0, 7)
    assert fresh["stale"] and fresh["error"]["kind"] == "no-poller"


def test_no_data_yet_and_redis_down() -> None:
    assert judge({}, 1.0, 7)["error"]["kind"] == "no-data"
    assert judge({"fetched_at": 1.0, "redis_down": "x"}, 1.0, 7)["error"]["kind"] == "redis"
