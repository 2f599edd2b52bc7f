"""The boards and their stream: ``/wallboard``, ``/events``, ``/api/snapshot``.

TV boards are open unless ``WALLBOARD_TV_TOKEN`` is set; then they need the board's link
(``?token=``, remembered in a cookie) or a login. The supervisor view's stream needs a login
with the view key, since it shows callers' numbers whole.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from redis.exceptions import RedisError
from sse_starlette import EventSourceResponse

from wallboard.buildinfo import build
from wallboard.web.freshness import judge
from wallboard.web.guard import ApiError
from wallboard.web.services import Services
from wallboard.web.views import View

TV_COOKIE = "wb_tv"


def install(app: FastAPI, services: Services) -> None:
    settings = services.settings
    hub = services.hub
    renderer = services.renderer
    token = settings.tv_token.get_secret_value() if settings.tv_token else ""
    # The cookie holds a keyed digest of the token, so a stolen cookie jar does not reveal it.
    token_mark = (
        hmac.new(
            settings.secret_key.get_secret_value().encode(), token.encode(), hashlib.sha256
        ).hexdigest()
        if token
        else ""
    )

    async def may_view(request: Request, view: View) -> bool:
        """Whether the request may see this view; raises 401/403 for the supervisor view."""
        if view.kind == "supervisor":
            caller = await services.guard.caller(request, csrf=False)
            services.guard.require(caller, settings.key_view)
            return True
        if not token:
            return True
        given = request.query_params.get("token", "")
        if given and secrets.compare_digest(given.encode(), token.encode()):
            return True
        if secrets.compare_digest(request.cookies.get(TV_COOKIE, "").encode(), token_mark.encode()):
            return True
        return await services.guard.session(request) is not None

    def remember(response: Response, request: Request) -> None:
        if token and request.query_params.get("token"):
            response.set_cookie(
                TV_COOKIE,
                token_mark,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                max_age=400 * 86400,
            )

    def locked(request: Request) -> Response:
        html = renderer.page("locked.html", title="Board locked", state=None)
        return HTMLResponse(html, status_code=401, headers={"Cache-Control": "no-store"})

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return RedirectResponse("/wallboard", status_code=307)

    @app.get("/wallboard", response_class=HTMLResponse)
    async def wallboard(request: Request, title: str = "") -> Response:
        view = View.from_query(request.query_params, "tv")
        if not await may_view(request, view):
            return locked(request)
        if token and request.query_params.get("token"):
            # Keep the token out of the address bar, history and logs from here on.
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            response: Response = RedirectResponse(
                f"/wallboard?{urlencode(rest)}" if rest else "/wallboard", status_code=303
            )
            remember(response, request)
            return response
        html = hub.page("wallboard.html", view, title[:100] or "Wallboard")
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/events")
    async def events(request: Request) -> Response:
        view = View.from_query(request.query_params)
        if not await may_view(request, view):
            raise ApiError(401, "token-required", "this board needs its link (?token=) or a login")
        since = request.headers.get("last-event-id") or request.query_params.get("since")
        subscriber, first = hub.attach(view, since)
        initial = [first]
        del first

        async def stream() -> AsyncIterator[bytes]:
            try:
                # Not kept for the life of the stream: a full refresh is tens of kilobytes
                # per connection (docs/benchmarks.md, RSS per connection).
                yield initial.pop()
                while True:
                    data = await subscriber.queue.get()
                    if data is None:
                        return
                    yield data
            finally:
                hub.detach(subscriber)

        response = EventSourceResponse(
            stream(),
            ping=settings.keepalive,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            send_timeout=settings.send_timeout,
        )
        remember(response, request)
        return response

    @app.get("/api/snapshot")
    async def snapshot(request: Request) -> Response:
        view = View.from_query(request.query_params)
        if not await may_view(request, view):
            raise ApiError(401, "token-required", "this board needs its link (?token=) or a login")
        try:
            stored = await services.store.snapshot()
            meta = await services.store.meta()
        except RedisError as exc:
            raise ApiError(503, "redis", f"the data store is unavailable: {exc}") from None
        version, state = stored if stored else ("", {"queues": [], "agents": [], "calls": []})
        fresh = judge(meta, time.time(), settings.stale_after_s)
        selected = view.select(state)
        if view.kind == "tv" and settings.mask_callers:
            selected["calls"] = [
                {**c, "caller": renderer.caller_number(c["caller"], view)}
                for c in selected["calls"]
            ]
        return JSONResponse(
            {
                "version": version,
                "build": build(),
                "fetched_at": meta.get("fetched_at"),
                "qm_clock_offset": meta.get("qm_clock_offset", 0.0),
                "stale": fresh["stale"],
                "error": fresh["error"],
                **selected,
            },
            headers={"Cache-Control": "no-store"},
        )
