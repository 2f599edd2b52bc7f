"""The snapshot and the change stream in Redis.

Layout (all under the prefix):
- ``snapshot``: a hash ``{version, state}``: the floor (model.state) as JSON, and the id of the
  stream entry that produced it;
- ``changes``: a stream of entries, each either ``d`` = a delta (model.diff) or ``r`` = 1, a
  reset after which readers reload the snapshot;
- ``meta``: JSON rewritten at every poll: ``fetched_at``, ``stale``, ``error``,
  ``qm_clock_offset``, ``epoch``.

The poller writes through one Lua script, so a write happens only while its lease holds, and the
snapshot and the stream never disagree. A delta extends the version its writer last wrote or
read; when Redis holds another one (a failover lost the last writes, or a write that seemed to
fail was done) the write becomes a reset, so that readers never apply a delta to the wrong base.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from wallboard.model.diff import Delta
from wallboard.model.state import Floor, decode_floor, encode
from wallboard.store.keys import Keys

_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
local id = ''
local base = redis.call('HGET', KEYS[2], 'version')
if ARGV[6] == '1' or not base or (ARGV[7] ~= '' and base ~= ARGV[7]) then
  id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'r', '1')
  redis.call('HSET', KEYS[2], 'version', id, 'state', ARGV[2])
elseif ARGV[3] ~= '' then
  id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'd', ARGV[3])
  redis.call('HSET', KEYS[2], 'version', id, 'state', ARGV[2])
end
redis.call('SET', KEYS[4], ARGV[4])
return id
"""


class LeaseLost(Exception):
    """The write was refused: another poller holds the lease now."""


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change stream: a delta, or a reset (``delta is None``)."""

    version: str
    delta: Delta | None


def _change(entry_id: str, fields: dict[str, str]) -> Change:
    delta = json.loads(fields["d"]) if "d" in fields else None
    return Change(entry_id, delta)


class SnapshotStore:
    def __init__(self, redis: Redis, keys: Keys, maxlen: int = 1000) -> None:
        self.redis = redis
        self.keys = keys
        self.maxlen = maxlen
        # The version this writer's next delta extends: the last it wrote or read.
        self.base = ""

    async def publish(
        self,
        lease_value: str,
        floor: Floor,
        delta: Delta,
        meta: dict[str, Any],
        *,
        reset: bool = False,
    ) -> str:
        """Write the new floor, the delta (if any) and the meta; the new version or ``""``.

        The Redis client must decode responses (``store.connection.connect``)."""
        result = await self.redis.eval(
            _PUBLISH,
            4,
            self.keys.lease,
            self.keys.snapshot,
            self.keys.changes,
            self.keys.meta,
            lease_value,
            encode(floor),
            json.dumps(delta, separators=(",", ":")) if delta else "",
            json.dumps(meta, separators=(",", ":")),
            self.maxlen,
            "1" if reset else "0",
            self.base,
        )
        if result == -1:
            raise LeaseLost("the poller lease is held by another poller")
        if result:
            self.base = str(result)
        return str(result)

    async def snapshot(self) -> tuple[str, Floor] | None:
        fields = await self.redis.hgetall(self.keys.snapshot)
        if not fields:
            return None
        self.base = str(fields["version"])
        return self.base, decode_floor(fields["state"])

    async def meta(self) -> dict[str, Any]:
        raw = await self.redis.get(self.keys.meta)
        return json.loads(raw) if raw else {}

    async def read(self, after: str, block_ms: int) -> list[Change]:
        """Entries after ``after``, waiting up to ``block_ms`` for the first one."""
        answer: Any = await self.redis.xread({self.keys.changes: after}, block=block_ms, count=100)
        return [_change(i, f) for _, entries in answer or [] for i, f in entries]

    async def last_version(self) -> str:
        entries = await self.redis.xrevrange(self.keys.changes, "+", "-", count=1)
        return str(entries[0][0]) if entries else "0-0"
