"""The supervisor page's alert buttons: acknowledge (an optional note) and snooze (minutes),
over the same AlertService as the JSON API, answered with fragments.

Like the page's other buttons they take a browser session with its CSRF token only (htmx sends
it in a header), never HTTP Basic. The list itself is not answered here: it follows over the
page's event stream, as every replica's screens do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from wallboard.i18n import gettext
from wallboard.model.alert import Alert
from wallboard.model.alerts import LABELS
from wallboard.web import errors
from wallboard.web.deps import Needs, ServicesDep
from wallboard.web.guard import Caller
from wallboard.web.login import form
from wallboard.web.services import Services
from wallboard.web.supervisor import ANSWER_FRAGMENTS, fragment

router = APIRouter(prefix="/supervisor/alerts")
# Acting on an alert needs the view key, as in the API; opening its form changes nothing.
PageAlertActor = Annotated[Caller, Depends(Needs("view", basic=False))]
PageAlertReader = Annotated[Caller, Depends(Needs("view", csrf=False, basic=False))]


def what(services: Services, alert: Alert) -> str:
    names = {q.queue: q.name for q in services.hub.state.queues}
    label = gettext(LABELS.get(alert.metric, alert.metric))
    return f"{names.get(alert.queue, alert.queue)} · {label}"


def answered(request: Request, message: str) -> HTMLResponse:
    """The outcome, and the panel's form put away (it was for this alert)."""
    return fragment(request, "alert_result", ok=True, message=message, pending={})


def whole(text: str | None) -> object:
    """Minutes as typed: a whole number, else as it came for the model to refuse with its reason."""
    stripped = (text or "").strip()
    return int(stripped) if stripped.isdecimal() else stripped


@router.get("/{ident}/form", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def alert_form(
    request: Request, ident: str, caller: PageAlertReader, services: ServicesDep
) -> Response:
    alert = await services.alerting.store.get(ident)
    if alert is None:
        raise errors.NotFound(f"no open alert {ident!r} (cleared meanwhile?)")
    return fragment(request, "alert_form", alert=alert, what=what(services, alert))


@router.post("/{ident}/ack", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def ack(
    request: Request, ident: str, caller: PageAlertActor, services: ServicesDep
) -> Response:
    fields = await form(request)
    alert = await services.alerting.acknowledge(ident, caller.user, fields.get("note"))
    return answered(request, gettext("Acknowledged: %(what)s.", what=what(services, alert)))


@router.post("/{ident}/snooze", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def snooze(
    request: Request, ident: str, caller: PageAlertActor, services: ServicesDep
) -> Response:
    fields = await form(request)
    minutes = whole(fields.get("minutes"))
    alert = await services.alerting.snooze(ident, caller.user, minutes)
    message = gettext(
        "Snoozed for %(minutes)s min: %(what)s.", minutes=minutes, what=what(services, alert)
    )
    return answered(request, message)
