"""The lifecycle of an alert: raise, turn red, acknowledge, snooze and its end, clear, re-raise."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from wallboard.model.alert import (
    Alert,
    BadAlertAction,
    acknowledge,
    escalated,
    readings,
    reconcile,
    snooze,
)
from wallboard.model.state import Floor, Queue, Today

KEY = ("300", "waiting")


def step(alerts: list[Alert], level: str | None, now: float, value: float = 5) -> list[Alert]:
    """The open alerts after one poll at ``now`` with the waiting figure at ``level``."""
    now_readings = {KEY: (level, value)} if level else {}
    outcome = reconcile(alerts, now_readings, now, clear_after_s=10)  # type: ignore[arg-type]
    by_id = {a.id: a for a in alerts}
    by_id.update({a.id: a for a in outcome.alerts})
    return [a for a in by_id.values() if a.open]


def test_raised_once_and_updated_in_place() -> None:
    alerts = step([], "yellow", 100)
    assert [(a.queue, a.metric, a.level, a.state, a.since) for a in alerts] == [
        ("300", "waiting", "yellow", "active", 100)
    ]
    again = step(alerts, "yellow", 103, value=6)
    assert len(again) == 1 and again[0].id == alerts[0].id
    assert again[0].value == 5, "the value alone moving is no change (no write, no message)"
    assert reconcile(alerts, {KEY: ("yellow", 6)}, 103).alerts == []
    red = step(alerts, "red", 104, value=9)
    assert (red[0].id, red[0].level, red[0].value) == (alerts[0].id, "red", 9)


def test_turning_red_is_reported_and_reactivates_an_acknowledged_alert() -> None:
    alerts = [acknowledge(step([], "yellow", 100)[0], "sup", "on it", 101)]
    outcome = reconcile(alerts, {KEY: ("red", 9)}, 102)
    assert [a.id for a in outcome.raised_red] == [alerts[0].id]
    red = outcome.alerts[0]
    assert (red.level, red.state, red.red_since) == ("red", "active", 102)
    assert reconcile([red], {KEY: ("red", 9)}, 105).raised_red == []


def test_clears_only_after_staying_good_for_a_while() -> None:
    alerts = step([], "red", 100)
    alerts = step(alerts, None, 110)
    assert alerts and alerts[0].ok_since == 110, "one good poll does not clear it"
    alerts = step(alerts, "yellow", 112)
    assert alerts[0].ok_since is None, "a relapse restarts the clock"
    alerts = step(alerts, None, 113)
    alerts = step(alerts, None, 122)
    assert alerts and alerts[0].state != "cleared"
    outcome = reconcile(alerts, {}, 123, clear_after_s=10)
    assert outcome.alerts[0].state == "cleared" and outcome.alerts[0].cleared_at == 123


def test_cleared_then_breached_again_is_a_new_alert() -> None:
    first = step([], "yellow", 100)[0]
    cleared = reconcile([replace_ok(first, 100)], {}, 120).alerts[0]
    assert cleared.state == "cleared"
    again = step([], "yellow", 130)
    assert again[0].id != first.id


def replace_ok(alert: Alert, since: float) -> Alert:
    return replace(alert, ok_since=since)


def test_snooze_ends_while_the_breach_goes_on() -> None:
    alert = snooze(step([], "yellow", 100)[0], "sup", 10, 100)
    assert alert.state == "snoozed" and alert.snoozed_until == 700 and alert.silenced
    assert step([alert], "yellow", 699)[0].state == "snoozed"
    assert step([alert], "yellow", 700)[0].state == "active"


@pytest.mark.parametrize("minutes", [0, 241, 1.5, True, "10"])
def test_snooze_minutes_are_bounded(minutes: object) -> None:
    with pytest.raises(BadAlertAction):
        snooze(step([], "yellow", 100)[0], "sup", minutes, 100)


def test_notes_are_bounded_and_cleared_alerts_refused() -> None:
    alert = step([], "yellow", 100)[0]
    with pytest.raises(BadAlertAction):
        acknowledge(alert, "sup", "x" * 201, 101)
    cleared = reconcile([replace_ok(alert, 0)], {}, 100).alerts[0]
    with pytest.raises(BadAlertAction):
        acknowledge(cleared, "sup", "", 101)
    with pytest.raises(BadAlertAction):
        snooze(cleared, "sup", 5, 101)


def test_escalation_after_the_delay_unless_acknowledged() -> None:
    red = step([], "red", 100)[0]
    assert not escalated(red, 399, 300)
    assert escalated(red, 400, 300)
    assert not escalated(acknowledge(red, "sup", "", 200), 400, 300)
    assert not escalated(step([], "yellow", 100)[0], 1000, 300)


def test_readings_from_the_floor() -> None:
    today = Today(sl=70.0, sl_target_pct=80.0, sl_alert="under")
    floor = Floor(queues=(
        Queue(queue="300", name="S", waiting=4, longest_wait_since=40,
              alerts={"waiting": "yellow", "longest_wait": "red"}, today=today),
        Queue(queue="301", name="T", agents_available=0, alerts={"available": "red"}),
    ))  # fmt: skip
    assert readings(floor, 100) == {
        ("300", "waiting"): ("yellow", 4),
        ("300", "longest_wait"): ("red", 60),
        ("300", "service_level"): ("yellow", 70.0),
        ("301", "available"): ("red", 0),
    }
