"""A TV page's screen id: a random id in a cookie set on its first visit, signed with the
secret key so that a cookie someone changed is replaced rather than trusted (it would let one
screen speak for another in the registry)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "wb_screen"
COOKIE_DAYS = 400
_ID = re.compile(r"[A-Za-z0-9_-]{16}")


def _signature(screen_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"screen:{screen_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def new_id() -> str:
    return secrets.token_urlsafe(12)  # 16 characters


def signed(screen_id: str, secret: str) -> str:
    return f"{screen_id}.{_signature(screen_id, secret)}"


def read(cookie: str | None, secret: str) -> str | None:
    """The screen id a cookie carries, or None when it is missing or was tampered with."""
    if not cookie or len(cookie) > 100 or "." not in cookie:
        return None
    screen_id, signature = cookie.split(".", 1)
    if not _ID.fullmatch(screen_id):
        return None
    if not hmac.compare_digest(signature, _signature(screen_id, secret)):
        return None
    return screen_id


def identity(request: Request, secret: str) -> tuple[str, bool]:
    """The screen id of this TV, and whether it is new (its cookie missing or tampered with)."""
    found = read(request.cookies.get(COOKIE), secret)
    return (found, False) if found else (new_id(), True)


def keep(response: Response, request: Request, ident: str, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        signed(ident, secret),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=COOKIE_DAYS * 86400,
    )


def mark(request: Request, response: Response, secret: str) -> None:
    """A TV page opened: its screen cookie set when it has none, so every TV registers."""
    ident, new = identity(request, secret)
    if new:
        keep(response, request, ident, secret)
