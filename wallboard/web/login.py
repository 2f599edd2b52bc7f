"""Logging in and out of the browser pages with one's own QueueMetrics login.

The login form carries a token of its own (in a cookie and a hidden field) against login CSRF;
logging out needs the session's CSRF token, so that no other site can log anybody out.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.i18n import gettext
from wallboard.web.deps import ErrorPage, ServicesDep, answer_errors_with
from wallboard.web.errors import Forbidden, Invalid, WebError
from wallboard.web.guard import client_ip, same_secret
from wallboard.web.services import Services
from wallboard.web.sessions import COOKIE

router = APIRouter()

LOGIN_COOKIE = "wb_login"


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/supervisor"


async def form(request: Request) -> dict[str, str]:
    """A urlencoded form's fields (the first of each); its size is bounded by ``BodyLimit``."""
    body = await request.body()
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def login_page(request: Request, status: int = 200, error: str = "", nxt: str = "") -> Response:
    services: Services = request.app.state.services
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    title = gettext("Log in")
    html = services.renderer.page("login.html", title=title, error=error, csrf=token, next=nxt)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), max_age=3600
    )
    return response


def login_again(nxt: str) -> ErrorPage:
    """The login form again, saying what went wrong as a sentence."""

    def page(request: Request, exc: WebError, status: int) -> Response:
        sentence = exc.message[:1].upper() + exc.message[1:]
        return login_page(
            request, status, sentence if sentence.endswith(".") else sentence + ".", nxt
        )

    return page


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "") -> Response:
    return login_page(request, nxt=safe_next(next))


@router.post("/login")
async def login(request: Request, services: ServicesDep) -> Response:
    answer_errors_with(request, login_again(safe_next(None)))
    fields = await form(request)
    nxt = safe_next(fields.get("next"))
    answer_errors_with(request, login_again(nxt))
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not same_secret(fields.get("csrf", ""), expected):
        raise Forbidden("this form expired; please try again", "bad-csrf-token")
    user, password = fields.get("username", "").strip(), fields.get("password", "")
    if not user or not password or len(user) > 100 or len(password) > 200:
        raise Invalid("enter your QueueMetrics user name and password")
    info = await services.guard.check_login(user, password, client_ip(request))
    # A new id at every login: a session id planted before login is worth nothing.
    session = await services.sessions.create(info, replacing=request.cookies.get(COOKIE))
    response = RedirectResponse(nxt, status_code=303)
    response.set_cookie(
        COOKIE,
        session.sid,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        max_age=int(services.settings.session_ttl),
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, services: ServicesDep) -> Response:
    session = await services.sessions.get(request.cookies.get(COOKIE))
    if session is not None:
        fields = await form(request)
        token = request.headers.get("x-csrf-token") or fields.get("csrf", "")
        if not same_secret(token, session.csrf):
            raise Forbidden("missing or wrong CSRF token", "bad-csrf-token")
        await services.sessions.delete(session.sid)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
