"""Hang up, transfer, listen: the actions on a live call, over the checks and the audit of
``ActionService``.

The call must be on the live floor this process shows; the agent and extension QueueMetrics
wants are taken from it (the agent who has the call), never from the request. A target must be
dialable (``targets``). With ``only_supervised``, a supervisor without the master key acts only
on the calls of agents they supervise.
"""

from __future__ import annotations

from typing import Any

from wallboard.model.state import Agent, Call
from wallboard.web.actions import MAX_FIELD, ActionService
from wallboard.web.errors import Forbidden, Invalid
from wallboard.web.guard import Caller
from wallboard.web.targets import dialable


class CallActions:
    def __init__(self, core: ActionService) -> None:
        self.core = core

    def call(self, callid: Any) -> tuple[Call, Agent | None]:
        """The live call and the agent on it (none while it waits); ``Invalid`` if gone."""
        if not isinstance(callid, str) or not callid.strip() or len(callid) > MAX_FIELD:
            raise Invalid("callid must be the id of a live call")
        floor = self.core.floor()
        found = next((c for c in floor.calls if c.callid == callid.strip()), None)
        if found is None:
            raise Invalid(f"no live call {callid.strip()} (it may have ended)")
        agent = next((a for a in floor.agents if found.agent and a.agent == found.agent), None)
        return found, agent

    async def _checked(self, caller: Caller, callid: Any) -> tuple[Call, Agent | None]:
        await self.core.throttle(caller)
        call, agent = self.call(callid)
        if self.core.restricted(caller):
            if agent is None:
                raise Forbidden("you may act only on your own agents' calls", "not-supervised")
            self.core.may_act_on(caller, agent)
        return call, agent

    @staticmethod
    def _body(action: str, call: Call, agent: Agent | None, **extra: str) -> dict[str, Any]:
        return {
            "action": action,
            "callid": call.callid,
            "agent": agent.agent if agent else "",
            "extension": agent.extension if agent else "",
            **extra,
            "server": agent.server if agent else "",
        }

    @staticmethod
    def _targets(target: str) -> dict[str, str]:
        # The guide's parameter list says targetext, its every example targettext: send both.
        return {"targetext": target, "targettext": target}

    async def hangup(self, caller: Caller, callid: Any) -> Any:
        call, agent = await self._checked(caller, callid)
        body = self._body("softhangup", call, agent)
        sent = self.core.qm.pbx_action(body)
        return await self.core.upstream(caller, "hangup", call.callid, call.queue, sent)

    async def transfer(self, caller: Caller, callid: Any, target: Any) -> Any:
        call, agent = await self._checked(caller, callid)
        to = dialable(target)
        body = self._body("transfer", call, agent, **self._targets(to))
        sent = self.core.qm.pbx_action(body)
        return await self.core.upstream(caller, "transfer", call.callid, f"to {to}", sent)

    async def listen(self, caller: Caller, callid: Any, phone: Any) -> Any:
        """The supervisor's phone rings and listens in (``inboundmonitor``): the agent's
        channel is the one listened to, the target the phone that rings."""
        call, agent = await self._checked(caller, callid)
        if agent is None or call.state == "waiting":
            raise Invalid(f"call {call.callid} is not answered yet: there is nobody to listen to")
        to = dialable(phone, "your phone")
        body = self._body("inboundmonitor", call, agent, **self._targets(to))
        sent = self.core.qm.pbx_action(body)
        return await self.core.upstream(caller, "listen", call.callid, f"on {to}", sent)
