"""What can go wrong in a request, in the service's own terms; the edge (``wallboard.web.app``)
alone turns each kind into an HTTP status and an answer.

    WebError                  code, message
    ├── Invalid               bad input: unknown agent, pause code not allowed, empty text...
    │   └── BadJson           a body that is not JSON at all
    ├── NotLoggedIn           no credentials, or a board opened without its token
    │   └── BadCredentials    credentials QueueMetrics refused (``basic``: sent by HTTP Basic)
    ├── Forbidden             logged in, but without the key, the CSRF token or the agent
    ├── NotFound              no board, playlist or screen with that id
    ├── Conflict              saved meanwhile by someone else (a stale ``version``)
    ├── RateLimited           too many attempts for now
    ├── TooLarge              a body over the size limit
    ├── UnsupportedType       a body of another content type than the one required
    ├── Unavailable           something we need cannot answer now (QueueMetrics, Redis, capacity)
    └── Refused               QueueMetrics refused the action, or could not be reached to send it
"""

from __future__ import annotations


class WebError(Exception):
    """Every error answer says ``code`` (stable, for scripts) and ``message`` (for people)."""

    default_code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class Invalid(WebError):
    default_code = "invalid"


class BadJson(Invalid):
    default_code = "bad-json"


class NotLoggedIn(WebError):
    default_code = "login-required"


class BadCredentials(NotLoggedIn):
    default_code = "bad-credentials"

    def __init__(self, message: str, *, basic: bool = False) -> None:
        super().__init__(message)
        self.basic = basic


class Forbidden(WebError):
    default_code = "forbidden"


class NotFound(WebError):
    default_code = "not-found"


class Conflict(WebError):
    default_code = "conflict"


class RateLimited(WebError):
    default_code = "rate-limited"


class TooLarge(WebError):
    default_code = "too-large"


class UnsupportedType(WebError):
    default_code = "unsupported-media-type"


class Unavailable(WebError):
    default_code = "unavailable"


class Refused(WebError):
    default_code = "refused"


def error_body(code: str, message: str) -> dict[str, object]:
    """The body of every error answer: ``{"ok": false, "error": {"code", "message"}}``."""
    return {"ok": False, "error": {"code": code, "message": message}}
