"""The supervisor page and its buttons: HTML fragments over the same service layer as the API.

The buttons accept a browser session with its CSRF token only (htmx sends it in a header):
HTTP Basic is for the JSON API, since a browser replays Basic credentials on any site's form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.i18n import gettext
from wallboard.web.deps import (
    PageBroadcaster,
    PagePauseForm,
    PagePauser,
    PageUnpauser,
    ServicesDep,
    SessionDep,
    answers_with,
)
from wallboard.web.errors import WebError
from wallboard.web.login import form
from wallboard.web.services import Services

router = APIRouter()


def fragment(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    services: Services = request.app.state.services
    html = services.renderer.env.get_template(f"partials/{name}.html").render(**context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def failed(request: Request, exc: WebError, status: int) -> Response:
    """What a button shows when its action was refused: the reason, for people."""
    return fragment(request, "action_result", status, ok=False, message=exc.message, pending={})


def done(request: Request, message: str, what: str = "", **pending: Any) -> HTMLResponse:
    """``what``: the action's name, which the page says again once the data shows it."""
    return fragment(request, "action_result", ok=True, message=message, what=what, pending=pending)


ANSWER_FRAGMENTS = [Depends(answers_with(failed))]


@router.get("/supervisor", response_class=HTMLResponse)
async def supervisor(
    request: Request, session: SessionDep, services: ServicesDep, title: str = ""
) -> Response:
    settings = services.settings
    if session is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not session.holds(settings.key_view):
        html = services.renderer.page(
            "denied.html",
            title=gettext("Not allowed"),
            key=settings.key_view,
            user=session.user,
            csrf=session.csrf,
            state=None,
        )
        return HTMLResponse(html, status_code=403, headers={"Cache-Control": "no-store"})
    view = services.hub.view(request.query_params, "supervisor")
    html = services.hub.page(
        "supervisor.html",
        view,
        title[:100] or gettext("Supervisor"),
        session=session,
        audit=await services.audit.recent(10),
        confirm_timeout=settings.action_confirm_timeout,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/supervisor/pause-form", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def pause_form(
    request: Request, caller: PagePauseForm, services: ServicesDep, agent: str = ""
) -> Response:
    found = await services.actions.agent(agent)
    codes = await services.actions.pause_codes(found.agent)
    return fragment(request, "pause_form", agent=found, codes=sorted(codes.items()))


def sent(request: Request, action: str, agent: str) -> HTMLResponse:
    expect = "paused" if action == "pause" else "available"
    if action == "pause":
        message = gettext(
            "Pause sent for %(agent)s. QueueMetrics passes it to the PBX…", agent=agent
        )
        what = gettext("Pause")
    else:
        message = gettext(
            "Unpause sent for %(agent)s. QueueMetrics passes it to the PBX…", agent=agent
        )
        what = gettext("Unpause")
    return done(request, message, what=what, kind="agent", key=agent, expect=expect)


@router.post("/supervisor/pause", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def pause(request: Request, caller: PagePauser, services: ServicesDep) -> Response:
    fields = await form(request)
    await services.actions.pause(caller, fields.get("agent"), fields.get("pause_code"))
    return sent(request, "pause", fields.get("agent", "").lower())


@router.post("/supervisor/unpause", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def unpause(request: Request, caller: PageUnpauser, services: ServicesDep) -> Response:
    fields = await form(request)
    await services.actions.unpause(caller, fields.get("agent"))
    return sent(request, "unpause", fields.get("agent", "").lower())


@router.post("/supervisor/broadcast", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def broadcast(request: Request, caller: PageBroadcaster, services: ServicesDep) -> Response:
    fields: dict[str, Any] = dict(await form(request))
    fields["everyone"] = fields.get("target") == "everyone"
    target = fields.pop("target", "")
    for name in ("queue", "location", "supervisor", "agent"):
        if name != target:
            fields.pop(name, None)
    await services.actions.broadcast(caller, fields)
    return done(request, gettext("Message sent."))
