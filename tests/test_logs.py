"""Logging: JSON and text lines, request ids through a real ASGI app, redaction of secrets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from wallboard import logs

PASSWORD = "qm-Pa55word-7731"
SECRET_KEY = "sk_9f8e7d6c5b4a39281706"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger set up as a process would, writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, set(logs._secrets))
    logs.setup("debug", "json", secrets=[PASSWORD, SECRET_KEY])
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logs._secrets.clear()
    logs._secrets.update(saved[2])


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("GET /wallboard?token=tv-abcdef123&title=x HTTP/1.1", "tv-abcdef123"),
        ("headers: {'authorization': 'Basic cm9ib3Q6c2VjcmV0'}", "cm9ib3Q6c2VjcmV0"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc", "eyJhbGciOiJIUzI1NiJ9"),
        ("Cookie: wb_session=abc.def.ghi; other=1", "abc.def.ghi"),
        ("set-cookie: wb_session=zzz999; HttpOnly", "zzz999"),
        ('body {"user": "x", "password": "hunter22"}', "hunter22"),
        ("POST /login user=demosupervisor&password=demo1234", "demo1234"),
    ],
)
def test_known_shapes_are_redacted(text: str, leak: str) -> None:
    redacted = logs.redact(text)
    assert leak not in redacted and logs.REDACTED in redacted


def test_ordinary_words_survive() -> None:
    text = "poll failed (auth): basic settings refused; lease acquired (epoch 3)"
    assert logs.redact(text) == text


def test_registered_secrets_never_appear(captured: io.StringIO) -> None:
    log = logging.getLogger("wallboard.test")
    log.warning("login with %s failed", PASSWORD)
    log.info("url http://qm/?pass=%s", PASSWORD.replace("-", "%2D"))
    try:
        raise RuntimeError(f"key was {SECRET_KEY}")
    except RuntimeError:
        log.exception("boom")
    out = captured.getvalue()
    assert PASSWORD not in out and SECRET_KEY not in out
    assert out.count(logs.REDACTED) >= 3
    entries = lines(captured)
    assert entries[-1]["level"] == "error" and "RuntimeError" in str(entries[-1]["exc"])


def test_text_format_carries_the_request_id() -> None:
    record = logging.LogRecord("wallboard.web", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    record.request_id = "rid-1"
    line = logs.TextFormatter().format(record)
    assert line.endswith("INFO wallboard.web [rid-1] hello x")


def app() -> Starlette:
    async def handler(request: Request) -> PlainTextResponse:
        logging.getLogger("wallboard.web").info("handling %s", request.url.path)
        return PlainTextResponse("ok")

    async def broken(request: Request) -> PlainTextResponse:
        raise RuntimeError(f"with {SECRET_KEY} inside")

    inner = Starlette(routes=[Route("/", handler), Route("/broken", broken)])
    inner.add_middleware(logs.RequestIdMiddleware)
    return inner


async def test_request_id_is_honoured_echoed_and_logged(captured: io.StringIO) -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        given = await client.get("/", headers={"X-Request-ID": "abc-123"})
        made = await client.get("/")
        forged = await client.get("/", headers={"X-Request-ID": "x injected level=error"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = made.headers["x-request-id"]
    assert len(generated) == 32
    assert forged.headers["x-request-id"] not in ("", "x injected level=error")
    handled = [e for e in lines(captured) if e["message"] == "handling /"]
    assert [e["request_id"] for e in handled] == [
        "abc-123",
        generated,
        forged.headers["x-request-id"],
    ]
    logging.getLogger("wallboard.web").info("outside any request")
    assert "request_id" not in lines(captured)[-1]


async def test_an_unhandled_error_is_logged_with_the_request_id(captured: io.StringIO) -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/broken", headers={"X-Request-ID": "err-7"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "err-7"
    assert response.json()["error"] == {"code": "internal", "message": "internal error (err-7)"}
    [entry] = [e for e in lines(captured) if e["level"] == "error"]
    assert entry["request_id"] == "err-7" and "RuntimeError" in str(entry["exc"])
    assert SECRET_KEY not in captured.getvalue()
