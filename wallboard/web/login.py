"""Logging in and out of the browser pages with one's own QueueMetrics login."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.web.guard import ApiError, client_ip
from wallboard.web.services import Services
from wallboard.web.sessions import COOKIE

LOGIN_COOKIE = "wb_login"
MAX_FORM = 4096


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/supervisor"


async def form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM:
        raise ApiError(413, "too-large", "form too large")
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def install(app: FastAPI, services: Services) -> None:
    renderer = services.renderer

    def page(request: Request, status: int = 200, error: str = "", nxt: str = "") -> Response:
        token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        html = renderer.page("login.html", title="Log in", error=error, csrf=token, next=nxt)
        response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=secure(request),
            max_age=3600,
        )
        return response

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "") -> Response:
        return page(request, nxt=safe_next(next))

    @app.post("/login")
    async def login(request: Request) -> Response:
        fields = await form(request)
        nxt = safe_next(fields.get("next"))
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not secrets.compare_digest(fields.get("csrf", ""), expected):
            return page(request, 403, "This form expired; please try again.", nxt)
        user, password = fields.get("username", "").strip(), fields.get("password", "")
        if not user or not password or len(user) > 100 or len(password) > 200:
            return page(request, 422, "Enter your QueueMetrics user name and password.", nxt)
        try:
            info = await services.guard.check_login(user, password, client_ip(request))
        except ApiError as exc:
            return page(request, exc.status, exc.message[:1].upper() + exc.message[1:] + ".", nxt)
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

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        session = await services.guard.session(request)
        if session is not None:
            fields = await form(request)
            token = request.headers.get("x-csrf-token") or fields.get("csrf", "")
            if not secrets.compare_digest(token.encode(), session.csrf.encode()):
                raise ApiError(403, "bad-csrf-token", "missing or wrong CSRF token")
            await services.sessions.delete(session.sid)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response
