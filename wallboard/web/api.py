"""The JSON API for scripts: actions, broadcast, audit (design.md §4)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from wallboard.web.guard import ApiError, Caller
from wallboard.web.services import Services


def require_json_type(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ApiError(415, "unsupported-media-type", "send Content-Type: application/json")


async def json_body(request: Request, fields: dict[str, type]) -> dict[str, Any]:
    """The body as an object with only the known fields, each of the right type (else 400/422)."""
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "bad-json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid", "the body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise ApiError(422, "invalid", f"unknown field(s): {', '.join(unknown)}")
    for name, kind in fields.items():
        if name in body and body[name] is not None and not isinstance(body[name], kind):
            raise ApiError(422, "invalid", f"{name} must be {kind.__name__}")
    return body


async def authenticated(services: Services, request: Request) -> Caller:
    require_json_type(request)
    return await services.guard.caller(request)


def body_schema(properties: dict[str, str], required: list[str]) -> dict[str, Any]:
    """An OpenAPI request body, for the schema only: the routes read the raw body themselves,
    so that the order of checks stays 415, 401, 403, then 400/422 (design.md §4)."""
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


PAUSE_BODY = body_schema({"agent": "string", "pause_code": "string"}, ["agent", "pause_code"])
UNPAUSE_BODY = body_schema({"agent": "string"}, ["agent"])
BROADCAST_BODY = body_schema(
    {
        "text": "string",
        "queue": "string",
        "location": "string",
        "supervisor": "string",
        "agent": "string",
        "everyone": "boolean",
    },
    ["text"],
)


def install(app: FastAPI, services: Services) -> None:
    actions = services.actions

    @app.post("/api/actions/pause", openapi_extra=PAUSE_BODY)
    async def pause(request: Request) -> JSONResponse:
        caller = await authenticated(services, request)
        services.guard.require(caller, services.settings.key_pause)
        body = await json_body(request, {"agent": str, "pause_code": str})
        result = await actions.pause(caller, body.get("agent"), body.get("pause_code"))
        return JSONResponse({"ok": True, "result": result})

    @app.post("/api/actions/unpause", openapi_extra=UNPAUSE_BODY)
    async def unpause(request: Request) -> JSONResponse:
        caller = await authenticated(services, request)
        services.guard.require(caller, services.settings.key_unpause)
        body = await json_body(request, {"agent": str})
        result = await actions.unpause(caller, body.get("agent"))
        return JSONResponse({"ok": True, "result": result})

    @app.post("/api/broadcast", openapi_extra=BROADCAST_BODY)
    async def broadcast(request: Request) -> JSONResponse:
        caller = await authenticated(services, request)
        services.guard.require(caller, services.settings.key_broadcast)
        fields = {
            "text": str,
            "queue": str,
            "location": str,
            "supervisor": str,
            "agent": str,
            "everyone": bool,
        }
        body = await json_body(request, fields)
        result = await actions.broadcast(caller, body)
        return JSONResponse({"ok": True, "result": result})

    @app.get("/api/audit")
    async def audit(request: Request, count: int = 50) -> JSONResponse:
        caller = await services.guard.caller(request, csrf=False)
        services.guard.require(caller, services.settings.key_view)
        if not 1 <= count <= 1000:
            raise ApiError(422, "invalid", "count must be between 1 and 1000")
        return JSONResponse({"ok": True, "entries": await services.audit.recent(count)})
