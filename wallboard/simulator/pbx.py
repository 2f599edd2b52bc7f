"""QueueMetrics' PBX actions (`qm_jsonsvc_do_pbxactions.do`): each body checked as QueueMetrics
would, and an accepted action's effect on the floor scheduled for when the PBX's event would
arrive (OK only means the action was queued to the PBX)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from wallboard.simulator.callcenter import PAUSE_CODES, Agent, CallCenter, ModelError
from wallboard.simulator.gateway import QUEUE_SPLIT, Ctx, json_response

NO_EFFECT = frozenset({"calloutcome", "addfeature", "remfeature", "outboundmonitor"})
PHONE_ACTIONS = ("sendtext", "inboundmonitor")


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
    if action in PHONE_ACTIONS:
        return _phone_action(center, action, body)
    if action not in AGENT_ACTIONS:
        return f"Unknown action '{action}'", None
    agent = str(body.get("agent", ""))
    a = center.agents.get(agent.lower())
    if a is None:
        return f"Wrong agent code '{agent}'", None
    if action == "login":
        ext = str(body.get("extension", "")) or None
        queues = _queue_list(body.get("queues")) or None
        unknown = [q for q in queues or () if q not in center.queues]
        if unknown:
            return f"Wrong queue(s): {' '.join(unknown)}", None

        def login(t: float) -> None:
            if not a.logged_on:  # Asterisk ignores adding a member twice
                center.logon(a.code, t, queues=queues, extension=ext)

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


def _target(body: dict[str, Any]) -> str:
    # The guide's parameter list spells it targetext, its examples targettext.
    return str(body.get("targetext") or body.get("targettext") or "")


def _phone_action(center: CallCenter, action: str, body: dict[str, Any]) -> Outcome:
    """A text to a phone, or a phone that rings and listens in: what the phone shows."""
    target = _target(body)
    if not target:
        return "Missing target extension", None
    if action == "sendtext":
        message = str(body.get("message", ""))
        if not message:
            return "Missing message", None
        entry = {"kind": "text", "phone": target, "message": message}
    else:
        callid = str(body.get("callid", ""))
        call = center.calls.get(callid)
        if call is None or not call.answered:
            return f"No active call '{callid}' to monitor", None
        entry = {"kind": "listen", "phone": target, "callid": callid, "agent": call.agent}

    def ring(t: float) -> None:
        center.phones.append({**entry, "at": t})

    return None, ring
