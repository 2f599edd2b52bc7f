"""The directory in Redis: names of agents, queues and pause codes, as the leading poller last
learnt them, so that a new leader shows names at once and the web can tell a known agent from
an unknown one.

One JSON record: ``agents`` (code → name, group, location, supervisor), ``queues`` and
``pauses`` (code → name), and ``supervisors``: ``"ok"``, or ``"unavailable: <why>"`` when
QueueMetrics gave the agents but not their supervisors' logins.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from wallboard.model.derive import Directory
from wallboard.store.keys import Keys

SUPERVISORS_OK = "ok"


def supervisors_status(missing: str) -> str:
    """The record's ``supervisors`` value for why their logins are missing ("" if they are not)."""
    return f"unavailable: {missing}" if missing else SUPERVISORS_OK


class DirectoryStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.key = keys.directory

    async def save(self, directory: Directory, supervisors_missing: str = "") -> None:
        record = {
            "agents": directory.agents,
            "queues": directory.queues,
            "pauses": directory.pauses,
            "supervisors": supervisors_status(supervisors_missing),
        }
        await self.redis.set(self.key, json.dumps(record))

    async def _record(self) -> dict[str, Any] | None:
        raw = await self.redis.get(self.key)
        if not raw:
            return None
        record = json.loads(raw)
        return record if isinstance(record, dict) else None

    async def load(self) -> Directory | None:
        """The directory kept last, or None when there is none yet."""
        record = await self._record()
        if record is None:
            return None
        return Directory(
            agents=dict(record.get("agents", {})),
            queues=dict(record.get("queues", {})),
            pauses=dict(record.get("pauses", {})),
        )

    async def knows_agent(self, code: str) -> bool:
        """The agent is in QueueMetrics' configuration (as last learnt)."""
        record = await self._record()
        return record is not None and code in record.get("agents", {})

    async def supervisors(self) -> str | None:
        """``"ok"``, ``"unavailable: <why>"``, or None before any directory was kept."""
        record = await self._record()
        if record is None:
            return None
        return str(record.get("supervisors", SUPERVISORS_OK))
