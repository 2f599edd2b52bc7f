"""The FastAPI application: built once per process from the settings, every route installed
from its own module."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallboard.buildinfo import build
from wallboard.logs import RequestIdMiddleware
from wallboard.settings import Settings
from wallboard.web import api, board, health, login, supervisor
from wallboard.web.guard import ApiError
from wallboard.web.render import Renderer, asset_dir
from wallboard.web.services import Services
from wallboard.web.views import BadView


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


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings) -> FastAPI:
    redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3)
    renderer = Renderer(
        mask_callers=settings.mask_callers, build=build(), keepalive=settings.keepalive
    )
    services = Services.build(settings, redis, renderer)
    stop = asyncio.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(services.hub.run(stop))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(task, return_exceptions=True)
            await services.qm.aclose()
            await redis.aclose()

    app = FastAPI(title="wallboard", version=build(), lifespan=lifespan, docs_url=None)
    app.state.services = services
    app.state.hub = services.hub
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=asset_dir("static")), name="static")
    # Plain ASGI, not ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware relays every
    # chunk of a streaming response through an extra task and memory stream, which dominated
    # the CPU of SSE fan-out and added memory per connection (docs/benchmarks.md).
    app.add_middleware(SecurityHeaders, headers=_security_headers(settings))

    # Added last, so outermost: the id is set before anything else runs or logs.
    app.add_middleware(RequestIdMiddleware)

    @app.exception_handler(BadView)
    async def bad_view(request: Request, exc: BadView) -> JSONResponse:
        return JSONResponse(error_body("bad-filter", str(exc)), status_code=400)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(error_body("invalid", f"{where}: {first.get('msg', 'invalid')}"), 422)

    for module in (board, health, login, supervisor, api):
        module.install(app, services)
    return app
