"""The JSON API of saved boards and playlists: ``/api/boards``, ``/api/playlists``,
``/api/export``, ``/api/import``. Reading needs the view key, writing the boards key; the same
order of checks as the actions (415, 401, 403, then 400/422, 404, 409)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from wallboard.store.boards import Kind
from wallboard.web.api import json_value
from wallboard.web.deps import ApiViewer, Needs, ServicesDep, json_only
from wallboard.web.guard import Caller

router = APIRouter(prefix="/api", tags=["boards"])
JSON_ONLY = [Depends(json_only)]
ApiDesigner = Annotated[Caller, Depends(Needs("boards"))]
KINDS: dict[str, Kind] = {"boards": "boards", "playlists": "playlists"}


def _json(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(msgspec.to_builtins(value), status, headers={"Cache-Control": "no-store"})


@router.get("/boards")
async def list_boards(caller: ApiViewer, services: ServicesDep) -> JSONResponse:
    return _json({"boards": await services.library.boards()})


@router.get("/playlists")
async def list_playlists(caller: ApiViewer, services: ServicesDep) -> JSONResponse:
    return _json({"playlists": await services.library.playlists()})


@router.get("/boards/{ident}")
async def get_board(ident: str, caller: ApiViewer, services: ServicesDep) -> JSONResponse:
    return _json(await services.library.board(ident))


@router.get("/playlists/{ident}")
async def get_playlist(ident: str, caller: ApiViewer, services: ServicesDep) -> JSONResponse:
    return _json(await services.library.playlist(ident))


@router.post("/boards", dependencies=JSON_ONLY, status_code=201)
async def create_board(
    request: Request, caller: ApiDesigner, services: ServicesDep
) -> JSONResponse:
    board = await services.library.create_board(await json_value(request), caller.user)
    return _json(board, 201)


@router.post("/playlists", dependencies=JSON_ONLY, status_code=201)
async def create_playlist(
    request: Request, caller: ApiDesigner, services: ServicesDep
) -> JSONResponse:
    playlist = await services.library.create_playlist(await json_value(request), caller.user)
    return _json(playlist, 201)


@router.put("/boards/{ident}", dependencies=JSON_ONLY)
async def update_board(
    ident: str, request: Request, caller: ApiDesigner, services: ServicesDep
) -> JSONResponse:
    return _json(await services.library.update_board(ident, await json_value(request), caller.user))


@router.put("/playlists/{ident}", dependencies=JSON_ONLY)
async def update_playlist(
    ident: str, request: Request, caller: ApiDesigner, services: ServicesDep
) -> JSONResponse:
    body = await json_value(request)
    return _json(await services.library.update_playlist(ident, body, caller.user))


@router.delete("/boards/{ident}")
async def delete_board(ident: str, caller: ApiDesigner, services: ServicesDep) -> JSONResponse:
    return _json(await services.library.delete("boards", ident, caller.user))


@router.delete("/playlists/{ident}")
async def delete_playlist(ident: str, caller: ApiDesigner, services: ServicesDep) -> JSONResponse:
    return _json(await services.library.delete("playlists", ident, caller.user))


@router.get("/export")
async def export(caller: ApiViewer, services: ServicesDep) -> JSONResponse:
    return _json(await services.library.export())


@router.post("/import", dependencies=JSON_ONLY)
async def import_all(request: Request, caller: ApiDesigner, services: ServicesDep) -> JSONResponse:
    counts = await services.library.import_all(await json_value(request), caller.user)
    return _json({"ok": True, "imported": counts})
