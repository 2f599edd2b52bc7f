"""The TV pages of saved boards and playlists: ``/boards/{id}`` and ``/playlists/{id}``.

The same TV rules as ``/wallboard`` (the board gate: a token or a login); the stream of a board
is ``/events?board={id}``. A playlist's page rotates its boards in a frame each, and shows a
board with a red alert at once, holding it while it is red.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.web import screen_id
from wallboard.web.audience import Audience
from wallboard.web.board import locked
from wallboard.web.deps import ServicesDep, answers_with
from wallboard.web.framing import embeddable, framable

router = APIRouter()
LOCKED = [Depends(answers_with(framable(locked)))]


async def _board_audience(ident: str, request: Request, services: ServicesDep) -> Audience:
    view = await services.hub.board_view_now(ident, request.query_params.get("lang", ""))
    return await services.boards.admit(request, view)


BoardAudience = Annotated[Audience, Depends(_board_audience)]


def _remembered(path: str, audience: Audience, request: Request, services: ServicesDep) -> Response:
    """The token goes into the cookie and out of the address bar, history and logs."""
    response = RedirectResponse(path, status_code=303)
    services.boards.remember(audience, request, response)
    return response


@router.get("/boards/{ident}", response_class=HTMLResponse, dependencies=LOCKED)
async def board_page(
    ident: str, request: Request, audience: BoardAudience, services: ServicesDep
) -> Response:
    if audience.remember:
        return _remembered(f"/boards/{ident}", audience, request, services)
    hub = services.hub
    board = hub.boards[audience.view.board]
    present = {q.queue for q in hub.state.queues} | set(hub.directory.queues)
    missing = [q for q in board.queues if q not in present] if hub.loaded else []
    html = hub.page(
        "board.html",
        audience.view,
        board.title,
        board=board,
        missing_queues=missing,
    )
    # ?embed=1: the editor's previews and the playlist page frame it (framing.py).
    embed = embeddable(request, services.settings)
    response = HTMLResponse(html, headers={"Cache-Control": "no-store", **embed})
    if not embed:  # a frame of a playlist or of the editor's preview is not a screen itself
        screen_id.mark(request, response, services.secret)
    return response
