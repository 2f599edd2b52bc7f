"""Erlang B and C (model/erlang.py) against a published worked example, hand sums, and a
seeded M/M/N queue simulation."""

from __future__ import annotations

import heapq
import math
import random

import pytest

from wallboard.model import erlang


def hand_erlang_c(agents: int, traffic: float) -> float:
    """Erlang C straight from its textbook form, with powers and factorials:
    P(wait) = X / (X + sum_{k<N} A^k/k!), X = A^N/N! * N/(N-A)."""
    x = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    return x / (x + sum(traffic**k / math.factorial(k) for k in range(agents)))


def hand_service_level(agents: int, traffic: float, aht_s: float, target_s: float) -> float:
    return 1 - hand_erlang_c(agents, traffic) * math.exp(-(agents - traffic) * target_s / aht_s)


# The worked example of Call Centre Helper, "Erlang C Formula - Made Simple With an Easy
# Worked Example" (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm):
# 100 calls in 30 minutes, average handling time 180 s, target 80 % answered in 20 s.
# Traffic is 100/1800 * 180 = 10 erlangs; the article finds 14 agents, with P(wait) 17.4 %
# and a service level of 88.9 % (13 agents give 79.6 %, just short of the target).
EXAMPLE_TRAFFIC = 100 / 1800 * 180
EXAMPLE_PUBLISHED = {13: (0.2853, 0.7956), 14: (0.1741, 0.8884)}


def test_the_worked_example_traffic_is_ten_erlangs() -> None:
    assert pytest.approx(10.0) == EXAMPLE_TRAFFIC


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 15, 20])
def test_the_worked_example_matches_the_hand_formula(agents: int) -> None:
    a = EXAMPLE_TRAFFIC
    assert erlang.erlang_c(agents, a) == pytest.approx(hand_erlang_c(agents, a), rel=1e-9)
    assert erlang.service_level(agents, a, 180, 20) == pytest.approx(
        hand_service_level(agents, a, 180, 20), rel=1e-9
    )


@pytest.mark.parametrize(("agents", "published"), EXAMPLE_PUBLISHED.items())
def test_the_worked_example_matches_the_published_figures(
    agents: int, published: tuple[float, float]
) -> None:
    waits, sl = published
    assert erlang.erlang_c(agents, EXAMPLE_TRAFFIC) == pytest.approx(waits, abs=5e-4)
    assert erlang.service_level(agents, EXAMPLE_TRAFFIC, 180, 20) == pytest.approx(sl, abs=5e-4)


def test_the_worked_example_needs_fourteen_agents() -> None:
    assert erlang.agents_needed(EXAMPLE_TRAFFIC, 180, 20, 0.80) == 14
    # The search agrees with trying every staffing by the hand formula.
    first = next(n for n in range(11, 40) if hand_service_level(n, 10.0, 180, 20) >= 0.80)
    assert first == 14


def test_small_cases_by_hand() -> None:
    # One agent, half an erlang: B(1) = A/(1+A) = 1/3; C = 1*B/(1 - A(1-B)) = (1/3)/(2/3) = 1/2,
    # the M/M/1 result P(wait) = utilisation.
    assert erlang.erlang_b(1, 0.5) == pytest.approx(1 / 3)
    assert erlang.erlang_c(1, 0.5) == pytest.approx(0.5)
    # Two agents, one erlang: B(2) = (A^2/2!) / (1 + A + A^2/2!) = (1/2)/(5/2) = 1/5;
    # C = 2*(1/5) / (2 - 1*(4/5)) = (2/5)/(6/5) = 1/3.
    assert erlang.erlang_b(2, 1.0) == pytest.approx(1 / 5)
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # Mean wait M/M/2, A=1, AHT 60: C*AHT/(N-A) = 1/3 * 60 = 20 s.
    assert erlang.average_wait(2, 1.0, 60) == pytest.approx(20.0)


def test_no_traffic_means_no_wait() -> None:
    assert erlang.erlang_c(1, 0.0) == 0.0
    assert erlang.service_level(1, 0.0, 60, 20) == 1.0
    assert erlang.agents_needed(0.0, 60, 20, 0.8) == 1


def test_too_few_agents_never_catch_up() -> None:
    assert erlang.erlang_c(10, 10.0) == 1.0
    assert erlang.service_level(9, 10.0, 180, 20) == 0.0
    assert erlang.average_wait(10, 10.0, 180) == math.inf


def test_large_traffic_stays_finite_and_cheap() -> None:
    # A**N and N! overflow a float far below this; the recurrence does not.
    needed = erlang.agents_needed(900.0, 300, 20, 0.9)
    assert 900 < needed < 1000
    assert erlang.service_level(needed, 900.0, 300, 20) >= 0.9
    assert erlang.service_level(needed - 1, 900.0, 300, 20) < 0.9


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="target"):
        erlang.agents_needed(10, 180, 20, 1.0)
    with pytest.raises(ValueError, match="handling time"):
        erlang.agents_needed(10, 0, 20, 0.8)
    with pytest.raises(ValueError, match="handling time"):
        erlang.service_level(12, 10, 0, 20)
    with pytest.raises(ValueError, match="more than"):
        erlang.agents_needed(erlang.MAX_AGENTS + 5.0, 180, 20, 0.8)


def simulated_service_level(
    agents: int, rate: float, aht_s: float, target_s: float, calls: int, seed: int
) -> float:
    """Share of calls answered within ``target_s`` in a first-come-first-served M/M/N queue:
    Poisson arrivals, exponential handling, callers who never hang up (Erlang C's model).
    Each call goes to the agent free first; its wait is how long until that agent is free."""
    rng = random.Random(seed)
    free = [0.0] * agents
    clock = 0.0
    within = 0
    warm_up = calls // 10  # the queue starts empty: leave its first calls out
    for i in range(calls + warm_up):
        clock += rng.expovariate(rate)
        start = max(clock, heapq.heappop(free))
        heapq.heappush(free, start + rng.expovariate(1 / aht_s))
        if i >= warm_up and start - clock <= target_s:
            within += 1
    return within / calls


@pytest.mark.parametrize("agents", [12, 13, 14])
def test_erlang_c_matches_a_simulated_queue(agents: int) -> None:
    rate = 100 / 1800  # the worked example's traffic
    measured = simulated_service_level(agents, rate, 180, 20, calls=60_000, seed=agents)
    assert measured == pytest.approx(erlang.service_level(agents, 10.0, 180, 20), abs=0.02)
