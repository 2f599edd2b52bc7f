"""Alerts as objects: a threshold breach of one figure of one queue, and what people did about it.

Lifecycle: raised ``active`` when the figure's level (after hysteresis in size, ``alerts.level``)
turns yellow or red; ``acknowledged`` (by whom, when, a note) or ``snoozed`` (until when) by a
supervisor; ``cleared`` once the figure has been back to normal for ``clear_after_s`` seconds
(hysteresis in time: one good poll between two bad ones does not end it). An acknowledged or
snoozed alert that turns from yellow to red is active again: red is news. A snooze that ends
while the breach goes on makes it active again.

Pure: the poller calls ``reconcile`` with the levels of the new floor and the open alerts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from msgspec import Struct
from msgspec.structs import replace

from wallboard.model.state import Floor, Level

AlertState = Literal["active", "acknowledged", "snoozed", "cleared"]
Metric = Literal["waiting", "longest_wait", "available", "service_level"]
METRICS: tuple[Metric, ...] = ("waiting", "longest_wait", "available", "service_level")
NOTE_MAX = 200
SNOOZE_MINUTES = (1, 240)


class Alert(Struct, frozen=True, kw_only=True):
    id: str
    queue: str
    metric: str
    level: Level
    value: float | None  # the figure when it was raised or last changed level or state
    since: float  # when it was raised
    state: AlertState = "active"
    red_since: float | None = None  # when it turned red (for escalation)
    acked_by: str = ""
    acked_at: float | None = None
    note: str = ""
    snoozed_until: float | None = None
    ok_since: float | None = None  # back to normal since then (it clears after a while)
    cleared_at: float | None = None

    @property
    def open(self) -> bool:
        return self.state != "cleared"

    @property
    def silenced(self) -> bool:
        """Acknowledged or snoozed: seen, the screens stop sounding it."""
        return self.state in ("acknowledged", "snoozed")


def alert_id(queue: str, metric: str, since: float) -> str:
    raw = f"{queue}\0{metric}\0{since:.3f}".encode()
    return hashlib.blake2s(raw, digest_size=6).hexdigest()


Reading = tuple[Level, float | None]  # the level of a figure and its value


def readings(floor: Floor, now: float) -> dict[tuple[str, str], Reading]:
    """The figures in alert on the floor: (queue, metric) → (level, value)."""
    found: dict[tuple[str, str], Reading] = {}
    for queue in floor.queues:
        values: dict[str, float | None] = {
            "waiting": queue.waiting,
            "available": queue.agents_available,
            "longest_wait": now - queue.longest_wait_since if queue.longest_wait_since else None,
        }
        for metric, lvl in queue.alerts.items():
            found[(queue.queue, metric)] = (lvl, values.get(metric))
        if queue.today is not None and queue.today.sl_alert == "under":
            found[(queue.queue, "service_level")] = ("yellow", queue.today.sl)
    return found


@dataclass(frozen=True, slots=True)
class Outcome:
    alerts: list[Alert]  # every alert that changed (new, updated or cleared)
    raised_red: list[Alert]  # turned red now: screens sound, supervisors are notified
    new: list[Alert] = field(default_factory=list)  # raised now


def _update(alert: Alert, reading: Reading | None, now: float, clear_after_s: float) -> Alert:
    if reading is None:
        ok_since = now if alert.ok_since is None else alert.ok_since
        if now - ok_since >= clear_after_s:
            return replace(alert, state="cleared", ok_since=ok_since, cleared_at=now)
        return replace(alert, ok_since=ok_since)
    lvl, value = reading
    changes: dict[str, object] = {"value": value, "ok_since": None, "level": lvl}
    if lvl == "red" and alert.level != "red":
        changes |= {"red_since": now, "state": "active"}
    elif lvl != "red":
        changes["red_since"] = None
    if alert.state == "snoozed" and alert.snoozed_until is not None and now >= alert.snoozed_until:
        changes |= {"state": "active", "snoozed_until": None}
    return replace(alert, **changes)


def reconcile(
    open_alerts: Iterable[Alert],
    now_readings: Mapping[tuple[str, str], Reading],
    now: float,
    clear_after_s: float = 10.0,
) -> Outcome:
    """The open alerts brought up to date with the figures in alert now."""
    changed: list[Alert] = []
    red: list[Alert] = []
    new_alerts: list[Alert] = []
    seen: set[tuple[str, str]] = set()
    for alert in open_alerts:
        key = (alert.queue, alert.metric)
        seen.add(key)
        updated = _update(alert, now_readings.get(key), now, clear_after_s)
        # The value alone moving (a wait growing by the second) is no change worth a write or
        # a message to every screen: it is kept as of the last change of level or state.
        if replace(updated, value=alert.value) != alert:
            changed.append(updated)
            if updated.red_since == now and updated.level == "red":
                red.append(updated)
    for (queue, metric), (lvl, value) in now_readings.items():
        if (queue, metric) in seen:
            continue
        new = Alert(id=alert_id(queue, metric, now), queue=queue, metric=metric, level=lvl,
                    value=value, since=now, red_since=now if lvl == "red" else None)  # fmt: skip
        changed.append(new)
        new_alerts.append(new)
        if lvl == "red":
            red.append(new)
    return Outcome(changed, red, new_alerts)


def escalated(alert: Alert, now: float, after_s: float) -> bool:
    """Red and unacknowledged for ``after_s`` seconds: every board of its queue shows it."""
    return (
        alert.open
        and alert.level == "red"
        and alert.state == "active"
        and alert.red_since is not None
        and now - alert.red_since >= after_s
    )


class BadAlertAction(ValueError):
    """An acknowledgement or snooze that cannot be taken (the reason says why)."""


def acknowledge(alert: Alert, user: str, note: str, now: float) -> Alert:
    if not alert.open:
        raise BadAlertAction(f"alert {alert.id} has cleared")
    if len(note) > NOTE_MAX:
        raise BadAlertAction(f"note is longer than {NOTE_MAX} characters")
    return replace(alert, state="acknowledged", acked_by=user, acked_at=now, note=note.strip())


def snooze(alert: Alert, user: str, minutes: object, now: float) -> Alert:
    low, high = SNOOZE_MINUTES
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise BadAlertAction(f"minutes must be a whole number from {low} to {high}")
    if not alert.open:
        raise BadAlertAction(f"alert {alert.id} has cleared")
    return replace(alert, state="snoozed", snoozed_until=now + 60 * minutes, acked_by=user,
                   acked_at=now)  # fmt: skip
