"""Names and teams on their own channel: fetched at start, refreshed every few minutes, kept in
Redis. A failure here never makes the live data stale; codes are shown until names come."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from wallboard.model.derive import Directory
from wallboard.model.state import Floor
from wallboard.pacing import pause
from wallboard.qm.client import QMClient
from wallboard.qm.errors import QMError
from wallboard.store.directory import DirectoryStore
from wallboard.store.keys import Keys

log = logging.getLogger("wallboard.poller")

# Targeted look-ups (a queue or pause code not yet named) per cycle: bounded, so a floor of new
# codes never turns into a burst of requests.
LOOKUPS_PER_CYCLE = 5


class DirectoryKeeper:
    def __init__(
        self,
        client: QMClient,
        redis: Redis,
        keys: Keys,
        *,
        refresh_s: float = 300.0,
        queue_names: dict[str, str] | None = None,
        supervisors_from: str = "users",
    ) -> None:
        self.supervisors_from = supervisors_from
        self.client = client
        self.store = DirectoryStore(redis, keys)
        self.refresh_s = refresh_s
        self.fixed_queue_names = queue_names or {}
        self.directory = Directory(queues=dict(self.fixed_queue_names))
        self.last_refresh = 0.0
        self.unnamed_queues: dict[str, str] = {}  # queue → an agent logged on to it
        self.unexplained_pauses: dict[str, str] = {}  # pause code → an agent paused with it
        self.failed: set[str] = set()
        self.supervisors_missing = ""  # why QueueMetrics gave no supervisors' logins, if so
        self.requests = 0
        # Set when names change, so the poller shows them without waiting for its next poll.
        self.changed = asyncio.Event()

    def notice(self, floor: Floor) -> None:
        """Remember codes the live data shows that have no name yet."""
        for agent in floor.agents:
            for queue in agent.queues:
                if queue not in self.directory.queues and queue not in self.failed:
                    self.unnamed_queues.setdefault(queue, agent.agent)
            code = agent.pause_code
            if code and code not in self.directory.pauses and f"p:{code}" not in self.failed:
                self.unexplained_pauses.setdefault(code, agent.agent)

    async def load(self) -> None:
        """What a previous leader learnt, so a takeover shows names at once."""
        stored = await self.store.load()
        if stored is not None:
            self.directory.agents.update(stored.agents)
            self.directory.queues.update(stored.queues)
            self.directory.pauses.update(stored.pauses)
            self.directory.queues.update(self.fixed_queue_names)

    async def save(self) -> None:
        await self.store.save(self.directory, self.supervisors_missing)

    async def cycle(self) -> bool:
        """One round on the configuration channel; ``True`` when something was learnt."""
        learnt = False
        if time.monotonic() - self.last_refresh >= self.refresh_s or not self.last_refresh:
            learnt |= await self._refresh_agents()
            # A periodic refresh also retries what failed before.
            self.failed.clear()
        budget = LOOKUPS_PER_CYCLE
        for queue, agent in list(self.unnamed_queues.items())[:budget]:
            budget -= 1
            del self.unnamed_queues[queue]
            learnt |= await self._lookup(
                queue, self.client.agent_queues(agent), self.directory.queues
            )
        for code, agent in list(self.unexplained_pauses.items())[: max(budget, 1)]:
            del self.unexplained_pauses[code]
            learnt |= await self._lookup_pauses(code, agent)
        if learnt:
            await self.save()
        return learnt

    async def _refresh_agents(self) -> bool:
        self.requests += 1
        try:
            roster = await self.client.agents(self.supervisors_from)
        except QMError as exc:
            log.warning("cannot read agent names (%s): %s", exc.kind, exc.message)
            self.last_refresh = time.monotonic() - self.refresh_s + 30  # retry in 30 s
            return False
        self.last_refresh = time.monotonic()
        fresh = {
            code: {
                "name": a.name,
                "group": a.group,
                "location": a.location,
                "supervisor": a.supervisor,
            }
            for code, a in roster.agents.items()
        }
        changed = fresh != self.directory.agents
        self.directory.agents.clear()
        self.directory.agents.update(fresh)
        return self._note_supervisors(roster.supervisors_missing) or changed

    def _note_supervisors(self, missing: str) -> bool:
        """Say once that supervisors' logins are missing (and once that they are back)."""
        if missing == self.supervisors_missing:
            return False
        if missing:
            log.warning("agent names kept, supervisors' logins unavailable: %s", missing)
        else:
            log.info("supervisors' logins are available again")
        self.supervisors_missing = missing
        return True

    async def _lookup(self, queue: str, call: Any, into: dict[str, str]) -> bool:
        self.requests += 1
        try:
            names: dict[str, str] = await call
        except QMError as exc:
            log.info("no name for queue %s (%s): %s", queue, exc.kind, exc.message)
            self.failed.add(queue)
            return False
        new = {q: n for q, n in names.items() if q not in self.fixed_queue_names}
        before = dict(into)
        into.update(new)
        if queue not in into:
            self.failed.add(queue)
        return into != before

    async def _lookup_pauses(self, code: str, agent: str) -> bool:
        self.requests += 1
        try:
            codes = await self.client.pause_codes(agent)
        except QMError as exc:
            log.info("no description for pause %s (%s): %s", code, exc.kind, exc.message)
            self.failed.add(f"p:{code}")
            return False
        before = dict(self.directory.pauses)
        self.directory.pauses.update({c: d for c, (d, _) in codes.items() if d})
        if code not in self.directory.pauses:
            self.failed.add(f"p:{code}")
        return self.directory.pauses != before

    async def run(self, stop: asyncio.Event, leading: asyncio.Event, period: float = 5.0) -> None:
        """While this poller leads: one configuration request at a time, never in the way of
        the real-time poll (it is a separate task and a separate request)."""
        loaded = False
        while not stop.is_set():
            if leading.is_set():
                try:
                    if not loaded:
                        await self.load()
                        loaded = True
                    if await self.cycle():
                        self.changed.set()
                except RedisError as exc:
                    log.warning("cannot keep names in Redis: %s", exc)
                await pause(stop, period)
            else:
                # A poller that becomes the leader reads the configuration at once: names, and
                # the agents a supervisor may log on, should not wait a period more.
                await pause(stop, period, leading)
