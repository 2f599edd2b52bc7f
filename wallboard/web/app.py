"""The FastAPI application: built once per process from the settings, the routers of each
module included, and the edge: middlewares (request ids, forwarded addresses, body limit,
security headers) and the one mapping of the service's errors to HTTP statuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallboard.buildinfo import build
from wallboard.logs import RequestIdMiddleware
from wallboard.settings import Settings
from wallboard.store.connection import connect
from wallboard.web import (
    action_api,
    action_pages,
    alert_page,
    alert_routes,
    api,
    board,
    board_pages,
    editor,
    editor_links,
    framing,
    health,
    library_routes,
    link_routes,
    login,
    playlist_page,
    screen_api,
    screen_pages,
    supervisor,
)
from wallboard.web.bodylimit import BodyLimit
from wallboard.web.errors import (
    BadCredentials,
    BadJson,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    NotLoggedIn,
    RateLimited,
    Refused,
    TooLarge,
    Unavailable,
    UnsupportedType,
    WebError,
    error_body,
)
from wallboard.web.forwarded import TrustedProxies
from wallboard.web.render import Renderer, asset_dir
from wallboard.web.services import Services
from wallboard.web.speech import Speech
from wallboard.web.views import BadView

# The edge: the one place where the service's errors become HTTP statuses.
STATUS: dict[type[WebError], int] = {
    Invalid: 422,
    BadJson: 400,
    NotLoggedIn: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedType: 415,
    RateLimited: 429,
    Refused: 502,
    Unavailable: 503,
}
BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="wallboard", charset="UTF-8"'}


def status_of(exc: WebError) -> int:
    return next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 500)


def answer_error(request: Request, exc: WebError) -> Response:
    """The status of the error's kind, as the route's own page when it has one, else JSON.
    Basic credentials refused get the challenge; others none, so browsers show no dialog."""
    status = status_of(exc)
    page = getattr(request.state, "error_page", None)
    if page is not None:
        response: Response = page(request, exc, status)
        return response
    challenge = isinstance(exc, BadCredentials) and exc.basic
    return JSONResponse(
        error_body(exc.code, exc.message), status, headers=BASIC_CHALLENGE if challenge else None
    )


def _security_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": framing.policy(settings),
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
    redis = connect(settings.redis_url)
    renderer = Renderer(
        mask_callers=settings.mask_callers, build=build(), keepalive=settings.keepalive
    )
    services = Services.build(settings, redis, renderer)
    stop = asyncio.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.library.seed(settings.boards_file)
        tasks = [
            asyncio.create_task(services.hub.run(stop)),
            asyncio.create_task(services.watchdog.run(stop)),
            asyncio.create_task(services.heap.run(stop)),
        ]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
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
    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(Speech)
    app.add_middleware(SecurityHeaders, headers=_security_headers(settings))
    # Outside the limits, so that they count the client's address, not the proxy's.
    app.add_middleware(TrustedProxies, networks=settings.trusted_proxy_networks)
    # Added last, so outermost: the id is set before anything else runs or logs.
    app.add_middleware(RequestIdMiddleware)

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        return answer_error(request, exc)

    @app.exception_handler(BadView)
    async def bad_view(request: Request, exc: BadView) -> JSONResponse:
        return JSONResponse(error_body("bad-filter", str(exc)), status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(error_body("invalid", f"{where}: {first.get('msg', 'invalid')}"), 422)

    routers = (board, health, login, supervisor, api, action_api, action_pages, board_pages,
               library_routes, link_routes, alert_routes, alert_page, editor, editor_links,
               playlist_page, screen_pages, screen_api)  # fmt: skip
    for module in routers:
        app.include_router(module.router)
    return app
