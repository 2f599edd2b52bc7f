"""QueueMetrics' jsonStatsApi calls, the PBX actions' URL and the health page, answered from
the model."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Request, Response

from wallboard.simulator import stats as qmstats
from wallboard.simulator import wire
from wallboard.simulator.deps import RunningSim
from wallboard.simulator.gateway import QUEUE_SPLIT, Ctx, QmEndpoint, json_response, unauthorized
from wallboard.simulator.pbx import pbx

router = APIRouter()


async def realtime(ctx: Ctx) -> Response:
    raw = ctx.param("queues")
    if not raw:
        return ctx.fail("Parameter 'queues' is mandatory")
    codes = [q for q in QUEUE_SPLIT.split(raw) if q]
    queues = None if "*" in codes else set(codes)
    blocks = ctx.params_all("block")
    data, error = wire.realtime(
        ctx.sim.center, blocks, queues, ctx.param("filter"), ctx.simple, ctx.cfg, ctx.sim.rng
    )
    return ctx.fail(error) if error else ctx.ok(data)


async def stats(ctx: Ctx) -> Response:
    raw = ctx.param("queues")
    if not raw:
        return ctx.fail("Parameter 'queues' is mandatory")
    codes = [q for q in QUEUE_SPLIT.split(raw) if q]
    queues = None if "*" in codes and ctx.cfg.stats_star_all else set(codes)
    try:
        win = qmstats.window(ctx.param("from"), ctx.param("to"), ctx.cfg.time_zone)
    except qmstats.BadRequest as e:
        return ctx.fail(str(e))
    blocks = ctx.params_all("block")
    data, cost_ms, error = qmstats.stats(
        ctx.sim.center, blocks, queues, win, ctx.simple, ctx.cfg, ctx.sim.rng
    )
    return ctx.fail(error) if error else ctx.ok(data, cost_ms)


async def auth(ctx: Ctx) -> Response:
    user = ctx.user
    if user is None:
        if ctx.cfg.auth_fail == "401":
            return unauthorized()
        items = [
            ("UserName", ctx.login),
            ("Status", "ERR"),
            ("FullName", ""),
            ("Email", ""),
            ("Class", ""),
            ("Keys", ""),
            ("Masterkey", "0"),
            ("NLogons", "0"),
        ]
        return ctx.ok({"auth": wire.kv(items, ctx.simple)})
    logons = ctx.sim.logons[user.login] = ctx.sim.logons.get(user.login, 0) + 1
    items = [
        ("UserName", user.login),
        ("Status", "OK"),
        ("FullName", user.real_name),
        ("Email", user.email),
        ("Class", user.user_class),
        ("Keys", user.keys),
        ("Masterkey", "1" if user.masterkey else "0"),
        ("NLogons", str(logons)),
    ]
    return ctx.ok({"auth": wire.kv(items, ctx.simple)})


async def authenticate(ctx: Ctx) -> Response:
    """The caller's profile, or with ``deferred=`` another user's (the caller then needs
    USRADMIN and ROBOT); an unknown deferred user answers an empty profile."""
    assert ctx.user is not None  # the gateway refused anonymous callers
    deferred = ctx.param("deferred")
    if deferred and not (ctx.user.holds("USRADMIN") and ctx.user.holds("ROBOT")):
        return ctx.fail(f"User '{ctx.user.login}' lacks keys USRADMIN and ROBOT")
    user = ctx.cfg.user(deferred) if deferred else ctx.user
    items = (
        [
            ("user.user_id", str(user.pk_id)),
            ("user.login", user.login),
            ("user.real_name", user.real_name),
            ("user.class_name", user.user_class),
            ("user.keys", user.keys),
            ("user.enabled", "true" if user.enabled else "false"),
        ]
        if user
        else []
    )
    return ctx.ok({"output": wire.kv(items, ctx.simple)})


def _agent_or_error(ctx: Ctx) -> tuple[str, Response | None]:
    requested = ctx.param("agent")
    if not requested:
        return requested, ctx.fail("Parameter 'agent' is mandatory")
    if requested.lower() not in ctx.sim.center.agents:
        return requested, ctx.fail(f"Unknown agent: '{requested}'")
    return requested, None


async def pause_codes(ctx: Ctx) -> Response:
    requested, error = _agent_or_error(ctx)
    if error:
        return error
    rows = [
        (requested, p.code, p.description, p.type)
        for p in ctx.sim.center.allowed_pause_codes(requested)
    ]
    titles = ("Agent", "Pause code", "Description", "Type")
    return ctx.ok({"output": wire.output(titles, rows, ctx.simple, ctx.cfg)})


async def agent_queues(ctx: Ctx) -> Response:
    requested, error = _agent_or_error(ctx)
    if error:
        return error
    center = ctx.sim.center
    a = center.agent(requested)
    rows = [(requested, q, center.queues[q].name, str(a.level(q))) for q in a.queues]
    titles = ("Agent", "Queue", "Queue name", "Level")
    return ctx.ok({"output": wire.output(titles, rows, ctx.simple, ctx.cfg)})


async def broadcast(ctx: Ctx) -> Response:
    text = ctx.param("text")
    if not text:
        return ctx.fail("Parameter 'text' is mandatory")
    ctx.sim.broadcasts.append(
        {
            "who": ctx.login,
            "time": ctx.sim.qm_now(),
            "text": text,
            "queue": ctx.param("queue"),
            "location": ctx.param("location"),
            "supervisor": ctx.param("supervisor"),
            "agent": ctx.param("agent"),
            "everyone": ctx.param("everyone") == "1",
        }
    )
    return ctx.ok({})


# ----------------------------------------------------------------- health


@router.get("/sysup.jsp")
async def sysup(sim: RunningSim, request: Request) -> Response:
    entry = {
        "endpoint": "sysup",
        "method": "GET",
        "path": request.url.path,
        "query": "",
        "user": "",
        "time": sim.qm_now(),
    }
    sim.requests.begin("sysup", entry)
    try:
        sim.tick()
        for f in sim.faults.draw("sysup"):
            if f.mode in ("http_500", "html_error", "unauthorized"):
                return Response(
                    "unavailable", {"http_500": 500, "html_error": 502}.get(f.mode, 401)
                )
            if f.mode in ("latency", "timeout") and await sim.wait_or_shutdown(f.seconds):
                return Response("shutting down", 503)
        generated = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(sim.qm_now()))
        body = {
            "state": sim.config.sysup_state,
            "ramFreeMb": 412,
            "ramTotalMb": 1024,
            "ramMaxMb": 2048,
            "generatedOn": generated,
            "version": sim.config.qm_version,
        }
        return json_response(body)
    finally:
        sim.requests.end("sysup")


# ----------------------------------------------------------------- the calls, by URL

STATS_CALLS = {
    call.name: call
    for call in (
        QmEndpoint("QmRealtime", realtime),
        QmEndpoint("QmStats", stats),
        QmEndpoint("QmAuth", auth, key=None, own_auth=True),
        QmEndpoint("QmAuthenticate", authenticate, key=None),
        QmEndpoint("QmAgentPCodes", pause_codes),
        QmEndpoint("QmAgentQueues", agent_queues),
        QmEndpoint("QmBroadcastMsg", broadcast),
    )
}
PBX_ACTIONS = QmEndpoint("pbxactions", pbx, kind="pbx")


@router.api_route("/{name}/jsonStatsApi.do", methods=["GET", "POST"])
async def stats_api(name: str, sim: RunningSim, request: Request) -> Response:
    call = STATS_CALLS.get(name)
    if call is None:
        raise HTTPException(404)
    return await call.serve(sim, request)


@router.post("/qm_jsonsvc_do_pbxactions.do")
async def pbx_actions(sim: RunningSim, request: Request) -> Response:
    return await PBX_ACTIONS.serve(sim, request)
