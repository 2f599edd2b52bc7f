"""Logging for every role: text or JSON lines, request ids, and no secrets.

Redaction happens in the formatter, on the final text of each line, so it covers every
logger (uvicorn's access log and third-party libraries included) and exception tracebacks.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from base64 import b64encode
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_log = logging.getLogger("wallboard.web")

REQUEST_ID: ContextVar[str | None] = ContextVar("wallboard_request_id", default=None)

REDACTED = "[redacted]"
# A client's id is kept only if it cannot forge log content (no spaces, quotes, newlines).
_VALID_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_PATTERNS = [
    # Header dumps: "Authorization: Basic abc", "'cookie': 'session=...'".
    re.compile(r"(?i)((?:proxy-)?authorization['\"]?\s*[:=,]\s*['\"]?)[^'\"\n]+"),
    re.compile(r"(?i)((?:set-)?cookie['\"]?\s*[:=,]\s*['\"]?)[^'\"\n]+"),
    re.compile(r"(\b(?:Basic|Bearer)\s+)[A-Za-z0-9._~+/=-]{8,}"),
    # Query strings and form bodies: ?token=..., &pass=..., password=...
    re.compile(
        r"(?i)((?:^|[?&;\s\"'])(?:token|tv_token|pass|passwd|password|secret|secret_key"
        r"|session|csrf|csrf_token|api_key)=)[^&;\s\"']+"
    ),
    # JSON: "password": "..."
    re.compile(r"(?i)(\"(?:password|pass|secret|secret_key|token|tv_token|csrf)\"\s*:\s*\")[^\"]*"),
]

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """A value that must never appear in a log line, in any usual encoding."""
    # Too short to be told from ordinary words; such a secret is not worth the name anyway.
    if not value or len(value) < 4:
        return
    _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def basic_credentials(user: str, password: str) -> str:
    """The base64 of a Basic login, to register it as a secret too."""
    return b64encode(f"{user}:{password}".encode()).decode()


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record emitted while it is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid}]" if rid else ""
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def setup(level: str = "info", fmt: str = "text", secrets: Iterable[str | None] = ()) -> None:
    """Configure the root logger once per process; uvicorn's loggers propagate to it."""
    for secret in secrets:
        register_secret(secret)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt.lower() == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # One line per poll request would drown everything else.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class RequestIdMiddleware:
    """Honours a sane ``X-Request-ID`` or makes one, echoes it, and puts it in the logs.

    Plain ASGI rather than ``BaseHTTPMiddleware`` so that SSE streams pass through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), ""
        )
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(rid)

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Logged here, inside the request's context, so the traceback carries its id; the
            # server would log it without. The client gets the id to quote.
            _log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            body = json.dumps(
                {"ok": False, "error": {"code": "internal", "message": f"internal error ({rid})"}}
            ).encode()
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            REQUEST_ID.reset(token)
