"""QueueMetrics' jsonStatsApi calls, pbx actions and health page, answered from the model."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from wallboard.simulator import stats as qmstats
from wallboard.simulator import wire
from wallboard.simulator.callcenter import PAUSE_CODES, Agent, CallCenter, ModelError
from wallboard.simulator.deps import RunningSim
from wallboard.simulator.gateway import Ctx, QmEndpoint, json_response, unauthorized

QUEUE_SPLIT = re.compile(r"[|\s]+")

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


# ----------------------------------------------------------------- pbx actions

NO_EFFECT = frozenset(
    {"calloutcome", "addfeature", "remfeature", "sendtext", "inboundmonitor", "outboundmonitor"}
)


async def pbx(ctx: Ctx) -> Response:
    record: dict[str, Any] = ctx.extra["record"]
    record["authorized"] = True
    body = record["body"]
    if not isinstance(body, dict):
        status = f"{ctx.cfg.ko_prefix}: Invalid request: a JSON object is expected"
        record["resultStatus"] = status
        return json_response({"resultStatus": status})
    error, effect = check_action(ctx.sim.center, body, ctx.cfg.allow_codeless_pause)
    if error is not None:
        status = f"{ctx.cfg.ko_prefix}: {error}"
    else:
        status = "OK"
        if effect is not None:
            record["applied"] = ctx.sim.apply_later(effect)
    record["resultStatus"] = status
    return json_response({**body, "resultStatus": status})


def _queue_list(value: Any) -> list[str]:
    # The guide specifies an array but its examples also send a plain string.
    if isinstance(value, list):
        return [str(v) for v in value]
    return [q for q in QUEUE_SPLIT.split(str(value or "")) if q]


Effect = Callable[[float], None]


Outcome = tuple[str | None, Effect | None]  # the refusal text, or the change to come
AGENT_ACTIONS = ("login", "logout", "pause", "unpause", "join", "remove")


def _quiet(change: Effect) -> Effect:
    """The change, or nothing when the state has moved on before the PBX event "arrives"."""

    def run(t: float) -> None:
        with contextlib.suppress(ModelError):
            change(t)

    return run


def check_action(center: CallCenter, body: dict[str, Any], codeless: bool) -> Outcome:
    """Validate one pbx action: the refusal text, or the model change it will cause."""
    action = str(body.get("action", ""))
    if action in NO_EFFECT:
        return None, None
    if action in ("customdial", "softhangup", "transfer"):
        return _call_action(center, action, body)
    if action not in AGENT_ACTIONS:
        return f"Unknown action '{action}'", None
    agent = str(body.get("agent", ""))
    a = center.agents.get(agent.lower())
    if a is None:
        return f"Wrong agent code '{agent}'", None
    if action == "login":
        ext = str(body.get("extension", "")) or None

        def login(t: float) -> None:
            if not a.logged_on:  # Asterisk ignores adding a member twice
                center.logon(a.code, t, extension=ext)

        return None, _quiet(login)
    if not a.logged_on:
        return f"Agent: '{agent}' not logged on", None
    return _member_action(center, a, action, body, codeless)


def _call_action(center: CallCenter, action: str, body: dict[str, Any]) -> Outcome:
    if action == "customdial":
        # Hot-desking: QM looks up the agent's extension and refuses if it is not logged on.
        device = str(body.get("extension", ""))
        if device.lower().startswith("agent/"):
            member = center.agents.get(device.lower())
            if member is None or not member.logged_on:
                return f"Agent: '{device}' not logged on", None
        return None, None
    callid = str(body.get("callid", ""))
    if callid not in center.calls:
        return None, None  # queued to Asterisk all the same
    target = str(body.get("targetext", body.get("targettext", "")))
    if action == "transfer" and target in center.queues:
        return None, _quiet(lambda t: center.transfer_call(callid, target, t))
    return None, _quiet(lambda t: center.end_call(callid, t))


def _member_action(
    center: CallCenter, a: Agent, action: str, body: dict[str, Any], codeless: bool
) -> Outcome:
    """An action on a logged-on agent: logout, unpause, join, remove or pause."""
    if action == "logout":
        return None, _quiet(lambda t: center.logoff(a.code, t))
    if action == "unpause":
        return None, _quiet(lambda t: center.unpause(a.code, t))
    if action in ("join", "remove"):
        queues = _queue_list(body.get("queues"))
        unknown = [q for q in queues if q not in center.queues]
        if not queues or unknown:
            return f"Wrong queue(s): {' '.join(unknown) or '(none)'}", None
        if action == "join":
            return None, _quiet(lambda t: center.join(a.code, queues, t))
        return None, _quiet(lambda t: center.remove(a.code, queues))
    code = str(body.get("pause", "")).strip()
    if not code and not codeless:
        return "Please provide a valid pause reason", None
    if code and (code not in a.pause_codes or code not in PAUSE_CODES):
        spelled = str(body.get("agent", ""))  # as the request wrote it
        return f"Pause code '{code}' is not allowed for agent '{spelled}'", None
    return None, _quiet(lambda t: center.pause(a.code, code, t))


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
