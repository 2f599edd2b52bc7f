"""The JSON API for scripts: actions, broadcast, audit.

Each action checks, in this order: the content type (``json_only``), the caller and their key
(``deps.Needs``), then its body and input; the routes read the raw body themselves, after the
caller is known, so that no unauthenticated body is parsed and the order stays 415, 401, 403,
then 400/422.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from wallboard.web.deps import (
    ApiBroadcaster,
    ApiOperator,
    ApiPauser,
    ApiUnpauser,
    ApiViewer,
    ServicesDep,
    json_only,
)
from wallboard.web.errors import BadJson, Invalid

router = APIRouter(prefix="/api")

JSON_ONLY = [Depends(json_only)]


async def json_value(request: Request) -> Any:
    """The body as JSON, whatever its shape; BadJson when it is not JSON at all."""
    try:
        return json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadJson("the body is not valid JSON") from None


async def json_body(request: Request, fields: dict[str, type]) -> dict[str, Any]:
    """The body as an object with only the known fields, each of the right type."""
    body = await json_value(request)
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    for name, kind in fields.items():
        if name in body and body[name] is not None and not isinstance(body[name], kind):
            raise Invalid(f"{name} must be {kind.__name__}")
    return body


def body_schema(properties: dict[str, str], required: list[str]) -> dict[str, Any]:
    """An OpenAPI request body, for the schema only (the routes read the raw body)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {name: {"type": kind} for name, kind in properties.items()},
                        "required": required,
                        "additionalProperties": False,
                    }
                }
            },
        }
    }


PAUSE_FIELDS: dict[str, type] = {"agent": str, "pause_code": str}
UNPAUSE_FIELDS: dict[str, type] = {"agent": str}
BROADCAST_FIELDS: dict[str, type] = {
    "text": str,
    "queue": str,
    "location": str,
    "supervisor": str,
    "agent": str,
    "everyone": bool,
}
SCHEMA_TYPES = {str: "string", bool: "boolean", list: "array"}


def schema_of(fields: dict[str, type], required: list[str]) -> dict[str, Any]:
    return body_schema({name: SCHEMA_TYPES[kind] for name, kind in fields.items()}, required)


@router.post(
    "/actions/pause",
    dependencies=JSON_ONLY,
    openapi_extra=schema_of(PAUSE_FIELDS, ["agent", "pause_code"]),
)
async def pause(request: Request, caller: ApiPauser, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, PAUSE_FIELDS)
    result = await services.actions.pause(caller, body.get("agent"), body.get("pause_code"))
    return JSONResponse({"ok": True, "result": result})


@router.post(
    "/actions/unpause", dependencies=JSON_ONLY, openapi_extra=schema_of(UNPAUSE_FIELDS, ["agent"])
)
async def unpause(request: Request, caller: ApiUnpauser, services: ServicesDep) -> JSONResponse:
    body = await json_body(request, UNPAUSE_FIELDS)
    result = await services.actions.unpause(caller, body.get("agent"))
    return JSONResponse({"ok": True, "result": result})


@router.post(
    "/broadcast", dependencies=JSON_ONLY, openapi_extra=schema_of(BROADCAST_FIELDS, ["text"])
)
async def broadcast(
    request: Request, caller: ApiBroadcaster, services: ServicesDep
) -> JSONResponse:
    body = await json_body(request, BROADCAST_FIELDS)
    result = await services.actions.broadcast(caller, body)
    return JSONResponse({"ok": True, "result": result})


@router.get("/audit")
async def audit(caller: ApiViewer, services: ServicesDep, count: int = 50) -> JSONResponse:
    if not 1 <= count <= 1000:
        raise Invalid("count must be between 1 and 1000")
    return JSONResponse({"ok": True, "entries": await services.audit.recent(count)})


SESSIONS_FIELDS: dict[str, type] = {"user": str}


@router.post(
    "/sessions/end", dependencies=JSON_ONLY, openapi_extra=schema_of(SESSIONS_FIELDS, ["user"])
)
async def end_sessions(
    request: Request, caller: ApiOperator, services: ServicesDep
) -> JSONResponse:
    """End every session of a user at once (the master key only): for a user who must lose
    access now, without waiting for the next check of their keys."""
    body = await json_body(request, SESSIONS_FIELDS)
    user = body.get("user")
    if not isinstance(user, str) or not user.strip() or len(user) > 100:
        raise Invalid("user must be a QueueMetrics login")
    ended = await services.sessions.end_user(user)
    return JSONResponse({"ok": True, "result": {"user": user.strip(), "ended": ended}})
