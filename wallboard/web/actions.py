"""Pause, unpause, broadcast: the one service layer behind the JSON API and the pages' buttons.

The caller arrives with the key of the action already checked (``deps``). Then every check
passes before anything goes upstream: their rate limit, then the input against the live floor
this process shows and QueueMetrics' own rules (the pause codes it allows for that agent). Only
then is the action sent, with the robot login, and written to the audit log. Failures are the
service's own errors (``wallboard.web.errors``); the edge picks the HTTP status.

With ``only_supervised``, a supervisor without the master key acts only on the agents whose
supervisor they are, and messages only those agents, themselves as supervisor (their team)
or a location where one of those agents is; never everyone nor a whole queue.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from wallboard import metrics
from wallboard.model.state import Agent, Floor
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMActionRefused, QMError
from wallboard.store.audit import AuditLog
from wallboard.store.directory import DirectoryStore
from wallboard.store.keys import Keys
from wallboard.store.messages import BoardMessages
from wallboard.web.errors import Forbidden, Invalid, RateLimited, Refused, Unavailable
from wallboard.web.guard import Caller
from wallboard.web.identity import normalise_user
from wallboard.web.limits import Counters

MAX_FIELD = 100
TARGETS = ("queue", "location", "supervisor", "agent")


@dataclass(frozen=True)
class Policy:
    only_supervised: bool = False
    broadcast_max_length: int = 500
    message_ttl_s: float = 600.0
    actions_per_minute: int = 30
    pause_codes_cache_s: int = 300


class ActionService:
    def __init__(
        self,
        qm: QMClient,
        redis: Redis,
        keys: Keys,
        floor: Callable[[], Floor],
        audit: AuditLog,
        messages: BoardMessages,
        policy: Policy,
    ) -> None:
        self.qm = qm
        self.redis = redis
        self.keys = keys
        self.floor = floor  # the live floor of this process, as its pages show it
        self.audit = audit
        self.messages = messages
        self.policy = policy
        self.counters = Counters(redis, keys)

    async def _record(self, *, user: str, action: str, result: str, **details: Any) -> None:
        """On record: the audit log, and the actions counter of /metrics."""
        metrics.ACTIONS.labels(action=action, result=result).inc()
        await self.audit.append(user=user, action=action, result=result, **details)

    async def throttle(self, caller: Caller) -> None:
        count = await self.counters.hit("actions", caller.name, 60)
        if count > self.policy.actions_per_minute:
            raise RateLimited("too many actions; wait a minute")

    async def agent(self, code: Any) -> Agent:
        """The agent as the live floor shows it; ``Invalid`` when unknown or not logged on."""
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_FIELD:
            raise Invalid("agent must be an agent code such as agent/101")
        code = code.strip().lower()
        found = next((a for a in self.floor().agents if a.agent == code), None)
        if found is not None:
            return found
        if await DirectoryStore(self.redis, self.keys).knows_agent(code):
            raise Invalid(f"agent {code} is not logged on")
        raise Invalid(f"unknown agent {code}")

    def restricted(self, caller: Caller) -> bool:
        return self.policy.only_supervised and not caller.info.master

    def may_act_on(self, caller: Caller, agent: Agent) -> None:
        if self.restricted(caller) and normalise_user(agent.supervisor) != caller.name:
            raise Forbidden(f"you do not supervise {agent.agent}", "not-supervised")

    def _may_message(self, caller: Caller, targets: dict[str, str], everyone: bool) -> None:
        if not self.restricted(caller):
            return
        refuse = Forbidden("you may message only your own agents and teams", "not-supervised")
        if everyone or targets["queue"]:
            raise refuse
        if targets["supervisor"] and normalise_user(targets["supervisor"]) != caller.name:
            raise refuse
        mine = [a for a in self.floor().agents if normalise_user(a.supervisor) == caller.name]
        if targets["location"] and targets["location"] not in {a.location for a in mine}:
            raise refuse

    async def pause_codes(self, agent: str) -> dict[str, tuple[str, str]]:
        """The codes QueueMetrics allows for this agent, cached in Redis."""
        key = self.keys.pause_codes(agent)
        cached = await self.redis.get(key)
        if cached:
            return {c: (d, t) for c, (d, t) in json.loads(cached).items()}
        try:
            codes = await self.qm.pause_codes(agent)
        except QMError as exc:
            raise Unavailable(f"cannot read pause codes: {exc.message}", "qm-unavailable") from None
        await self.redis.set(key, json.dumps(codes), ex=self.policy.pause_codes_cache_s)
        return codes

    async def upstream(
        self, caller: Caller, what: str, target: str, reason: str, call: Awaitable[Any]
    ) -> Any:
        """Send it (every check has passed), and put the outcome on record either way."""
        try:
            answer = await call
        except QMError as exc:
            refused = isinstance(exc, QMActionRefused)
            await self._record(
                user=caller.user,
                action=what,
                target=target,
                reason=reason,
                result="refused" if refused else "error",
                answer=exc.message,
            )
            why = "QueueMetrics refused" if refused else "QueueMetrics could not be reached"
            code = "refused" if refused else "upstream"
            raise Refused(f"{why}: {exc.message}", code) from None
        status = answer.get("resultStatus", "sent") if isinstance(answer, dict) else "sent"
        await self._record(
            user=caller.user,
            action=what,
            target=target,
            reason=reason,
            result="ok",
            answer=str(status),
        )
        return answer

    async def pause(self, caller: Caller, agent_code: Any, pause_code: Any) -> dict[str, Any]:
        await self.throttle(caller)
        agent = await self.agent(agent_code)
        self.may_act_on(caller, agent)
        if not isinstance(pause_code, str) or not pause_code.strip():
            raise Invalid("pause_code is required: the reason for the pause")
        allowed = await self.pause_codes(agent.agent)
        if pause_code not in allowed:
            choices = ", ".join(f"{c} ({d})" for c, (d, _) in sorted(allowed.items())) or "none"
            raise Invalid(
                f"pause code {pause_code!r} is not allowed for {agent.agent}; allowed: {choices}"
            )
        body = {
            "action": "pause",
            "agent": agent.agent,
            "extension": agent.extension,
            "pause": pause_code,
            "server": agent.server,
        }
        reason = f"{pause_code} {allowed[pause_code][0]}".strip()
        call = self.qm.pbx_action(body)
        return dict(await self.upstream(caller, "pause", agent.agent, reason, call))

    async def unpause(self, caller: Caller, agent_code: Any) -> dict[str, Any]:
        await self.throttle(caller)
        agent = await self.agent(agent_code)
        self.may_act_on(caller, agent)
        if agent.state != "paused" and not agent.pause_code:
            raise Invalid(f"agent {agent.agent} is not paused")
        body = {
            "action": "unpause",
            "agent": agent.agent,
            "extension": agent.extension,
            "server": agent.server,
        }
        call = self.qm.pbx_action(body)
        return dict(await self.upstream(caller, "unpause", agent.agent, "", call))

    def _message(self, fields: dict[str, Any]) -> tuple[str, dict[str, str], bool]:
        """Text, targets and ``everyone`` of a broadcast, checked; ``Invalid`` otherwise."""
        text = fields.get("text")
        if not isinstance(text, str) or not text.strip():
            raise Invalid("text is required")
        text = text.strip()
        if len(text) > self.policy.broadcast_max_length:
            raise Invalid(f"text is longer than {self.policy.broadcast_max_length} characters")
        targets = {}
        for name in TARGETS:
            value = fields.get(name) or ""
            if not isinstance(value, str) or len(value) > MAX_FIELD:
                raise Invalid(f"{name} must be text of at most {MAX_FIELD} characters")
            targets[name] = value.strip()
        everyone = fields.get("everyone", False)
        if not isinstance(everyone, bool):
            raise Invalid("everyone must be true or false")
        if not everyone and not any(targets.values()):
            raise Invalid(
                "choose who receives it: everyone, a queue, a location, a supervisor or an agent"
            )
        return text, targets, everyone

    async def broadcast(self, caller: Caller, fields: dict[str, Any]) -> Any:
        await self.throttle(caller)
        text, targets, everyone = self._message(fields)
        if targets["agent"]:
            agent = await self.agent(targets["agent"])
            self.may_act_on(caller, agent)
            targets["agent"] = agent.agent
        self._may_message(caller, targets, everyone)
        params = {**targets, **({"everyone": "1"} if everyone else {})}
        target = "everyone" if everyone else ", ".join(f"{k}={v}" for k, v in targets.items() if v)
        call = self.qm.broadcast(text, **params)
        answer = await self.upstream(caller, "broadcast", target, text, call)
        if everyone or (targets["queue"] and not targets["agent"]):
            await self.messages.add(
                text,
                "" if everyone else targets["queue"],
                caller.info.full_name or caller.user,
                self.policy.message_ttl_s,
            )
        return answer
