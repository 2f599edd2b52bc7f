"""The call-center model: determinism, call flow, abandonment, pauses, scale."""

from __future__ import annotations

import time
from typing import Any

import pytest

from wallboard.simulator.callcenter import PAUSE_CODES, CallCenter, ModelError
from wallboard.simulator.population import build_center

from .support import manual_center

START = 1_700_000_000.0


def snapshot(c: CallCenter) -> Any:
    agents = [
        (a.code, a.logged_on, a.logon, a.pause_code, a.pause_start, a.free_since, a.status_since,
         a.call, tuple(a.logged_queues))
        for a in c.agents.values()
    ]  # fmt: skip
    calls = [
        (x.callid, x.queue, x.entered, x.answered, x.agent, x.caller) for x in c.calls.values()
    ]
    return agents, calls, list(c.finished)


def test_same_seed_same_day() -> None:
    a = build_center(20, 4, seed=7, start=START)
    b = build_center(20, 4, seed=7, start=START)
    a.advance(START + 1800)
    for step in range(1, 1801, 7):  # many small steps end in the same state as one big one
        b.advance(START + step)
    b.advance(START + 1800)
    assert snapshot(a) == snapshot(b)
    assert a.finished, "calls should have completed in half an hour"


def test_other_seed_other_day() -> None:
    a = build_center(20, 4, seed=7, start=START)
    b = build_center(20, 4, seed=8, start=START)
    a.advance(START + 600)
    b.advance(START + 600)
    assert snapshot(a) != snapshot(b)


def test_generated_center_looks_real() -> None:
    c = build_center(20, 4, seed=1, start=START)
    assert [q.code for q in c.queues.values()] == ["300", "301", "302", "303"]
    assert c.queues["300"].name == "Sales"
    assert list(c.agents)[:2] == ["agent/101", "agent/102"]
    names = [a.name for a in c.agents.values()]
    assert len(set(names)) == len(names)
    assert all(" " in n for n in names)
    assert {a.supervisor for a in c.agents.values()} == {"demosupervisor", "supervisor2"}
    assert any(a.extension.startswith("SIP/") for a in c.agents.values())
    for a in c.agents.values():
        assert a.queues and all(q in c.queues for q in a.queues)
        assert set(a.pause_codes) <= set(PAUSE_CODES)
    assert sum(a.logged_on for a in c.agents.values()) >= 15


def test_a_busy_floor_at_default_size() -> None:
    """Calls wait 10-60 s, talk 30-180 s; a few wait most of the time; pauses come and go."""
    c = build_center(20, 4, seed=1, start=START)
    waiting: list[int] = []
    paused_seen: set[str] = set()
    for k in range(1, 3601):
        c.advance(START + k)
        if k % 15 == 0:
            waiting.append(sum(1 for x in c.calls.values() if not x.answered))
            paused_seen |= {a.code for a in c.agents.values() if a.paused}
    answered = [f for f in c.finished if f.outcome == "answered" and f.answered]
    talks = [f.ended - f.answered for f in answered]
    waits = [f.answered - f.entered for f in answered]
    assert len(answered) > 300
    assert 30 <= sorted(talks)[len(talks) // 2] <= 180
    assert 5 <= sum(waits) / len(waits) <= 60
    assert sum(1 for w in waiting if w > 0) > len(waiting) * 0.6
    assert any(f.outcome == "abandoned" for f in c.finished)
    assert len(paused_seen) >= 5


def test_call_flow_answer_talk_end_wrapup() -> None:
    c = manual_center(start=START, auto=True)
    c.logon("agent/101", t=START)
    callid = c.add_call("300", caller="5551234")
    call = c.calls[callid]
    assert callid.startswith(f"{int(START)}.")
    assert (call.answered, call.agent, call.ringing) == (0.0, "", "agent/101")
    assert call.dnis == "8005550300"
    c.advance(START + 10)  # rings 2-6 s, then talks
    assert call.answered and call.agent == "agent/101"
    agent = c.agents["agent/101"]
    assert agent.call == callid and agent.status_since == call.answered
    c.advance(START + 200)  # talk lasts at most 180 s
    assert callid not in c.calls
    done = c.finished[-1]
    assert (done.callid, done.outcome, done.agent, done.queue) == (
        callid, "answered", "agent/101", "300")  # fmt: skip
    assert agent.free_since == done.ended and agent.call == ""
    assert agent.last_call is not None and agent.last_call.caller == "5551234"


def test_longest_idle_agent_gets_the_call() -> None:
    c = manual_center(start=START, auto=True)
    c.logon("agent/101", t=START - 50)
    c.logon("agent/102", t=START - 100)
    callid = c.add_call("300")
    assert c.calls[callid].ringing == "agent/102"


def test_oldest_waiting_call_goes_first() -> None:
    c = manual_center(start=START, auto=True)
    first = c.add_call("300", t=START)
    c.advance(START + 5)
    second = c.add_call("301", t=START + 5)
    c.logon("agent/101", t=START + 6)  # member of both queues
    assert c.calls[first].ringing == "agent/101"
    assert c.calls[second].ringing == ""


def test_caller_abandons_when_nobody_answers() -> None:
    c = manual_center(start=START, auto=True)
    callid = c.add_call("302")
    c.advance(START + 200)  # patience is at most 180 s
    assert callid not in c.calls
    assert c.finished[-1].outcome == "abandoned"
    assert c.finished[-1].answered == 0


def test_random_pauses_use_allowed_codes_and_end() -> None:
    c = build_center(20, 4, seed=3, start=START)
    starts: dict[str, float] = {}
    lengths: list[float] = []
    for k in range(1, 7201):
        c.advance(START + k)
        for a in c.agents.values():
            if a.paused and a.code not in starts:
                assert a.pause_code in a.pause_codes
                starts[a.code] = a.pause_start
            elif not a.paused and a.code in starts:
                began = starts.pop(a.code)
                if began >= START:  # not one of the pauses already under way at the start
                    lengths.append(START + k - began)
    assert len(lengths) >= 5
    assert all(length <= 301 for length in lengths)


def test_agent_timestamps_follow_queuemetrics() -> None:
    c = manual_center(start=START)
    a = c.agents["agent/101"]
    c.logon("agent/101", t=START)
    assert (a.logon, a.status_since, a.free_since, a.pause_start) == (START, START, 0.0, 0.0)
    c.pause("agent/101", "10", t=START + 10)
    assert (a.pause_code, a.pause_start, a.status_since) == ("10", START + 10, START + 10)
    c.unpause("agent/101", t=START + 70)
    assert (a.pause_code, a.pause_start, a.free_since) == ("", 0.0, START + 70)
    assert a.status_since == START + 70
    callid = c.add_call("300", t=START + 80)
    c.answer_call(callid, "agent/101", t=START + 90)
    assert a.status_since == START + 90
    c.end_call(callid, t=START + 150)
    assert a.free_since == START + 150 and a.status_since == START + 150
    c.logoff("agent/101", t=START + 200)
    assert not a.logged_on


def test_manual_operations_refuse_what_does_not_fit() -> None:
    c = manual_center(start=START)
    with pytest.raises(ModelError):
        c.pause("agent/101", "10")  # not logged on
    with pytest.raises(ModelError):
        c.agent("agent/999")
    with pytest.raises(ModelError):
        c.add_call("999")
    callid = c.add_call("300")
    with pytest.raises(ModelError):
        c.answer_call(callid, "agent/101")
    assert c.agent("AGENT/101").code == "agent/101"


def test_auto_off_freezes_random_events() -> None:
    c = build_center(20, 4, seed=1, start=START)
    c.advance(START + 300)
    c.set_auto(False)
    before = snapshot(c)
    c.advance(START + 3600)
    assert snapshot(c) == before
    c.set_auto(True)
    c.advance(START + 4000)
    assert snapshot(c) != before


def test_scheduled_actions_run_even_with_auto_off() -> None:
    c = manual_center(start=START)
    c.logon("agent/101")
    c.schedule(START + 1, lambda t: c.pause("agent/101", "03", t))
    c.advance(START + 0.5)
    assert not c.agents["agent/101"].paused
    c.advance(START + 1)
    assert c.agents["agent/101"].pause_start == START + 1


def test_transfer_keeps_earlier_stint() -> None:
    c = manual_center(start=START)
    c.logon("agent/101")
    callid = c.add_call("300", caller="5550000")
    c.answer_call(callid, "agent/101", t=START + 5)
    c.transfer_call(callid, "301", t=START + 60)
    call = c.calls[callid]
    assert (call.queue, call.answered, call.agent, call.stint) == ("301", 0.0, "", 2)
    assert call.prior[0].agent == "agent/101" and call.prior[0].queue == "300"
    assert c.agents["agent/101"].call == ""


def test_finished_calls_keep_only_today() -> None:
    midnight = 1_700_006_400.0  # a UTC midnight
    c = manual_center(start=midnight - 100)
    yesterday = c.add_call("300", t=midnight - 90)
    c.end_call(yesterday, t=midnight - 50)
    assert len(c.finished) == 1
    today = c.add_call("300", t=midnight + 10)
    c.end_call(today, t=midnight + 20)
    assert [f.callid for f in c.finished] == [today]


def test_two_thousand_agents_fifty_queues_an_hour_in_seconds() -> None:
    c = build_center(2000, 50, seed=1, start=START)
    began = time.perf_counter()
    c.advance(START + 3600)
    elapsed = time.perf_counter() - began
    assert elapsed < 8, f"a simulated hour took {elapsed:.1f} s"
    assert len(c.finished) > 10_000
    assert sum(1 for a in c.agents.values() if a.call) > 1000
