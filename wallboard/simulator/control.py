"""The simulator's own control and inspection API under /sim/ (loopback tooling, no auth).

Bodies and answers are JSON in the simulator's own terms: model times without QueueMetrics'
clock offset. Errors answer `{"error": "..."}` with 400 (bad input), 404 (unknown agent or
call) or 409 (does not fit the current state).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute

from wallboard.simulator.callcenter import Agent, Call, CallCenter, ModelError
from wallboard.simulator.deps import TickedSim
from wallboard.simulator.faults import parse_fault
from wallboard.simulator.gateway import json_response
from wallboard.simulator.simulation import Simulation

AGENT_STATES = ("available", "paused", "logged_off")


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def agent_json(a: Agent, now: float) -> dict[str, Any]:
    return {
        "agent": a.code,
        "name": a.name,
        "group": a.group,
        "location": a.location,
        "supervisor": a.supervisor,
        "extension": a.extension,
        "queues": a.queues,
        "pause_codes": a.pause_codes,
        "state": a.state(now),
        "logged_queues": a.logged_queues,
        "terminal": a.terminal,
        "pause_code": a.pause_code,
        "logon": a.logon,
        "pause_start": a.pause_start,
        "free_since": a.free_since,
        "status_since": a.status_since,
        "call": a.call,
        "ringing": a.ringing,
    }


def call_json(c: Call) -> dict[str, Any]:
    return {
        "callid": c.callid,
        "queue": c.queue,
        "state": c.state(),
        "entered": c.entered,
        "answered": c.answered,
        "agent": c.agent,
        "ringing": c.ringing,
        "caller": c.caller,
        "dnis": c.dnis,
        "stint": c.stint,
    }


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; an empty body is an empty object."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if not isinstance(value, kind):
        raise BadRequest(f"'{name}' must be a {kind.__name__}")
    return value


def _positive(body: dict[str, Any], name: str) -> float:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"'{name}' must be a number >= 0")
    return float(value)


class ControlRoute(APIRoute):
    """A /sim/ route: a refused request answers ``{"error": ...}`` with its status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except BadRequest as e:
                return json_response({"error": str(e)}, e.status)
            except ModelError as e:
                status = 404 if str(e).startswith("unknown") else 409
                return json_response({"error": str(e)}, status)

        return answer


router = APIRouter(route_class=ControlRoute)
JsonBody = Annotated[dict[str, Any], Depends(json_body)]


@router.get("/state")
async def state(sim: TickedSim) -> dict[str, Any]:
    center = sim.center
    now = center.time
    return {
        "now": now,
        "qm_now": now + sim.config.clock_offset_s,
        "clock_offset_s": sim.config.clock_offset_s,
        "speed": sim.speed,
        "auto": center.auto,
        "queues": [
            {
                "queue": q.code,
                "name": q.name,
                "arrival_rate": q.arrival_rate,
                "wrapup_s": q.wrapup_s,
                "dnis": q.dnis,
            }
            for q in center.queues.values()
        ],
        "agents": [agent_json(a, now) for a in center.agents.values()],
        "calls": [call_json(c) for c in center.calls.values()],
        "finished_today": len(center.finished),
    }


@router.get("/finished")
async def finished(sim: TickedSim) -> list[dict[str, Any]]:
    return [vars(f) for f in sim.center.finished]


@router.post("/auto")
async def auto(sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    sim.center.set_auto(_field(body, "enabled", bool))
    return {"auto": sim.center.auto}


@router.post("/agents/{code:path}")
async def set_agent(code: str, sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    center = sim.center
    a = center.agent(code)
    target = body.get("state")
    if target is not None and target not in AGENT_STATES:
        raise BadRequest(f"state must be one of {list(AGENT_STATES)}")
    queues = body.get("queues")
    if queues is not None and (
        not isinstance(queues, list) or any(q not in center.queues for q in queues)
    ):
        raise BadRequest("queues must be a list of known queue codes")
    if target == "logged_off":
        if a.logged_on:
            center.logoff(a.code)
    elif target is not None or queues is not None:
        _log_on_to(center, a, queues, body.get("extension"))
        if target == "paused":
            center.pause(a.code, str(body.get("pause_code", "")))
        elif target == "available":
            center.unpause(a.code)
    return agent_json(a, center.time)


def _log_on_to(center: CallCenter, a: Agent, queues: list[str] | None, extension: Any) -> None:
    """Log the agent on, or move a logged-on agent to exactly these queues."""
    if not a.logged_on:
        center.logon(a.code, queues=queues, extension=extension)
    elif queues is not None:
        center.remove(a.code, [q for q in a.logged_queues if q not in queues])
        center.join(a.code, queues)


@router.post("/users/{login}")
async def set_user(login: str, sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    """Disable a user or change their keys, as an administrator would in QueueMetrics."""
    user = sim.config.user(login)
    if user is None:
        raise BadRequest("unknown user", 404)
    if "enabled" in body:
        user.enabled = _field(body, "enabled", bool)
    if "keys" in body:
        user.keys = _field(body, "keys", str)
    return {"login": user.login, "enabled": user.enabled, "keys": user.keys}


@router.post("/calls")
async def add_call(sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    center = sim.center
    queue = _field(body, "queue", str)
    if queue not in center.queues:
        raise BadRequest(f"unknown queue '{queue}'", 404)
    entered = body.get("entered")  # back-dated calls, e.g. one whose end event got lost
    if entered is not None and (
        isinstance(entered, bool) or not isinstance(entered, int | float) or entered > center.time
    ):
        raise BadRequest("'entered' must be a simulated time not in the future")
    callid = center.add_call(queue, entered, caller=body.get("caller"), dnis=body.get("dnis"))
    return {"callid": callid}


@router.post("/calls/{callid}/answer")
async def answer(callid: str, sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    sim.center.answer_call(callid, _field(body, "agent", str))
    return call_json(sim.center.call(callid))


@router.delete("/calls/{callid}")
async def hangup(callid: str, sim: TickedSim) -> dict[str, Any]:
    sim.center.end_call(callid)
    return {"ended": callid}


@router.get("/requests")
async def requests(sim: TickedSim) -> dict[str, Any]:
    return sim.requests.describe()


@router.post("/requests/reset")
async def reset_requests(sim: TickedSim) -> dict[str, Any]:
    sim.requests.reset()
    return sim.requests.describe()


@router.get("/actions")
async def actions(sim: TickedSim) -> list[dict[str, Any]]:
    return sim.actions


@router.delete("/actions")
async def clear_actions(sim: TickedSim) -> list[dict[str, Any]]:
    sim.actions.clear()
    return []


@router.get("/phones")
async def phones(sim: TickedSim) -> list[dict[str, Any]]:
    """What the desk phones showed: texts received, supervisors' phones listening in."""
    return list(sim.center.phones)


@router.get("/broadcasts")
async def broadcasts(sim: TickedSim) -> list[dict[str, Any]]:
    return sim.broadcasts


@router.delete("/broadcasts")
async def clear_broadcasts(sim: TickedSim) -> list[dict[str, Any]]:
    sim.broadcasts.clear()
    return []


def faults_json(sim: Simulation) -> dict[str, Any]:
    return {"faults": sim.faults.describe(), "config": sim.config.knobs()}


@router.get("/faults")
async def get_faults(sim: TickedSim) -> dict[str, Any]:
    return faults_json(sim)


@router.post("/faults")
async def add_fault(sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    try:
        fault = parse_fault(body) if "mode" in body else None
        if "config" in body:
            if not isinstance(body["config"], dict):
                raise ValueError("config must be an object of knobs")
            sim.reconfigure(body["config"])
    except ValueError as e:
        raise BadRequest(str(e)) from None
    if fault is not None:
        sim.faults.add(fault)
    return faults_json(sim)


@router.delete("/faults")
async def clear_faults(sim: TickedSim) -> dict[str, Any]:
    sim.reset_faults()
    return faults_json(sim)


@router.post("/clock")
async def clock(sim: TickedSim, body: JsonBody) -> dict[str, Any]:
    try:
        if "offset_s" in body:
            sim.reconfigure({"clock_offset_s": body["offset_s"]})
        if "speed" in body:
            sim.set_speed(_positive(body, "speed"))
        if "advance_s" in body:
            sim.jump(_positive(body, "advance_s"))
    except ValueError as e:
        raise BadRequest(str(e)) from None
    return {"now": sim.center.time, "clock_offset_s": sim.config.clock_offset_s, "speed": sim.speed}
