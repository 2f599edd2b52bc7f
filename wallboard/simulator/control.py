"""The simulator's own control and inspection API under /sim/ (loopback tooling, no auth).

Bodies and answers are JSON in the simulator's own terms: model times without QueueMetrics'
clock offset. Errors answer `{"error": "..."}` with 400 (bad input), 404 (unknown agent or
call) or 409 (does not fit the current state).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wallboard.simulator.callcenter import Agent, Call, ModelError
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


def control_routes(sim: Simulation) -> list[Route]:
    center = sim.center

    def route(path: str, method: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def wrap(fn: Callable[[Request, dict[str, Any]], Awaitable[Any]]) -> Callable[..., Any]:
            async def endpoint(request: Request) -> Response:
                sim.tick()
                try:
                    body = await _body(request)
                    result = await fn(request, body)
                except BadRequest as e:
                    return json_response({"error": str(e)}, e.status)
                except ModelError as e:
                    status = 404 if str(e).startswith("unknown") else 409
                    return json_response({"error": str(e)}, status)
                return json_response(result)

            routes.append(Route(path, endpoint, methods=[method]))
            return fn

        return wrap

    routes: list[Route] = []

    @route("/state", "GET")
    async def state(request: Request, body: dict[str, Any]) -> Any:
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

    @route("/finished", "GET")
    async def finished(request: Request, body: dict[str, Any]) -> Any:
        return [vars(f) for f in center.finished]

    @route("/auto", "POST")
    async def auto(request: Request, body: dict[str, Any]) -> Any:
        center.set_auto(_field(body, "enabled", bool))
        return {"auto": center.auto}

    @route("/agents/{code:path}", "POST")
    async def set_agent(request: Request, body: dict[str, Any]) -> Any:
        a = center.agent(request.path_params["code"])
        target = body.get("state")
        if target is not None and target not in AGENT_STATES:
            raise BadRequest(f"state must be one of {list(AGENT_STATES)}")
        queues = body.get("queues")
        if queues is not None and (
            not isinstance(queues, list) or any(q not in center.queues for q in queues)
        ):
            raise BadRequest("queues must be a list of known queue codes")
        extension = body.get("extension")
        if target == "logged_off":
            if a.logged_on:
                center.logoff(a.code)
        elif target is not None or queues is not None:
            if not a.logged_on:
                center.logon(a.code, queues=queues, extension=extension)
            elif queues is not None:
                center.remove(a.code, [q for q in a.logged_queues if q not in queues])
                center.join(a.code, queues)
            if target == "paused":
                code = str(body.get("pause_code", ""))
                center.pause(a.code, code)
            elif target == "available":
                center.unpause(a.code)
        return agent_json(a, center.time)

    @route("/calls", "POST")
    async def add_call(request: Request, body: dict[str, Any]) -> Any:
        queue = _field(body, "queue", str)
        if queue not in center.queues:
            raise BadRequest(f"unknown queue '{queue}'", 404)
        entered = body.get("entered")  # back-dated calls, e.g. one whose end event got lost
        if entered is not None and (
            isinstance(entered, bool)
            or not isinstance(entered, int | float)
            or entered > center.time
        ):
            raise BadRequest("'entered' must be a simulated time not in the future")
        callid = center.add_call(queue, entered, caller=body.get("caller"), dnis=body.get("dnis"))
        return {"callid": callid}

    @route("/calls/{callid}/answer", "POST")
    async def answer(request: Request, body: dict[str, Any]) -> Any:
        callid = request.path_params["callid"]
        center.answer_call(callid, _field(body, "agent", str))
        return call_json(center.call(callid))

    @route("/calls/{callid}", "DELETE")
    async def hangup(request: Request, body: dict[str, Any]) -> Any:
        center.end_call(request.path_params["callid"])
        return {"ended": request.path_params["callid"]}

    @route("/requests", "GET")
    async def requests(request: Request, body: dict[str, Any]) -> Any:
        return sim.requests.describe()

    @route("/requests/reset", "POST")
    async def reset_requests(request: Request, body: dict[str, Any]) -> Any:
        sim.requests.reset()
        return sim.requests.describe()

    @route("/actions", "GET")
    async def actions(request: Request, body: dict[str, Any]) -> Any:
        return sim.actions

    @route("/actions", "DELETE")
    async def clear_actions(request: Request, body: dict[str, Any]) -> Any:
        sim.actions.clear()
        return []

    @route("/broadcasts", "GET")
    async def broadcasts(request: Request, body: dict[str, Any]) -> Any:
        return sim.broadcasts

    @route("/broadcasts", "DELETE")
    async def clear_broadcasts(request: Request, body: dict[str, Any]) -> Any:
        sim.broadcasts.clear()
        return []

    def faults_json() -> dict[str, Any]:
        return {"faults": sim.faults.describe(), "config": sim.config.knobs()}

    @route("/faults", "GET")
    async def get_faults(request: Request, body: dict[str, Any]) -> Any:
        return faults_json()

    @route("/faults", "POST")
    async def add_fault(request: Request, body: dict[str, Any]) -> Any:
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
        return faults_json()

    @route("/faults", "DELETE")
    async def clear_faults(request: Request, body: dict[str, Any]) -> Any:
        sim.reset_faults()
        return faults_json()

    @route("/clock", "POST")
    async def clock(request: Request, body: dict[str, Any]) -> Any:
        try:
            if "offset_s" in body:
                sim.reconfigure({"clock_offset_s": body["offset_s"]})
            if "speed" in body:
                sim.set_speed(_positive(body, "speed"))
            if "advance_s" in body:
                sim.jump(_positive(body, "advance_s"))
        except ValueError as e:
            raise BadRequest(str(e)) from None
        return {"now": center.time, "clock_offset_s": sim.config.clock_offset_s, "speed": sim.speed}

    return routes


async def _body(request: Request) -> dict[str, Any]:
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
