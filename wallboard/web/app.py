"""The FastAPI application: built once per process from the settings, every route installed
from its own module."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

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
    headers = _security_headers(settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

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
