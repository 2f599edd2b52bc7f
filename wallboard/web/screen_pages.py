"""The TV's side of screens (``/tv``: what it was assigned, or its pairing code; the hello that
tells its viewport) and the supervisor's (``/screens``: the live table and its buttons).

``/tv`` is the address to give a TV once: it goes wherever the screen's record says, so a
screen is steered from ``/screens`` without touching it. A screen with nothing assigned shows a
pairing code, polled every two seconds (a screen that is not paired has no board to stream).
A screen paired by a holder of the boards key is let in as a TV with the TV token would be.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sse_starlette import EventSourceResponse

from wallboard.i18n import gettext
from wallboard.store.screens import is_connected, is_silent
from wallboard.web import screen_id
from wallboard.web.audience import TV_COOKIE, TV_COOKIE_DAYS
from wallboard.web.deps import Needs, PageViewer, ServicesDep, SessionDep
from wallboard.web.errors import Invalid
from wallboard.web.guard import Caller, client_ip
from wallboard.web.hub import encode
from wallboard.web.login import form
from wallboard.web.screens import target_url
from wallboard.web.services import Services
from wallboard.web.supervisor import ANSWER_FRAGMENTS, done, fragment

router = APIRouter()
PageSteerer = Annotated[Caller, Depends(Needs("boards", basic=False))]
PageSteererAsks = Annotated[Caller, Depends(Needs("boards", csrf=False, basic=False))]
TABLE_EVERY_S = 2.0


def identity(request: Request, services: Services) -> tuple[str, bool]:
    return screen_id.identity(request, services.secret)


def keep_identity(response: Response, request: Request, services: Services, ident: str) -> None:
    screen_id.keep(response, request, ident, services.secret)


def device(request: Request) -> dict[str, str]:
    return {
        "address": client_ip(request),
        "user_agent": request.headers.get("user-agent", "")[:200],
    }


@router.get("/tv", response_class=HTMLResponse)
async def tv(request: Request, services: ServicesDep) -> Response:
    ident, new = identity(request, services)
    store = services.screens.store
    record = None if new else await store.get(ident)
    target = target_url(record["shows"]) if record else ""
    if target:
        response: Response = RedirectResponse(target, status_code=303)
        if services.boards.mark:  # paired by someone who may: let in as a TV with the token
            response.set_cookie(TV_COOKIE, services.boards.mark, httponly=True, samesite="lax",
                                secure=request.url.scheme == "https",
                                max_age=TV_COOKIE_DAYS * 86400)  # fmt: skip
    else:
        await store.seen(ident, time.time(), page="/tv", **device(request))
        record = await store.get(ident) or {}
        code = await store.pairing_code(ident)
        html = services.renderer.page(
            "tv_pairing.html", title=gettext("Pair this screen"), code=code, screen=record,
            server=str(request.base_url).rstrip("/"), seq=record.get("command_seq", 0),
        )  # fmt: skip
        response = HTMLResponse(html, headers={"Cache-Control": "no-store"})
    keep_identity(response, request, services, ident)
    return response


@router.get("/tv/pairing", response_class=HTMLResponse)
async def pairing(request: Request, services: ServicesDep, seq: int = 0) -> Response:
    """The pairing screen's poll: its code again, or off to what it was assigned."""
    ident, new = identity(request, services)
    store = services.screens.store
    record = None if new else await store.get(ident)
    if record is None:
        return Response(headers={"HX-Refresh": "true"})  # forgotten: start afresh
    await store.seen(ident, time.time(), page="/tv", **device(request))
    if target_url(record["shows"]) or (
        record["command_seq"] > seq and record["command"] == "reload"
    ):
        return Response(headers={"HX-Redirect": "/tv"})
    code = await store.pairing_code(ident)
    identify = record["command_seq"] > seq and record["command"] == "identify"
    return fragment(request, "tv_code", code=code, screen=record, identify=identify)


@router.post("/tv/hello")
async def hello(request: Request, services: ServicesDep) -> Response:
    """What the TV page tells of itself: viewport, pixel ratio, the build it runs."""
    ident, new = identity(request, services)
    if new:
        return Response(status_code=204)
    try:
        body = json.loads((await request.body())[:2000] or b"{}")
    except ValueError:
        raise Invalid("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    fields = {
        "viewport": _bounded(body.get("viewport"), r"^\d{1,5}x\d{1,5}$"),
        "dpr": _number(body.get("dpr")),
        "build": _bounded(body.get("build"), r"^[\w.+-]{1,40}$"),
    }
    await services.screens.store.seen(ident, time.time(), **{k: v for k, v in fields.items() if v})
    return Response(status_code=204)


def _bounded(value: Any, pattern: str) -> str:
    return value if isinstance(value, str) and re.fullmatch(pattern, value) else ""


def _number(value: Any) -> str:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 20
    return f"{value:.2f}" if ok else ""


def screen_rows(records: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    rows = []
    for r in records:
        silent = now - r["last_seen"]
        connected, quiet = is_connected(r, now), is_silent(r, now)
        rows.append({**r, "silent_s": silent, "connected": connected, "quiet": quiet,
                     "target": target_url(r["shows"])})  # fmt: skip
    return rows


async def table(services: Services, caller_may_steer: bool) -> str:
    now = time.time()
    rows = screen_rows(await services.screens.store.all(), now)
    template = services.renderer.env.get_template("partials/screens_table.html")
    return template.render(rows=rows, now=now, steer=caller_may_steer, oob=True)


@router.get("/screens", response_class=HTMLResponse)
async def screens_page(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if session is None:
        return RedirectResponse("/login?next=/screens", status_code=303)
    settings = services.settings
    if not session.holds(settings.key_view):
        html = services.renderer.page("denied.html", title=gettext("Not allowed"),
                                      key=settings.key_view, user=session.user,
                                      csrf=session.csrf, state=None)  # fmt: skip
        return HTMLResponse(html, status_code=403, headers={"Cache-Control": "no-store"})
    steer = session.holds(settings.key_boards)
    library = services.library
    html = services.renderer.page(
        "screens.html", title=gettext("Screens"), session=session, steer=steer,
        table=await table(services, steer), boards=await library.store.boards(),
        playlists=await library.store.playlists(), state=None,
    )  # fmt: skip
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/screens/events")
async def screens_events(caller: PageViewer, services: ServicesDep) -> Response:
    """The table, live: sent again when it changed (every two seconds at most)."""
    steer = caller.holds(services.settings.key_boards)

    beat_s = services.settings.keepalive

    async def stream() -> AsyncIterator[bytes]:
        last, sent_at = "", 0.0
        while True:
            html = await table(services, steer)
            if html != last:
                last, sent_at = html, time.monotonic()
                yield encode(html)
            elif time.monotonic() - sent_at >= beat_s:
                sent_at = time.monotonic()
                yield encode("")  # a beat: the page knows its stream is alive
            await asyncio.sleep(TABLE_EVERY_S)  # pacing a periodic redraw

    return EventSourceResponse(stream(), ping=services.settings.keepalive,
                               headers={"Cache-Control": "no-store"})  # fmt: skip


def shows_of(fields: dict[str, str]) -> dict[str, str]:
    """The form's one choice, "board:ID", "playlist:ID", "url:/wallboard?..." or "" (nothing)."""
    kind, _, value = fields.get("shows", "").partition(":")
    if kind == "url":
        value = fields.get("url", "") or value
    return {kind: value} if kind in ("board", "playlist", "url") and value else {}


@router.get("/screens/{ident}/panel", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def panel(
    request: Request, ident: str, caller: PageSteererAsks, services: ServicesDep
) -> Response:
    screen = await services.screens.screen(ident)
    store = services.library.store
    return fragment(request, "screen_panel", screen=screen, boards=await store.boards(),
                    playlists=await store.playlists())  # fmt: skip


@router.post("/screens/pair", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def pair(request: Request, caller: PageSteerer, services: ServicesDep) -> Response:
    fields = await form(request)
    body = {"code": fields.get("code", ""), "name": fields.get("name", ""), **shows_of(fields)}
    screen = await services.screens.pair(caller, body)
    message = gettext("Paired: %(name)s. It shows its board within seconds.", name=screen["name"])
    return done(request, message)


@router.post(
    "/screens/{ident}/{action}", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS
)
async def steer(
    request: Request, ident: str, action: str, caller: PageSteerer, services: ServicesDep
) -> Response:
    fields = await form(request)
    service = services.screens
    if action == "rename":
        screen = await service.rename(caller, ident, fields.get("name"))
        return done(request, gettext("Renamed: %(name)s.", name=screen["name"]))
    if action == "assign":
        screen = await service.assign(caller, ident, shows_of(fields))
        return done(request, gettext("%(name)s switches within seconds.", name=screen["name"]))
    if action in ("reload", "identify"):
        screen = await service.send(caller, ident, action)
        if action == "reload":
            return done(request, gettext("%(name)s reloads.", name=screen["name"]))
        return done(request, gettext("%(name)s shows its name for 10 s.", name=screen["name"]))
    if action == "forget":
        await service.forget(caller, ident)
        message = gettext("Forgotten. If it is still on, it comes back as a new screen.")
        return done(request, message)
    raise Invalid(f"unknown action {action!r}: rename, assign, reload, identify or forget")
