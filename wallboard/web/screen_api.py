"""``/api/screens`` for scripts: list (view key), and with the boards key pair, rename, assign,
reload, identify, forget. The same rules as the rest of the API: HTTP Basic with one's own
QueueMetrics login (or a session with its token), JSON bodies, errors with their reason."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from wallboard.web.api import JSON_ONLY, json_body, schema_of
from wallboard.web.deps import ApiViewer, Needs, ServicesDep
from wallboard.web.guard import Caller
from wallboard.web.screen_pages import screen_rows

router = APIRouter(prefix="/api/screens")
ApiSteerer = Annotated[Caller, Depends(Needs("boards"))]

PAIR_FIELDS: dict[str, type] = {"code": str, "name": str, "board": str, "playlist": str, "url": str}
ASSIGN_FIELDS: dict[str, type] = {"board": str, "playlist": str, "url": str}
RENAME_FIELDS: dict[str, type] = {"name": str}
PUBLIC = ("id", "name", "shows", "target", "connected", "connected_since", "last_seen",
          "first_seen", "address", "user_agent", "viewport", "dpr", "build", "events",
          "reconnects", "page", "quiet")  # fmt: skip


def public(record: dict[str, object]) -> dict[str, object]:
    return {k: record.get(k) for k in PUBLIC if k in record}


@router.get("")
async def list_screens(caller: ApiViewer, services: ServicesDep) -> JSONResponse:
    rows = screen_rows(await services.screens.store.all(), time.time())
    return JSONResponse({"ok": True, "screens": [public(r) for r in rows]})


@router.post("/pair", dependencies=JSON_ONLY, openapi_extra=schema_of(PAIR_FIELDS, ["code"]))
async def pair(request: Request, caller: ApiSteerer, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, PAIR_FIELDS)
    return JSONResponse({"ok": True, "screen": public(await services.screens.pair(caller, body))})


@router.post(
    "/{ident}/rename", dependencies=JSON_ONLY, openapi_extra=schema_of(RENAME_FIELDS, ["name"])
)
async def rename(
    request: Request, ident: str, caller: ApiSteerer, services: ServicesDep
) -> JSONResponse:
    body = await json_body(request, RENAME_FIELDS)
    screen = await services.screens.rename(caller, ident, body.get("name"))
    return JSONResponse({"ok": True, "screen": public(screen)})


@router.post("/{ident}/assign", dependencies=JSON_ONLY, openapi_extra=schema_of(ASSIGN_FIELDS, []))
async def assign(
    request: Request, ident: str, caller: ApiSteerer, services: ServicesDep
) -> JSONResponse:
    body = await json_body(request, ASSIGN_FIELDS)
    screen = await services.screens.assign(caller, ident, body)
    return JSONResponse({"ok": True, "screen": public(screen)})


@router.post("/{ident}/reload")
async def reload(ident: str, caller: ApiSteerer, services: ServicesDep) -> JSONResponse:
    return JSONResponse(
        {"ok": True, "screen": public(await services.screens.send(caller, ident, "reload"))}
    )


@router.post("/{ident}/identify")
async def identify(ident: str, caller: ApiSteerer, services: ServicesDep) -> JSONResponse:
    screen = await services.screens.send(caller, ident, "identify")
    return JSONResponse({"ok": True, "screen": public(screen)})


@router.delete("/{ident}")
async def forget(ident: str, caller: ApiSteerer, services: ServicesDep) -> JSONResponse:
    return JSONResponse({"ok": True, "result": await services.screens.forget(caller, ident)})
