"""The alerts' JSON API: ``GET /api/alerts`` (open ones; today's history with ``?history=1``),
``POST /api/alerts/{id}/ack`` ``{"note": "..."}``, ``POST /api/alerts/{id}/snooze``
``{"minutes": 10}``; the view key for all, the same checks and answers as the actions."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from wallboard.web.api import json_body
from wallboard.web.deps import ApiViewer, Needs, ServicesDep, json_only
from wallboard.web.guard import Caller

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
ACT = [Depends(json_only)]
# Acting on an alert needs the view key, and a session's CSRF token.
AlertActor = Annotated[Caller, Depends(Needs("view"))]


def _json(value: Any) -> JSONResponse:
    return JSONResponse(msgspec.to_builtins(value), headers={"Cache-Control": "no-store"})


@router.get("")
async def list_alerts(
    caller: ApiViewer, services: ServicesDep, history: bool = False
) -> JSONResponse:
    return _json({"ok": True, **await services.alerting.listing(history)})


@router.post("/{ident}/ack", dependencies=ACT)
async def ack(
    ident: str, request: Request, caller: AlertActor, services: ServicesDep
) -> JSONResponse:
    body = await json_body(request, {"note": str})
    alert = await services.alerting.acknowledge(ident, caller.user, body.get("note"))
    return _json({"ok": True, "alert": alert})


@router.post("/{ident}/snooze", dependencies=ACT)
async def snooze(
    ident: str, request: Request, caller: AlertActor, services: ServicesDep
) -> JSONResponse:
    body = await json_body(request, {"minutes": int})
    alert = await services.alerting.snooze(ident, caller.user, body.get("minutes"))
    return _json({"ok": True, "alert": alert})
