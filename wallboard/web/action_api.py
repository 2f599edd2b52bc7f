"""The JSON API of the actions beyond pause (design §11): log on, log off, join, remove, hang
up, transfer, listen, text. The same order of checks as ``api``: 415, 401 and 403 before the
body is read, then 400/422 from the body and the live floor, then 429, and only then upstream.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from wallboard.web.api import JSON_ONLY, json_body, schema_of
from wallboard.web.deps import (
    ApiHangup,
    ApiLogin,
    ApiLogout,
    ApiMembers,
    ApiMonitor,
    ApiText,
    ApiTransfer,
    ServicesDep,
)
from wallboard.web.guard import Caller

router = APIRouter(prefix="/api/actions")

LOGIN_FIELDS: dict[str, type] = {"agent": str, "extension": str, "queues": list}
AGENT_FIELDS: dict[str, type] = {"agent": str}
MEMBER_FIELDS: dict[str, type] = {"agent": str, "queues": list}
CALL_FIELDS: dict[str, type] = {"callid": str}
TARGET_FIELDS: dict[str, type] = {"callid": str, "target": str}
TEXT_FIELDS: dict[str, type] = {"agent": str, "message": str}


def ok(result: object) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


@router.post(
    "/login",
    dependencies=JSON_ONLY,
    openapi_extra=schema_of(LOGIN_FIELDS, ["agent", "extension", "queues"]),
)
async def login(request: Request, caller: ApiLogin, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, LOGIN_FIELDS)
    actions = services.agent_actions
    return ok(
        await actions.login(caller, body.get("agent"), body.get("extension"), body.get("queues"))
    )


@router.post("/logout", dependencies=JSON_ONLY, openapi_extra=schema_of(AGENT_FIELDS, ["agent"]))
async def logout(request: Request, caller: ApiLogout, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, AGENT_FIELDS)
    return ok(await services.agent_actions.logout(caller, body.get("agent")))


async def members(
    request: Request, caller: Caller, services: ServicesDep, action: str
) -> JSONResponse:
    body = await json_body(request, MEMBER_FIELDS)
    actions = services.agent_actions
    return ok(await actions.members(caller, action, body.get("agent"), body.get("queues")))


@router.post(
    "/join", dependencies=JSON_ONLY, openapi_extra=schema_of(MEMBER_FIELDS, ["agent", "queues"])
)
async def join(request: Request, caller: ApiMembers, services: ServicesDep) -> JSONResponse:
    return await members(request, caller, services, "join")


@router.post(
    "/remove", dependencies=JSON_ONLY, openapi_extra=schema_of(MEMBER_FIELDS, ["agent", "queues"])
)
async def remove(request: Request, caller: ApiMembers, services: ServicesDep) -> JSONResponse:
    return await members(request, caller, services, "remove")


@router.post("/hangup", dependencies=JSON_ONLY, openapi_extra=schema_of(CALL_FIELDS, ["callid"]))
async def hangup(request: Request, caller: ApiHangup, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, CALL_FIELDS)
    return ok(await services.call_actions.hangup(caller, body.get("callid")))


@router.post(
    "/transfer",
    dependencies=JSON_ONLY,
    openapi_extra=schema_of(TARGET_FIELDS, ["callid", "target"]),
)
async def transfer(request: Request, caller: ApiTransfer, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, TARGET_FIELDS)
    actions = services.call_actions
    return ok(await actions.transfer(caller, body.get("callid"), body.get("target")))


@router.post("/listen", dependencies=JSON_ONLY, openapi_extra=schema_of(TARGET_FIELDS, ["callid"]))
async def listen(request: Request, caller: ApiMonitor, services: ServicesDep) -> JSONResponse:
    """``target`` is the phone that listens; without it, the one saved in the session."""
    body = await json_body(request, TARGET_FIELDS)
    saved = caller.session.phone if caller.session else ""
    phone = body.get("target") or saved
    return ok(await services.call_actions.listen(caller, body.get("callid"), phone))


@router.post(
    "/text", dependencies=JSON_ONLY, openapi_extra=schema_of(TEXT_FIELDS, ["agent", "message"])
)
async def text(request: Request, caller: ApiText, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, TEXT_FIELDS)
    return ok(await services.agent_actions.text(caller, body.get("agent"), body.get("message")))
