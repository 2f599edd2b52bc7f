"""Health for load balancers and monitoring: ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from redis.exceptions import RedisError

from wallboard import metrics
from wallboard.buildinfo import build
from wallboard.store.directory import DirectoryStore
from wallboard.web.deps import ServicesDep
from wallboard.web.freshness import judge

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"ok": True, "build": build()}


@router.get("/readyz")
async def readyz(services: ServicesDep, strict: bool = False) -> JSONResponse:
    settings = services.settings
    try:
        await services.redis.ping()
        meta = await services.store.meta()
        supervisors = await DirectoryStore(services.redis, services.keys).supervisors()
    except RedisError as exc:
        body = {"ready": False, "fresh": False, "reason": f"Redis: {exc}", "age_s": None}
        return JSONResponse(body, status_code=503)
    fresh = judge(meta, time.time(), settings.stale_after_s)
    body = {
        "ready": True,
        "fresh": fresh["fresh"],
        "age_s": fresh["age_s"],
        "reason": fresh["reason"] or None,
        "error": fresh["error"],
        "poller": meta.get("poller"),
        "clients": services.hub.clients,
        "qm_timezone": settings.qm_timezone,
        "day_start": settings.day_start,
        "supervisors": supervisors,
    }
    status = 503 if strict and not fresh["fresh"] else 200
    return JSONResponse(body, status_code=status)


@router.get("/metrics", include_in_schema=False)
async def prometheus(services: ServicesDep) -> Response:
    body = await metrics.exposition(
        services.hub, services.redis, services.settings.redis_prefix, services.heap.paused
    )
    return Response(body, media_type=metrics.CONTENT_TYPE)
