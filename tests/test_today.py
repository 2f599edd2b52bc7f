"""Today's figures: hand-computed for a fixed set of calls, then properties over any set."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallboard.model.state import Floor, Queue, Today
from wallboard.model.today import (
    Book,
    Targets,
    business_day,
    figures,
    of_day,
    parse_targets,
    upsert,
    with_live,
    with_today,
)
from wallboard.qm.stats import CallRecord

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2024, 6, 12, 15, 0, tzinfo=ROME).timestamp()
DAY = business_day(NOW, ROME, time(6))
T0 = DAY.start


def ok(callid: str, queue: str, at: float, wait: int, talk: int) -> CallRecord:
    entered = int(T0 + at)
    return CallRecord(callid, queue, entered, True, wait, talk, entered + wait + talk,
                      "agent/101", "555", "C")  # fmt: skip


def ko(callid: str, queue: str, at: float, wait: int, reason: str = "A") -> CallRecord:
    entered = int(T0 + at)
    return CallRecord(callid, queue, entered, False, wait, 0, entered + wait, "", "", reason)


CALLS = [
    ok("a1", "300", 100, 10, 100),
    ok("c2", "300", 200, 25, 200),  # then transferred to 301: a second stint there
    ok("a3", "300", 300, 20, 60),  # exactly on target: within
    ko("l1", "300", 400, 3),  # short abandon (under 5 s)
    ko("l2", "300", 500, 40, "T"),
    ok("x0", "300", -10, 15, 30),  # entered before the day start: yesterday's
    ok("c2", "301", 425, 35, 50),
    ko("b1", "301", 600, 8),  # short for 301 (under 10 s)
    ok("b2", "301", 700, 5, 30),
]
TARGETS = parse_targets("300=20/80/5|301=30/90/10", Targets())


def compute(exclude_short: bool = False, basis: str = "offered") -> dict:
    book: Book = {}
    upsert(book, CALLS)
    return figures(
        of_day(book, DAY),
        ["300", "301"],
        now=NOW,
        targets=TARGETS,
        exclude_short=exclude_short,
        sl_basis=basis,
        waiting_since={"300": NOW - 50},
    )


def test_business_day_in_qm_time_zone_from_its_start_time() -> None:
    assert DAY.label == "2024-06-12"
    assert datetime.fromtimestamp(DAY.start, ROME).hour == 6
    assert DAY.end - DAY.start == 86400
    early = datetime(2024, 6, 12, 5, 59, tzinfo=ROME).timestamp()
    assert business_day(early, ROME, time(6)).label == "2024-06-11"
    dst = business_day(datetime(2024, 3, 31, 12, tzinfo=ROME).timestamp(), ROME)
    assert (dst.label, dst.end - dst.start) == ("2024-03-31", 23 * 3600)
    utc = business_day(1718200800, ZoneInfo("UTC"))
    assert (utc.label, utc.start) == ("2024-06-12", 1718150400)


def test_hand_computed_queue_300() -> None:
    q = compute()["queues"]["300"]
    assert (q["offered"], q["answered"], q["lost"], q["short_abandons"]) == (5, 3, 2, 1)
    assert q["answered_in_target"] == 2
    assert (q["sl_of_answered"], q["sl_of_offered"], q["sl"]) == (66.7, 40.0, 40.0)
    assert (q["sl_target_s"], q["sl_target_pct"], q["sl_met"]) == (20.0, 80.0, False)
    assert (q["asa_s"], q["talk_avg_s"], q["talk_total_s"]) == (18.3, 120.0, 360)
    assert (q["longest_wait_answered_s"], q["longest_wait_lost_s"]) == (25, 40)
    assert (q["longest_wait_live_s"], q["longest_wait_s"]) == (50, 50)
    assert q["lost_causes"] == {"abandon": 1, "timeout": 1}


def test_hand_computed_queue_301_and_all() -> None:
    result = compute()
    q = result["queues"]["301"]
    assert (q["offered"], q["answered"], q["lost"], q["short_abandons"]) == (3, 2, 1, 1)
    assert (q["answered_in_target"], q["sl_of_answered"], q["sl_of_offered"]) == (1, 50.0, 33.3)
    assert (q["asa_s"], q["talk_avg_s"], q["talk_total_s"]) == (20.0, 40.0, 80)
    assert (q["longest_wait_s"], q["longest_wait_live_s"]) == (35, None)
    a = result["all"]
    assert (a["offered"], a["answered"], a["lost"], a["short_abandons"]) == (8, 5, 3, 2)
    assert (a["answered_in_target"], a["sl_of_answered"], a["sl_of_offered"]) == (3, 60.0, 37.5)
    assert (a["asa_s"], a["talk_avg_s"], a["talk_total_s"]) == (19.0, 88.0, 440)
    assert a["sl_target_s"] is None and a["sl_met"] is None, "the queues' targets differ"
    assert (a["longest_wait_s"], a["distinct_calls"]) == (50, 7)


def test_short_abandons_can_leave_the_service_level() -> None:
    result = compute(exclude_short=True)
    assert result["queues"]["300"]["sl_of_offered"] == 50.0  # 2 of 4
    assert result["queues"]["301"]["sl_of_offered"] == 50.0  # 1 of 2
    assert result["all"]["sl_of_offered"] == 50.0  # 3 of 6
    assert result["queues"]["300"]["lost"] == 2, "they stay lost calls"
    assert compute(basis="answered")["queues"]["300"]["sl"] == 66.7


def test_a_queue_without_calls_has_no_averages() -> None:
    q = figures([], ["302"], now=NOW)["queues"]["302"]
    assert (q["offered"], q["sl"], q["asa_s"], q["sl_met"], q["longest_wait_s"]) == (
        0, None, None, None, None)  # fmt: skip
    assert q["sl_target_s"] == 20.0


def test_live_part_moves_on_with_now() -> None:
    q = compute()["queues"]["301"]
    later = with_live(q, NOW - 100, NOW + 20)
    assert (later["longest_wait_live_s"], later["longest_wait_s"]) == (120, 120)
    assert with_live(later, None, NOW)["longest_wait_s"] == 35


def test_parse_targets() -> None:
    default = Targets(20, 80, 5)
    assert parse_targets("", default) == {}
    assert parse_targets("300=30|301=/90/|302=15/70/3", default) == {
        "300": Targets(30, 80, 5),
        "301": Targets(20, 90, 5),
        "302": Targets(15, 70, 3),
    }
    for bad in ("300", "300=x", "300=1/2/3/4", "=20", "300=20/120"):
        with pytest.raises(ValueError, match="bad queue target"):
            parse_targets(bad, default)


def test_a_partly_seen_call_never_overwrites_a_whole_one() -> None:
    whole = ok("a1", "300", 100, 10, 100)
    partial = replace(whole, caller="")  # the caller id is lost before the window
    book: Book = {}
    assert upsert(book, [whole]) == [whole]
    assert upsert(book, [partial], window_start=whole.entered + 1) == []
    assert book[whole.key] == whole
    assert upsert(book, [partial], window_start=whole.entered) == [partial]


def test_with_today_puts_the_figures_on_their_queues() -> None:
    result = compute()
    stored = {**result, "as_of": NOW - 30, "stale": True}
    floor = Floor(queues=(Queue(queue="300", name="Sales"), Queue(queue="302", name="Other")))
    attached = with_today(floor, stored)
    q300, q302 = attached.queues
    assert q302.today is None, "no figures for a queue QmStats does not report"
    fig = result["queues"]["300"]
    assert q300.today == Today(
        offered=5, answered=3, lost=2, short_abandons=1, answered_in_target=2, sl=40.0,
        sl_basis="offered", sl_of_answered=66.7, sl_of_offered=40.0, sl_target_s=20.0,
        sl_target_pct=80.0, asa_s=18.3, talk_avg_s=120.0, talk_total_s=360,
        longest_wait_answered_s=25, longest_wait_lost_s=40, as_of=NOW - 30, stale=True,
    )  # fmt: skip
    assert q300.today.sl == fig["sl"] and q300.today.asa_s == fig["asa_s"]
    assert floor.queues[0].today is None, "the floor it was given is left as it was"
    assert with_today(floor, {}).queues == floor.queues


# ----------------------------------------------------------------- properties

records = st.builds(
    CallRecord,
    callid=st.sampled_from([f"c{i}" for i in range(12)]),
    queue=st.sampled_from(["300", "301", "302"]),
    entered=st.integers(int(T0) - 600, int(T0) + 7200),
    answered=st.booleans(),
    wait=st.integers(0, 300),
    talk=st.integers(0, 900),
    ended=st.none(),
    agent=st.just(""),
    caller=st.just(""),
    reason=st.sampled_from(["A", "C", "T", "Q"]),
)


@given(st.lists(records, max_size=60), st.lists(st.sampled_from(["300", "301", "302"]), min_size=1))
def test_offered_is_answered_plus_lost(calls: list[CallRecord], queues: list[str]) -> None:
    result = figures(calls, queues, now=NOW, targets=TARGETS)
    for fig in [*result["queues"].values(), result["all"]]:
        assert fig["offered"] == fig["answered"] + fig["lost"]
        assert 0 <= fig["short_abandons"] <= fig["lost"]
        assert 0 <= fig["answered_in_target"] <= fig["answered"]
        assert sum(fig["lost_causes"].values()) == fig["lost"]
    assert result["all"]["offered"] == sum(f["offered"] for f in result["queues"].values())


@given(st.lists(records, max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_upserting_overlapping_windows_twice_changes_nothing(
    calls: list[CallRecord], cut: int, overlap: int
) -> None:
    # Consistent data, as one QueueMetrics would give: one record per key.
    unique = list({c.key: c for c in calls}.values())
    first, second = unique[: cut + overlap], unique[cut:]
    book: Book = {}
    upsert(book, first)
    upsert(book, second)
    snapshot = dict(book)
    assert upsert(book, first) == [] and upsert(book, second) == []
    assert book == snapshot == {c.key: c for c in unique}
    again: Book = {}
    upsert(again, second)
    upsert(again, first)
    assert again == book, "the order of the windows does not matter"
