"""The language of each request, before any route runs: ``?lang=`` when it names one of ours,
else the browser's ``Accept-Language``, else English. A board's page speaks its board's
language instead unless ``?lang=`` says otherwise (``Hub.view``)."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallboard import i18n


class Speech:
    """Plain ASGI, so the language set here is the one the route sees (same task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        i18n.use(language_of(scope))

        async def send_varying(message: Message) -> None:
            # A cache between us and the browser must keep one copy per language.
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Accept-Language")
            await send(message)

        await self.app(scope, receive, send_varying)


def language_of(scope: Scope) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked = (query.get("lang") or [""])[0]
    header = next((v for k, v in scope.get("headers", []) if k == b"accept-language"), b"")
    return i18n.negotiate(asked, header.decode("latin-1")[:500])
