"""The display links of a board in its editor: the list, a button to make one (its address shown
that once) and one to revoke each. Through the same ``DisplayLinks`` as the JSON API; a session
holding the boards key, its CSRF token for the posts (htmx sends it), answers as fragments."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from wallboard.i18n import gettext
from wallboard.web.deps import Needs, ServicesDep, answers_with
from wallboard.web.editor_views import failed, fragment
from wallboard.web.guard import Caller

router = APIRouter(tags=["editor"])
FRAGMENTS = [Depends(answers_with(failed))]
PageDesigner = Annotated[Caller, Depends(Needs("boards", basic=False))]
PageDesignerAsks = Annotated[Caller, Depends(Needs("boards", csrf=False, basic=False))]


def _made(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at))


async def _links(request: Request, board: str, **extra: Any) -> Response:
    services = request.app.state.services
    links = [{**k, "made": _made(k["created_at"])} for k in await services.links.links(board)]
    open_boards = services.settings.tv_token is None
    return fragment(request, "editor_links", board=board, links=links, open_boards=open_boards,
                    **extra)  # fmt: skip


@router.get("/boards/{ident}/links", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def links(ident: str, request: Request, caller: PageDesignerAsks) -> Response:
    return await _links(request, ident)


@router.post("/boards/{ident}/links", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def make_link(
    ident: str, request: Request, caller: PageDesigner, services: ServicesDep
) -> Response:
    created = await services.links.create(ident, caller.user, str(request.base_url))
    return await _links(request, ident, created=created)


@router.post(
    "/boards/{ident}/links/{link}/revoke", response_class=HTMLResponse, dependencies=FRAGMENTS
)
async def revoke_link(
    ident: str, link: str, request: Request, caller: PageDesigner, services: ServicesDep
) -> Response:
    await services.links.revoke(ident, link, caller.user)
    note = gettext("Revoked: its screens are locked within seconds.")
    return await _links(request, ident, note=note)
