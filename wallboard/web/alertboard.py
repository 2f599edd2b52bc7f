"""The alerts this process shows, read from Redis whenever they change (so every replica and
screen shows the same ones), and which of them each view shows: those of its queues."""

from __future__ import annotations

import time

from wallboard.model.alert import Alert, escalated
from wallboard.store.alerts import AlertStore
from wallboard.web.views import View


class AlertBoard:
    def __init__(self, store: AlertStore | None, escalate_after_s: float) -> None:
        self.store = store
        self.escalate_after_s = escalate_after_s
        self.alerts: list[Alert] = []
        self.revision = -1
        self.escalated_ids: frozenset[str] = frozenset()

    async def refresh(self) -> bool:
        """Read them again if they changed; True when what the screens show changed (an alert
        changed, or one escalated as time went by)."""
        if self.store is None:
            return False
        changed = False
        revision = await self.store.revision()
        if revision != self.revision:
            self.revision = revision
            self.alerts = await self.store.open_alerts()
            changed = True
        now = time.time()
        ids = frozenset(a.id for a in self.alerts if escalated(a, now, self.escalate_after_s))
        if ids != self.escalated_ids:
            self.escalated_ids = ids
            changed = True
        return changed

    def for_view(self, view: View) -> list[Alert]:
        return [a for a in self.alerts if view.shows_queue(a.queue)]

    def escalated_for(self, view: View) -> list[Alert]:
        return [a for a in self.for_view(view) if a.id in self.escalated_ids]

    def key(self, view: View) -> tuple[tuple[str, str, str, str], ...]:
        """What the view's alert strip depends on: a full refresh is cached per this key."""
        return tuple(
            (a.id, a.level, a.state, "!" if a.id in self.escalated_ids else "")
            for a in self.for_view(view)
        )
