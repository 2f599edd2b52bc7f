"""Acknowledging and snoozing alerts: checked, written in the same transaction as the poller's
updates (so neither is lost), audited, counted for /metrics."""

from __future__ import annotations

import time
from typing import Any

from wallboard.model.alert import Alert, BadAlertAction, Outcome, acknowledge, snooze
from wallboard.store.alerts import AlertStore
from wallboard.store.audit import AuditLog
from wallboard.web import errors


class AlertService:
    def __init__(self, store: AlertStore, audit: AuditLog) -> None:
        self.store = store
        self.audit = audit

    async def listing(self, history: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {"alerts": await self.store.open_alerts()}
        if history:
            answer["history"] = await self.store.history()
        return answer

    async def _change(self, ident: str, user: str, act: str, value: Any) -> Alert:
        now = time.time()
        found: list[Alert] = []

        def change(current: list[Alert]) -> Outcome:
            alert = next((a for a in current if a.id == ident), None)
            if alert is None:
                raise errors.NotFound(f"no open alert {ident!r} (unknown, or cleared)")
            try:
                if act == "ack":
                    updated = acknowledge(alert, user, value, now)
                else:
                    updated = snooze(alert, user, value, now)
            except BadAlertAction as exc:
                raise errors.Invalid(str(exc)) from None
            found[:] = [alert, updated]
            return Outcome([updated], [])

        await self.store.update(change)
        before, after = found
        seconds = now - before.since
        await self.store.count(acknowledged=1, ack_seconds=seconds)
        details = {"note": after.note} if act == "ack" else {"until": after.snoozed_until}
        await self.audit.append(user=user, action=f"alert.{act}", target=f"{after.queue} "
                                f"{after.metric}", result="ok", alert=ident, **details)  # fmt: skip
        return after

    async def acknowledge(self, ident: str, user: str, note: Any) -> Alert:
        if note is None:
            note = ""
        if not isinstance(note, str):
            raise errors.Invalid("note must be text")
        return await self._change(ident, user, "ack", note)

    async def snooze(self, ident: str, user: str, minutes: Any) -> Alert:
        return await self._change(ident, user, "snooze", minutes)
