"""Which pages may frame a board page: the editor's previews and the playlist page show board
pages in ``<iframe>``s, which the Content-Security-Policy's ``frame-ancestors`` (the setting
``WALLBOARD_FRAME_ANCESTORS``, default ``'none'``) forbids.

A board page asked with ``?embed=1`` therefore answers with ``frame-ancestors 'self'`` (plus
what the setting allows, unless that is ``'none'``): this site's own pages may frame it, no
other site may. Nothing else changes, and any other page keeps the setting as it is. It is safe
because a board page is read-only (nothing on it to click, so nothing to trick anyone into
clicking) and ``'self'`` is this origin only.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from wallboard.settings import Settings
from wallboard.web.errors import WebError

ErrorPage = Callable[[Request, WebError, int], Response]

EMBED_PARAM = "embed"


def policy(settings: Settings, frame_ancestors: str | None = None) -> str:
    """The Content-Security-Policy of every page; ``frame-ancestors`` from the setting unless
    given."""
    ancestors = frame_ancestors or settings.frame_ancestors
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


def embeddable(request: Request, settings: Settings) -> dict[str, str]:
    """The headers that let this site frame the page when it asked to be (``?embed=1``);
    none otherwise (the edge's own policy applies)."""
    if request.query_params.get(EMBED_PARAM) != "1":
        return {}
    configured = settings.frame_ancestors.strip()
    ancestors = "'self'" if configured in ("", "'none'") else f"'self' {configured}"
    return {"Content-Security-Policy": policy(settings, ancestors)}


def framable(page: ErrorPage) -> ErrorPage:
    """``page``, with the same framing as the page it stands for: a preview of a board that
    cannot be shown says why inside its frame instead of being blocked by the browser."""

    def answer(request: Request, exc: WebError, status: int) -> Response:
        response = page(request, exc, status)
        response.headers.update(embeddable(request, request.app.state.settings))
        return response

    return answer
