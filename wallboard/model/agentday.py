"""Each agent's day: calls answered and talk from QmStats' call list, pauses from live states.

Pure. The call list gives what QueueMetrics has closed; pauses come from what the poller saw
live: a pause that ends (the agent is no longer paused, or paused again since another time)
adds its length to the agent's ended pauses, and a pause under way counts in whole minutes
so that an agent's figures change at most once a minute while paused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wallboard.model.state import Agent, AgentDay, Floor
from wallboard.qm.stats import CallRecord

Tally = tuple[int, int]  # calls answered, talk seconds


def agent_key(code: str) -> str:
    """QueueMetrics writes agent codes in either case (``Agent/101``, ``agent/101``)."""
    return code.strip().lower()


def tally(calls: Iterable[CallRecord]) -> dict[str, Tally]:
    """Per agent, the calls answered and their talk time."""
    out: dict[str, Tally] = {}
    for call in calls:
        if call.answered and call.agent:
            key = agent_key(call.agent)
            answered, talk = out.get(key, (0, 0))
            out[key] = (answered + 1, talk + call.talk)
    return out


def _pause_start(agent: Agent, day_start: float) -> float | None:
    if agent.state != "paused" or agent.state_since is None:
        return None
    return max(float(agent.state_since), day_start)


def ended_pauses(
    ended: Mapping[str, float], previous: Floor, floor: Floor, now: float, day_start: float
) -> dict[str, float]:
    """Ended pause seconds per agent, with the pauses that ended since ``previous``."""
    out = dict(ended)
    current = {agent_key(a.agent): a for a in floor.agents}
    for before in previous.agents:
        started = _pause_start(before, day_start)
        if started is None:
            continue
        key = agent_key(before.agent)
        after = current.get(key)
        if (
            after is not None
            and after.state == "paused"
            and after.state_since == before.state_since
        ):
            continue
        out[key] = out.get(key, 0.0) + max(0.0, now - started)
    return out


def day_of(
    agent: Agent, tallied: Tally | None, ended: float, now: float, day_start: float
) -> AgentDay:
    answered, talk = tallied or (0, 0)
    started = _pause_start(agent, day_start)
    running = (now - started) // 60 * 60 if started is not None and now > started else 0
    return AgentDay(
        answered=answered,
        talk_s=talk,
        aht_s=round(talk / answered, 1) if answered else None,
        pause_s=int(ended + running),
    )
