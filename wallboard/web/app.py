"""The FastAPI application: pages, the SSE stream, the snapshot API, health."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sse_starlette import EventSourceResponse

from wallboard.buildinfo import build
from wallboard.settings import Settings
from wallboard.store.keys import Keys
from wallboard.store.snapshot import SnapshotStore
from wallboard.web.freshness import judge
from wallboard.web.hub import Hub
from wallboard.web.render import Renderer, asset_dir
from wallboard.web.views import BadView, View


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def _security_headers(settings: Settings) -> dict[str, str]:
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {settings.frame_ancestors}"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def create_app(settings: Settings) -> FastAPI:
    redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3)
    store = SnapshotStore(redis, Keys(settings.redis_prefix), settings.stream_maxlen)
    renderer = Renderer(mask_callers=settings.mask_callers, build=build())
    hub = Hub(store, renderer, settings)
    stop = asyncio.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(hub.run(stop))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(task, return_exceptions=True)
            await redis.aclose()

    app = FastAPI(title="wallboard", version=build(), lifespan=lifespan, docs_url=None)
    app.state.hub = hub
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=asset_dir("static")), name="static")
    headers = _security_headers(settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(BadView)
    async def bad_view(request: Request, exc: BadView) -> JSONResponse:
        return JSONResponse(error_body("bad-filter", str(exc)), status_code=400)

    def view_of(request: Request, kind: str | None = None) -> View:
        return View.from_query(request.query_params, kind)

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return Response(status_code=307, headers={"Location": "/wallboard"})

    @app.get("/wallboard", response_class=HTMLResponse)
    async def wallboard(request: Request, title: str = "") -> HTMLResponse:
        view = view_of(request, "tv")
        state, fresh, version = hub.render_page(view)
        html = renderer.page(
            "wallboard.html",
            state=state,
            view=view,
            fresh=fresh,
            version=version,
            title=title[:100] or "Wallboard",
            server_now=time.time(),
            stream_query={**view.query(), **({"since": version} if version else {})},
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/events")
    async def events(request: Request) -> EventSourceResponse:
        view = view_of(request)
        since = request.headers.get("last-event-id") or request.query_params.get("since")
        subscriber, first = hub.attach(view, since)

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield first
                while True:
                    data = await subscriber.queue.get()
                    if data is None:
                        return
                    yield data
            finally:
                hub.detach(subscriber)

        return EventSourceResponse(
            stream(),
            ping=settings.keepalive,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            send_timeout=30,
        )

    @app.get("/api/snapshot")
    async def snapshot(request: Request) -> JSONResponse:
        view = view_of(request)
        try:
            stored = await store.snapshot()
            meta = await store.meta()
        except RedisError as exc:
            return JSONResponse(error_body("redis", str(exc)), status_code=503)
        version, state = stored if stored else ("", {"queues": [], "agents": [], "calls": []})
        fresh = judge(meta, time.time(), settings.stale_after_s)
        return JSONResponse(
            {
                "version": version,
                "build": build(),
                "fetched_at": meta.get("fetched_at"),
                "qm_clock_offset": meta.get("qm_clock_offset", 0.0),
                "stale": fresh["stale"],
                "error": fresh["error"],
                **view.select(state),
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"ok": True, "build": build()}

    @app.get("/readyz")
    async def readyz(strict: bool = False) -> JSONResponse:
        try:
            await redis.ping()
            meta = await store.meta()
        except RedisError as exc:
            body = {"ready": False, "fresh": False, "reason": f"Redis: {exc}", "age_s": None}
            return JSONResponse(body, status_code=503)
        fresh = judge(meta, time.time(), settings.stale_after_s)
        body = {
            "ready": True,
            "fresh": fresh["fresh"],
            "age_s": fresh["age_s"],
            "reason": fresh["reason"] or None,
            "error": fresh["error"],
            "poller": meta.get("poller"),
            "clients": hub.clients,
        }
        status = 503 if strict and not fresh["fresh"] else 200
        return JSONResponse(body, status_code=status)

    return app
