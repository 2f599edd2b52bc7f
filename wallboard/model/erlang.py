"""Erlang C: the queueing formulas behind "agents needed now" (docs/figures.md, "Staffing").

Pure and numerically stable: Erlang B comes from its recurrence
``B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))``, which never forms ``A**N`` or ``N!``, and
Erlang C from B: ``C = N·B / (N - A·(1 - B))``. ``traffic`` is the offered load in erlangs
(arrival rate times average handling time); a queue with ``agents <= traffic`` never reaches
a steady state, so every caller waits (C = 1) and the service level is 0.
"""

from __future__ import annotations

import math

MAX_AGENTS = 10_000  # a search for the agents needed stops here


def erlang_b(agents: int, traffic: float) -> float:
    """Probability that a call finds every one of ``agents`` servers busy, with no queue."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must not be negative")
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call waits at all, with ``agents`` agents and infinite patience."""
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, aht_s: float, target_s: float) -> float:
    """Share of calls (0..1) answered within ``target_s`` seconds."""
    if aht_s <= 0:
        raise ValueError("the average handling time must be positive")
    if agents <= traffic:
        return 0.0
    waits = erlang_c(agents, traffic)
    return max(0.0, 1.0 - waits * math.exp(-(agents - traffic) * target_s / aht_s))


def average_wait(agents: int, traffic: float, aht_s: float) -> float:
    """Mean wait of all calls (ASA) in seconds; infinite when the queue cannot keep up."""
    if agents <= traffic:
        return math.inf
    return erlang_c(agents, traffic) * aht_s / (agents - traffic)


def agents_needed(traffic: float, aht_s: float, target_s: float, target: float) -> int:
    """The fewest agents whose service level reaches ``target`` (0..1); ValueError past
    ``MAX_AGENTS``.

    Erlang B is stepped one agent at a time as the search goes up, so the whole search costs
    one pass of the recurrence (it runs for every queue on every poll)."""
    if not 0 <= target < 1:
        raise ValueError("the target service level must be at least 0 and below 1")
    if aht_s <= 0:
        raise ValueError("the average handling time must be positive")
    agents = max(1, math.floor(traffic) + 1)
    if agents > MAX_AGENTS:
        raise ValueError(f"more than {MAX_AGENTS} agents would be needed")
    b = erlang_b(agents, traffic)
    while True:
        waits = agents * b / (agents - traffic * (1.0 - b))
        if 1.0 - waits * math.exp(-(agents - traffic) * target_s / aht_s) >= target:
            return agents
        agents += 1
        if agents > MAX_AGENTS:
            raise ValueError(f"more than {MAX_AGENTS} agents would be needed")
        b = traffic * b / (agents + traffic * b)
