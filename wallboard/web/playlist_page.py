"""The TV page of a playlist, ``/playlists/{id}``: its boards in turn, every ``seconds``.

Each board is a same-origin ``<iframe>`` of its own TV page (``/boards/{id}?embed=1``, which
allows this site to frame it, see ``framing``), all of them loaded at once and only the current
one visible. So every board keeps its own live stream, lays itself out and reloads itself when
it is redesigned exactly as on a TV of its own, and the playlist page can tell at any moment
which board shows a red alert (static/playlist.js reads the frames' documents; the signal is
described there). The cost: one stream per board of the playlist, which over HTTP/1.1 counts
against the browser's six connections per host (behind a proxy speaking HTTP/2 the limit goes away).

The same TV rules as a board (a token or a login), judged with the view of the playlist's
first board.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.web import screen_id
from wallboard.web.board import locked
from wallboard.web.deps import ServicesDep, answers_with
from wallboard.web.editor_views import EMBED

router = APIRouter(tags=["boards"])


@router.get("/playlists/{ident}", response_class=HTMLResponse,
            dependencies=[Depends(answers_with(locked))])  # fmt: skip
async def playlist_page(ident: str, request: Request, services: ServicesDep) -> Response:
    playlist = await services.library.playlist(ident)
    hub = services.hub
    audience = await services.boards.admit(request, await hub.board_view_now(playlist.boards[0]))
    if audience.remember:
        # The token goes into the cookie (which the frames' pages then send) and out of the
        # address bar, history and logs.
        response = RedirectResponse(f"/playlists/{ident}", status_code=303)
        services.boards.remember(audience, request, response)
        return response
    titles = {ident: board.title for ident, board in hub.boards.items()}
    slides = [(b, titles.get(b, b)) for b in playlist.boards]
    html = services.renderer.page(
        "playlist.html", title=playlist.title, playlist=playlist, slides=slides, embed=EMBED,
        state=None,
    )  # fmt: skip
    page = HTMLResponse(html, headers={"Cache-Control": "no-store"})
    screen_id.mark(request, page, services.secret)
    return page
