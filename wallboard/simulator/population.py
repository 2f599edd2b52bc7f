"""Builds a realistic, seeded call center of any size for the demo and the tests."""

from __future__ import annotations

import random
from collections.abc import Sequence

from wallboard.simulator.callcenter import PATIENCE_S, RING_S, TALK_S, Agent, CallCenter, Queue
from wallboard.simulator.names import GROUPS, LOCATIONS, person_names, queue_name

# Offered load per agent-share of a queue: a little above what the agents can take, so a few
# calls wait most of the time and some give up, as on a busy real floor.
LOAD = 0.97
AVAILABILITY = 0.85  # share of logged-on time not paused or logged off


def _queues(count: int, rng: random.Random) -> list[Queue]:
    return [
        Queue(
            code=str(300 + i),
            name=queue_name(i),
            arrival_rate=0.0,
            wrapup_s=float(rng.choice((5, 10, 15, 20))),
            dnis=f"8005550{300 + i}",
        )
        for i in range(count)
    ]


def _person(
    i: int, name: str, qs: list[Queue], supervisors: Sequence[str], rng: random.Random
) -> Agent:
    """The i-th agent: a primary queue in turn, up to two more, a group with its pause codes."""
    number = 101 + i
    primary = qs[i % len(qs)].code
    others = [q.code for q in qs if q.code != primary]
    extra = rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2))))
    group = GROUPS[0] if rng.random() < 0.5 else rng.choice(GROUPS[1:])
    codes = ["03", "10", "17", "26" if group == "Trainees" else "30"]
    if group == "Experienced":
        codes.append("40")
    extension = ("", f"SIP/{100 + number}", f"{100 + number}")[i % 3]
    return Agent(
        code=f"agent/{number}",
        name=name,
        group=group,
        location=rng.choices(LOCATIONS, weights=(6, 3, 2))[0],
        supervisor=supervisors[i % len(supervisors)] if supervisors else "",
        extension=extension,
        queues=[primary, *extra],
        pause_codes=codes,
    )


def _set_arrival_rates(qs: list[Queue], people: list[Agent]) -> None:
    service_s = sum(RING_S) / 2 + sum(TALK_S) / 3
    for q in qs:
        share = sum(1 / len(a.queues) for a in people if q.code in a.queues)
        q.arrival_rate = LOAD * AVAILABILITY * share / (service_s + q.wrapup_s)


def build_center(
    agents: int = 20,
    queues: int = 4,
    seed: int = 1,
    start: float = 1_700_000_000.0,
    supervisors: Sequence[str] = ("demosupervisor", "supervisor2"),
    auto: bool = True,
    day_offset_s: float = 0.0,
) -> CallCenter:
    """A call center whose agents are logged on at `start`, about one in ten paused.

    `day_offset_s` is the local time zone's offset from UTC: "today" (the calls QmStats
    reports) starts at local midnight."""
    rng = random.Random(f"population-{seed}")
    qs = _queues(queues, rng)
    names = person_names(agents, rng)
    people = [_person(i, names[i], qs, supervisors, rng) for i in range(agents)]
    _set_arrival_rates(qs, people)
    center = CallCenter(qs, people, seed=seed, start=start, auto=False, day_offset_s=day_offset_s)
    for a in people:
        if rng.random() < 0.08:
            continue
        center.logon(a.code, t=start - rng.uniform(600, 4 * 3600))
        if rng.random() < 0.1:
            center.pause(a.code, rng.choice(a.pause_codes), t=start - rng.uniform(0, 240))
    center.time = start
    center.set_auto(auto)
    return center


__all__ = ["PATIENCE_S", "build_center"]
