"""The JSON API of boards' display links: ``/api/boards/{id}/links``. All of it needs the boards
key (who made which link is for those who make them); HTTP Basic, or a session with its CSRF
token. A new link's address, with its token, is in the 201 answer only: nothing keeps it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from wallboard.web.deps import Needs, ServicesDep
from wallboard.web.guard import Caller

router = APIRouter(prefix="/api/boards", tags=["boards"])
ApiDesigner = Annotated[Caller, Depends(Needs("boards"))]
ApiDesignerReads = Annotated[Caller, Depends(Needs("boards", csrf=False))]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/{ident}/links")
async def list_links(ident: str, caller: ApiDesignerReads, services: ServicesDep) -> JSONResponse:
    return JSONResponse({"links": await services.links.links(ident)}, headers=NO_STORE)


@router.post("/{ident}/links", status_code=201)
async def create_link(
    ident: str, request: Request, caller: ApiDesigner, services: ServicesDep
) -> JSONResponse:
    link = await services.links.create(ident, caller.user, str(request.base_url))
    return JSONResponse(link, 201, headers=NO_STORE)


@router.delete("/{ident}/links/{link}")
async def revoke_link(
    ident: str, link: str, caller: ApiDesigner, services: ServicesDep
) -> JSONResponse:
    return JSONResponse(await services.links.revoke(ident, link, caller.user), headers=NO_STORE)
