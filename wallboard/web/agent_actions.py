"""Log on, log off, join and leave queues, text: the actions on an agent, over the checks and
the audit of ``ActionService``.

Each checks everything against the live floor this process shows before anything goes upstream:
the agent exists and is logged on (for log on: known to QueueMetrics' configuration and not
logged on), the queues are ones this wallboard watches, an extension can be dialled, a text
fits a phone's screen. ``only_supervised`` applies as to pause.
"""

from __future__ import annotations

from typing import Any

from wallboard.model.state import Agent
from wallboard.store.directory import DirectoryStore
from wallboard.web.actions import MAX_FIELD, ActionService
from wallboard.web.errors import Forbidden, Invalid
from wallboard.web.guard import Caller
from wallboard.web.identity import normalise_user
from wallboard.web.targets import dialable

MAX_TEXT = 160  # what a desk phone's text message shows


class AgentActions:
    def __init__(self, core: ActionService) -> None:
        self.core = core

    def _watched(self) -> set[str]:
        return {q.queue for q in self.core.floor().queues}

    def queues(self, value: Any) -> list[str]:
        """The queues asked for, each one this wallboard watches; ``Invalid`` otherwise."""
        if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
            raise Invalid('queues must be a list of queue codes such as ["300"]')
        queues = list(dict.fromkeys(q.strip() for q in value if q.strip()))
        if not queues:
            raise Invalid("choose at least one queue")
        if len(queues) > 100:
            raise Invalid("at most 100 queues at once")
        unwatched = [q for q in queues if q not in self._watched()]
        if unwatched:
            raise Invalid(f"queue(s) not watched by this wallboard: {', '.join(unwatched)}")
        return queues

    async def _not_logged_on(self, caller: Caller, code: Any) -> str:
        """The agent code of one known to QueueMetrics and not logged on now."""
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_FIELD:
            raise Invalid("agent must be an agent code such as agent/101")
        agent = str(code).strip().lower()
        if any(a.agent == agent for a in self.core.floor().agents):
            raise Invalid(f"agent {agent} is already logged on")
        directory = await DirectoryStore(self.core.redis, self.core.keys).load()
        known = directory.agents.get(agent) if directory else None
        if known is None:
            raise Invalid(f"unknown agent {agent}")
        supervisor = str(known.get("supervisor", ""))
        if self.core.restricted(caller) and normalise_user(supervisor) != caller.name:
            raise Forbidden(f"you do not supervise {agent}", "not-supervised")
        return agent

    async def _logged_on(self, caller: Caller, code: Any) -> Agent:
        await self.core.throttle(caller)
        agent = await self.core.agent(code)
        self.core.may_act_on(caller, agent)
        return agent

    async def login(self, caller: Caller, code: Any, extension: Any, queues: Any) -> Any:
        await self.core.throttle(caller)
        agent = await self._not_logged_on(caller, code)
        phone = dialable(extension, "extension")
        wanted = self.queues(queues)
        body = {
            "action": "login",
            "agent": agent,
            "extension": phone,
            "queues": wanted,
            "server": "",
        }
        reason = f"at {phone} on {', '.join(wanted)}"
        return await self.core.upstream(
            caller, "login", agent, reason, self.core.qm.pbx_action(body)
        )

    async def logout(self, caller: Caller, code: Any) -> Any:
        agent = await self._logged_on(caller, code)
        body = {
            "action": "logout",
            "agent": agent.agent,
            "extension": agent.extension,
            "server": agent.server,
        }
        call = self.core.qm.pbx_action(body)
        return await self.core.upstream(caller, "logout", agent.agent, "", call)

    async def members(self, caller: Caller, action: str, code: Any, queues: Any) -> Any:
        """``join`` or ``remove``: into queues the agent is not in, out of ones they are in."""
        agent = await self._logged_on(caller, code)
        wanted = self.queues(queues)
        if action == "join":
            wrong = [q for q in wanted if q in agent.queues]
            if wrong:
                raise Invalid(f"{agent.agent} is already in queue(s) {', '.join(wrong)}")
        else:
            wrong = [q for q in wanted if q not in agent.queues]
            if wrong:
                raise Invalid(f"{agent.agent} is not in queue(s) {', '.join(wrong)}")
        body = {
            "action": action,
            "agent": agent.agent,
            "extension": agent.extension,
            "queues": wanted,
            "server": agent.server,
        }
        call = self.core.qm.pbx_action(body)
        return await self.core.upstream(caller, action, agent.agent, " ".join(wanted), call)

    async def text(self, caller: Caller, code: Any, message: Any) -> Any:
        """A text on the agent's phone (Asterisk's SendText, to the agent's extension)."""
        agent = await self._logged_on(caller, code)
        if not isinstance(message, str) or not message.strip():
            raise Invalid("message is required")
        message = message.strip()
        if len(message) > MAX_TEXT:
            raise Invalid(f"message is longer than {MAX_TEXT} characters")
        if not message.isascii() or not message.isprintable():
            raise Invalid("a phone's text takes plain ASCII letters, digits and punctuation only")
        if not agent.extension:
            raise Invalid(f"{agent.agent} has no extension to send a text to")
        body = {
            "action": "sendtext",
            "agent": agent.agent,
            "extension": agent.extension,
            # The guide's parameter list says targetext, its every example targettext.
            "targetext": agent.extension,
            "targettext": agent.extension,
            "message": message,
            "server": agent.server,
        }
        call = self.core.qm.pbx_action(body)
        return await self.core.upstream(caller, "text", agent.agent, message, call)
