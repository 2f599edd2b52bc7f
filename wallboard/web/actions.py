"""Pause, unpause, broadcast: the one service layer behind the JSON API and the pages' buttons.

Every check passes before anything goes upstream: the caller's key, their rate limit, then the
input against the live snapshot and QueueMetrics' own rules (the pause codes it allows for that
agent). Only then is the action sent, with the robot login, and written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from wallboard import metrics
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMActionRefused, QMError
from wallboard.store.audit import AuditLog
from wallboard.store.directory import DirectoryStore
from wallboard.store.keys import Keys
from wallboard.store.messages import BoardMessages
from wallboard.store.snapshot import SnapshotStore
from wallboard.web.guard import ApiError, Caller, Guard, RateLimiter

MAX_FIELD = 100


@dataclass(frozen=True)
class Policy:
    key_pause: str = "RT_PAUSEAGENT"
    key_unpause: str = "RT_UNPAUSEAGENT"
    key_broadcast: str = "BRO_MSG"
    only_supervised: bool = False
    broadcast_max_length: int = 500
    message_ttl_s: float = 600.0
    actions_per_minute: int = 30
    pause_codes_cache_s: int = 300


def invalid(message: str) -> ApiError:
    return ApiError(422, "invalid", message)


class ActionService:
    def __init__(
        self,
        qm: QMClient,
        redis: Redis,
        keys: Keys,
        store: SnapshotStore,
        audit: AuditLog,
        messages: BoardMessages,
        policy: Policy,
    ) -> None:
        self.qm = qm
        self.redis = redis
        self.keys = keys
        self.store = store
        self.audit = audit
        self.messages = messages
        self.policy = policy
        self.limits = RateLimiter(redis, keys)

    async def _record(self, *, user: str, action: str, result: str, **details: Any) -> None:
        """On record: the audit log, and the actions counter of /metrics."""
        metrics.ACTIONS.labels(action=action, result=result).inc()
        await self.audit.append(user=user, action=action, result=result, **details)

    async def _throttle(self, caller: Caller) -> None:
        count = await self.limits.hit("actions", caller.user.lower(), 60)
        if count > self.policy.actions_per_minute:
            raise ApiError(429, "rate-limited", "too many actions; wait a minute")

    async def agent(self, code: str) -> dict[str, Any]:
        """The agent as the live data shows it: 422 when unknown or not logged on."""
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_FIELD:
            raise invalid("agent must be an agent code such as agent/101")
        code = code.strip().lower()
        stored = await self.store.snapshot()
        agents = {a["agent"]: a for a in (stored[1]["agents"] if stored else [])}
        if code in agents:
            return agents[code]
        if await DirectoryStore(self.redis, self.keys).knows_agent(code):
            raise invalid(f"agent {code} is not logged on")
        raise invalid(f"unknown agent {code}")

    def _may_act_on(self, caller: Caller, agent: dict[str, Any]) -> None:
        supervised = agent.get("supervisor", "").lower() == caller.user.lower()
        if self.policy.only_supervised and not caller.info.master and not supervised:
            raise ApiError(403, "not-supervised", f"you do not supervise {agent['agent']}")

    async def pause_codes(self, agent: str) -> dict[str, tuple[str, str]]:
        """The codes QueueMetrics allows for this agent, cached in Redis."""
        key = self.keys.pause_codes(agent)
        cached = await self.redis.get(key)
        if cached:
            return {c: (d, t) for c, (d, t) in json.loads(cached).items()}
        try:
            codes = await self.qm.pause_codes(agent)
        except QMError as exc:
            raise ApiError(
                503, "qm-unavailable", f"cannot read pause codes: {exc.message}"
            ) from None
        await self.redis.set(key, json.dumps(codes), ex=self.policy.pause_codes_cache_s)
        return codes

    async def _upstream(
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
            raise ApiError(
                502, "refused" if refused else "upstream", f"{why}: {exc.message}"
            ) from None
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
        Guard.require(caller, self.policy.key_pause)
        await self._throttle(caller)
        agent = await self.agent(agent_code)
        self._may_act_on(caller, agent)
        if not isinstance(pause_code, str) or not pause_code.strip():
            raise invalid("pause_code is required: the reason for the pause")
        allowed = await self.pause_codes(agent["agent"])
        if pause_code not in allowed:
            choices = ", ".join(f"{c} ({d})" for c, (d, _) in sorted(allowed.items())) or "none"
            raise invalid(
                f"pause code {pause_code!r} is not allowed for {agent['agent']}; allowed: {choices}"
            )
        body = {
            "action": "pause",
            "agent": agent["agent"],
            "extension": agent["extension"],
            "pause": pause_code,
            "server": agent["server"],
        }
        reason = f"{pause_code} {allowed[pause_code][0]}".strip()
        call = self.qm.pbx_action(body)
        return dict(await self._upstream(caller, "pause", agent["agent"], reason, call))

    async def unpause(self, caller: Caller, agent_code: Any) -> dict[str, Any]:
        Guard.require(caller, self.policy.key_unpause)
        await self._throttle(caller)
        agent = await self.agent(agent_code)
        self._may_act_on(caller, agent)
        if agent["state"] != "paused" and not agent.get("pause_code"):
            raise invalid(f"agent {agent['agent']} is not paused")
        body = {
            "action": "unpause",
            "agent": agent["agent"],
            "extension": agent["extension"],
            "server": agent["server"],
        }
        call = self.qm.pbx_action(body)
        return dict(await self._upstream(caller, "unpause", agent["agent"], "", call))

    async def broadcast(self, caller: Caller, fields: dict[str, Any]) -> dict[str, Any]:
        Guard.require(caller, self.policy.key_broadcast)
        await self._throttle(caller)
        text = fields.get("text")
        if not isinstance(text, str) or not text.strip():
            raise invalid("text is required")
        text = text.strip()
        if len(text) > self.policy.broadcast_max_length:
            raise invalid(f"text is longer than {self.policy.broadcast_max_length} characters")
        targets = {}
        for name in ("queue", "location", "supervisor", "agent"):
            value = fields.get(name) or ""
            if not isinstance(value, str) or len(value) > MAX_FIELD:
                raise invalid(f"{name} must be text of at most {MAX_FIELD} characters")
            targets[name] = value.strip()
        everyone = fields.get("everyone", False)
        if not isinstance(everyone, bool):
            raise invalid("everyone must be true or false")
        if not everyone and not any(targets.values()):
            raise invalid(
                "choose who receives it: everyone, a queue, a location, a supervisor or an agent"
            )
        if targets["agent"]:
            targets["agent"] = (await self.agent(targets["agent"]))["agent"]
        params = {**targets, **({"everyone": "1"} if everyone else {})}
        target = "everyone" if everyone else ", ".join(f"{k}={v}" for k, v in targets.items() if v)
        call = self.qm.broadcast(text, **params)
        answer = await self._upstream(caller, "broadcast", target, text, call)
        if everyone or (targets["queue"] and not targets["agent"]):
            await self.messages.add(
                text,
                "" if everyone else targets["queue"],
                caller.info.full_name or caller.user,
                self.policy.message_ttl_s,
            )
        return answer
