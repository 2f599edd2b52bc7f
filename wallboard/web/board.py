"""The boards and their stream: ``/wallboard``, ``/events``, ``/api/snapshot``.

Who may watch which board is decided in one place (``audience.BoardGate``, through
``deps.Board``). The snapshot is this process's live copy of the floor, the same the pages
are drawn from; anybody without the view key gets what a TV shows and nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from wallboard.buildinfo import build
from wallboard.i18n import gettext
from wallboard.model.state import to_json
from wallboard.web import screen_id
from wallboard.web.deps import AnyBoard, ServicesDep, TvBoard, answers_with
from wallboard.web.errors import Unavailable, WebError
from wallboard.web.guard import client_ip
from wallboard.web.services import Services
from wallboard.web.stream import Stream
from wallboard.web.views import TooManyViews

router = APIRouter()

# What a TV shows of an agent and a call; an anonymous snapshot holds these fields only.
TV_AGENT_FIELDS = (
    "agent", "name", "group", "location", "queues", "state", "activity", "pause_code",
    "pause_reason", "state_since", "logon", "alert",
)  # fmt: skip
TV_CALL_FIELDS = ("callid", "queue", "caller", "state", "entered", "answered", "agent")


def locked(request: Request, exc: WebError, status: int) -> Response:
    """What a screen shows when it may not see the board, or when there is no such board (a
    404 is not a lock: the board was deleted or its address mistyped)."""
    services: Services = request.app.state.services
    missing = status == 404
    title = gettext("Board not found") if missing else gettext("Board locked")
    html = services.renderer.page("locked.html", title=title, state=None, error=exc,
                                  missing=missing)  # fmt: skip
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/", include_in_schema=False)
async def index() -> Response:
    return RedirectResponse("/wallboard", status_code=307)


@router.get("/wallboard", response_class=HTMLResponse, dependencies=[Depends(answers_with(locked))])
async def wallboard(
    request: Request, audience: TvBoard, services: ServicesDep, title: str = ""
) -> Response:
    if audience.remember:
        # Keep the token out of the address bar, history and logs from here on.
        rest = {k: v for k, v in request.query_params.items() if k != "token"}
        response: Response = RedirectResponse(
            f"/wallboard?{urlencode(rest)}" if rest else "/wallboard", status_code=303
        )
        services.boards.remember(audience, request, response)
        return response
    html = services.hub.page("wallboard.html", audience.view, title[:100] or gettext("Wallboard"))
    response = HTMLResponse(html, headers={"Cache-Control": "no-store"})
    screen_id.mark(request, response, services.secret)
    return response


@router.get("/events")
async def events(request: Request, audience: AnyBoard, services: ServicesDep) -> Response:
    hub, address = services.hub, client_ip(request)
    services.streams.take(address)
    since = request.headers.get("last-event-id") or request.query_params.get("since")
    try:
        subscriber, first = hub.attach(audience.view, since)
    except TooManyViews as exc:
        services.streams.give_back(address)
        message = f"this web process serves too many boards now: {exc}"
        raise Unavailable(message, "too-many-views") from None
    released = False
    if audience.link and hub.links is not None:
        hub.links.watch(subscriber, audience.link)  # ended when the link is revoked
    screens = hub.screens
    screen = screen_id.read(request.cookies.get(screen_id.COOKIE), services.secret)
    if screen and screens is not None:
        await screens.watch(subscriber, screen, **stream_fields(request, address))

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            if hub.links is not None:
                hub.links.forget(subscriber)
            if screens is not None:
                screens.leave(subscriber)
            hub.detach(subscriber)
            services.streams.give_back(address)

    initial = [first]
    del first

    async def stream() -> AsyncIterator[bytes]:
        # Not kept for the life of the stream: a full refresh is tens of kilobytes per
        # connection (docs/benchmarks.md, RSS per connection).
        yield initial.pop()
        while (data := await subscriber.queue.get()) is not None:
            yield data
            if screens is not None:
                screens.sent(subscriber)

    response = Stream(
        stream(),
        release,
        services.watchdog,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    services.boards.remember(audience, request, response)
    return response


def stream_fields(request: Request, address: str) -> dict[str, str]:
    """What the registry keeps of a screen's stream: where from, what it shows."""
    page = request.headers.get("referer", "")
    page = page.split(str(request.base_url).rstrip("/"), 1)[-1] if page else ""
    return {
        "address": address,
        "user_agent": request.headers.get("user-agent", "")[:200],
        "page": page[:300],
    }


def tv_only(section: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {
        "queues": section["queues"],
        "agents": [{k: a.get(k) for k in TV_AGENT_FIELDS} for a in section["agents"]],
        "calls": [{k: c.get(k) for k in TV_CALL_FIELDS} for c in section["calls"]],
    }


@router.get("/api/snapshot")
async def snapshot(audience: AnyBoard, services: ServicesDep) -> Response:
    hub, view = services.hub, audience.view
    if not hub.loaded:
        raise Unavailable("the data store is unavailable: no data loaded yet", "redis")
    # The floor is the hub's copy; its freshness is read now, not as of the hub's last read.
    await hub.judge_now()
    selected = to_json(hub.floor_of(view))
    if not audience.full:
        selected = tv_only(selected)
        if services.settings.mask_callers or view.mask_callers:
            for call in selected["calls"]:
                call["caller"] = services.renderer.caller_number(call["caller"], view)
    return JSONResponse(
        {
            "version": hub.version,
            "build": build(),
            "fetched_at": hub.meta.get("fetched_at"),
            "qm_clock_offset": hub.meta.get("qm_clock_offset", 0.0),
            "stale": hub.fresh["stale"],
            "error": hub.fresh["error"],
            **selected,
        },
        headers={"Cache-Control": "no-store"},
    )
