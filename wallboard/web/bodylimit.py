"""Request bodies are refused past a size limit while they are read, never buffered whole:
a declared ``Content-Length`` over the limit is answered 413 before a byte of the body is read,
and a body without one (chunked) fails as soon as the bytes received pass the limit."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wallboard.web.errors import TooLarge, error_body


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised into the route that reads the body: the edge answers 413.
                    raise TooLarge(self.message)
            return message

        await self.app(scope, limited, send)

    @property
    def message(self) -> str:
        return f"the request body is larger than {self.limit} bytes"

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(error_body(TooLarge.default_code, self.message)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
