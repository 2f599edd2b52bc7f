"""The simulated call center: queues, agents and calls moved by timed random events.

Pure model, no I/O and no wall clock: time is whatever the caller passes to `advance()`
(simulated epoch seconds). Random events come from one `random.Random(seed)` and are kept on
a heap in time order, so the state at time T depends only on the seed, the start time and the
manual operations applied, not on how often `advance()` was called on the way.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from wallboard.simulator.names import caller_number

DAY_S = 86400.0

# Tuning of the automatic behaviour, in simulated seconds.
RING_S = (2.0, 6.0)
TALK_S = (30.0, 180.0, 60.0)  # triangular(low, high, mode)
PATIENCE_S = (20.0, 180.0, 50.0)
PAUSE_EVERY_S = 1200.0  # mean time between two pauses of one agent
PAUSE_LEN_S = (60.0, 300.0)
LOGOFF_CHANCE = 0.03  # at each pause decision, log off instead
LOGGED_OFF_S = (300.0, 900.0)
TRANSFER_CHANCE = 0.03
BUSY_RETRY_S = 30.0


@dataclass(frozen=True)
class PauseCode:
    code: str
    description: str
    type: str  # PB, PNB, NPB, NPNB


PAUSE_CODES: dict[str, PauseCode] = {
    p.code: p
    for p in (
        PauseCode("03", "Lunch break", "PNB"),
        PauseCode("10", "Coffee break", "NPNB"),
        PauseCode("17", "E-mail", "PB"),
        PauseCode("26", "Training", "PB"),
        PauseCode("30", "Back office", "PNB"),
        PauseCode("40", "Team meeting", "NPB"),
    )
}


@dataclass
class Queue:
    code: str
    name: str
    arrival_rate: float  # calls per simulated second
    wrapup_s: float
    dnis: str = ""
    url: str = ""


@dataclass
class LastCall:
    queue: str
    caller: str
    answered: float
    wait_s: float
    talk_s: float


@dataclass
class Agent:
    code: str  # lowercase "agent/101"
    name: str
    group: str = "Default"
    location: str = "Main"
    supervisor: str = ""  # login of the supervising user
    extension: str = ""
    queues: list[str] = field(default_factory=list)  # configured memberships, level 0 first
    pause_codes: list[str] = field(default_factory=list)
    # Live state; timestamps are simulated epoch seconds, 0 when unset as in QM.
    logged_on: bool = False
    logon: float = 0.0
    terminal: str = ""
    logged_queues: list[str] = field(default_factory=list)
    paused: bool = False
    pause_code: str = ""
    pause_start: float = 0.0
    free_since: float = 0.0
    status_since: float = 0.0
    call: str = ""  # callid of the answered call
    ringing: str = ""  # callid ringing this agent
    wrap_until: float = 0.0
    pause_total: float = 0.0
    pause_count: int = 0
    last_call: LastCall | None = None
    token: int = 0  # bumped to cancel pending random events

    def level(self, queue: str) -> int:
        """0 = main, 1 = wrap, 2 = spill: the first configured queue is the main one."""
        return 0 if self.queues and self.queues[0] == queue else 1

    def state(self, now: float) -> str:
        if not self.logged_on:
            return "logged_off"
        if self.call:
            return "on_call"
        if self.paused:
            return "paused"
        if self.ringing:
            return "ringing"
        if self.wrap_until > now:
            return "wrapup"
        return "available"


@dataclass
class Stint:
    """An earlier queue stint of a transferred call, which QM may keep listing."""

    queue: str
    entered: float
    answered: float
    agent: str


@dataclass
class Call:
    callid: str
    queue: str
    entered: float
    caller: str
    dnis: str
    answered: float = 0.0
    agent: str = ""
    ringing: str = ""
    stint: int = 1
    prior: list[Stint] = field(default_factory=list)
    token: int = 0  # bumped to cancel a pending abandon or hangup
    ring_token: int = 0  # bumped to cancel a pending answer

    def state(self) -> str:
        if self.answered:
            return "talking"
        return "ringing" if self.ringing else "waiting"


@dataclass(frozen=True)
class FinishedCall:
    callid: str
    queue: str
    entered: float
    answered: float  # 0 if never answered
    ended: float
    agent: str
    caller: str
    outcome: str  # "answered" | "abandoned" | "transferred" (an answered stint sent on)
    dnis: str = ""


class ModelError(ValueError):
    """A manual operation that does not fit the current state."""


Event = tuple[float, int, str, str, int, Callable[[float], None] | None]


class CallCenter:
    def __init__(
        self,
        queues: Iterable[Queue],
        agents: Iterable[Agent],
        seed: int = 1,
        start: float = 1_700_000_000.0,
        auto: bool = True,
        day_offset_s: float = 0.0,
    ) -> None:
        self.rng = random.Random(seed)
        self.queues: dict[str, Queue] = {q.code: q for q in queues}
        self.agents: dict[str, Agent] = {a.code.lower(): a for a in agents}
        self.calls: dict[str, Call] = {}
        self.finished: list[FinishedCall] = []
        # What desk phones showed: a text received, a supervisor's phone joining a call.
        self.phones: deque[dict[str, Any]] = deque(maxlen=200)
        self.time = start
        self.day_offset_s = day_offset_s  # local time zone for the "today" boundary
        self._day = self._day_of(start)
        self._events: list[Event] = []
        self._seq = itertools.count()
        self._callseq = itertools.count(self.rng.randint(10, 500))
        # Agents logged on to each queue, and the unanswered, unrung calls of each queue in
        # arrival order: the two sides of the matching, kept so it never scans everything.
        self._logged: dict[str, dict[str, Agent]] = {q: {} for q in self.queues}
        self._waiting: dict[str, dict[str, None]] = {q: {} for q in self.queues}
        self.auto = False
        self.set_auto(auto)

    # ----------------------------------------------------------------- lookups

    def agent(self, code: str) -> Agent:
        try:
            return self.agents[code.lower()]
        except KeyError:
            raise ModelError(f"unknown agent '{code}'") from None

    def call(self, callid: str) -> Call:
        try:
            return self.calls[callid]
        except KeyError:
            raise ModelError(f"unknown call '{callid}'") from None

    def allowed_pause_codes(self, code: str) -> list[PauseCode]:
        return [PAUSE_CODES[c] for c in self.agent(code).pause_codes if c in PAUSE_CODES]

    # ----------------------------------------------------------------- time

    def advance(self, now: float) -> None:
        """Apply every event due up to `now`, in time order."""
        events = self._events
        while events and events[0][0] <= now:
            t, _, kind, key, token, payload = heapq.heappop(events)
            self.time = max(self.time, t)
            if payload is not None:
                payload(t)
            elif self.auto:
                self._fire(kind, key, token, t)
        self.time = max(self.time, now)

    def schedule(self, at: float, action: Callable[[float], None]) -> None:
        """Run `action(t)` at simulated time `at`, whether or not random events are on."""
        heapq.heappush(self._events, (at, next(self._seq), "action", "", 0, action))

    def set_auto(self, enabled: bool) -> None:
        """Switch the random events on or off; off, only manual operations change anything."""
        if enabled == self.auto:
            return
        self.auto = enabled
        t = self.time
        if not enabled:
            for call in list(self.calls.values()):
                if call.ringing:
                    self._stop_ringing(call)
                    self._requeue(call, t)
            return
        for q in self.queues.values():
            self._schedule_arrival(q, t)
        for call in self.calls.values():
            call.token += 1
            if call.answered:
                self._push(t + self._talk_len(), "hangup", call.callid, call.token)
            else:
                self._push(t + self._patience(), "abandon", call.callid, call.token)
        for agent in self.agents.values():
            self._plan_agent(agent, t)
        for agent in self.agents.values():
            self._offer_agent(agent, t)

    # ----------------------------------------------------------------- agents

    def logon(
        self,
        code: str,
        t: float | None = None,
        queues: Iterable[str] | None = None,
        extension: str | None = None,
    ) -> None:
        t = self.time if t is None else t
        a = self.agent(code)
        if a.logged_on:
            self._unlog(a)
        a.logged_on = True
        a.logon = a.status_since = t
        a.free_since = a.pause_start = a.wrap_until = a.pause_total = 0.0
        a.paused, a.pause_code, a.pause_count, a.last_call = False, "", 0, None
        a.terminal = a.extension if extension is None else extension
        a.logged_queues = []
        self._join(a, a.queues if queues is None else queues)
        self._plan_agent(a, t)
        self._offer_agent(a, t)

    def logoff(self, code: str, t: float | None = None) -> None:
        t = self.time if t is None else t
        a = self.agent(code)
        if a.call:
            self.end_call(a.call, t)
        self._unlog(a)
        a.logged_on = False
        a.paused, a.pause_code, a.pause_start = False, "", 0.0
        self._plan_agent(a, t)
        self._bounce_ringing(a, t)

    def pause(self, code: str, pause_code: str, t: float | None = None) -> None:
        """Pause (or change the code of a pause: that ends it and starts a new one)."""
        t = self.time if t is None else t
        a = self._logged_agent(code)
        if a.paused:
            a.pause_total += t - a.pause_start
        a.paused, a.pause_code, a.pause_start = True, pause_code, t
        a.pause_count += 1
        if not a.call:
            a.status_since = t
        self._plan_agent(a, t)
        self._bounce_ringing(a, t)

    def unpause(self, code: str, t: float | None = None) -> None:
        t = self.time if t is None else t
        a = self._logged_agent(code)
        if a.paused:
            a.pause_total += t - a.pause_start
            a.paused, a.pause_code, a.pause_start = False, "", 0.0
            if not a.call:
                a.free_since = a.status_since = t
        self._plan_agent(a, t)
        self._offer_agent(a, t)

    def join(self, code: str, queues: Iterable[str], t: float | None = None) -> None:
        t = self.time if t is None else t
        a = self._logged_agent(code)
        self._join(a, queues)
        self._offer_agent(a, t)

    def remove(self, code: str, queues: Iterable[str]) -> None:
        a = self._logged_agent(code)
        for q in queues:
            if q in a.logged_queues:
                a.logged_queues.remove(q)
                self._logged.get(q, {}).pop(a.code, None)

    def _logged_agent(self, code: str) -> Agent:
        a = self.agent(code)
        if not a.logged_on:
            raise ModelError(f"agent '{code}' not logged on")
        return a

    def _join(self, a: Agent, queues: Iterable[str]) -> None:
        for q in queues:
            if q in self.queues and q not in a.logged_queues:
                a.logged_queues.append(q)
                self._logged[q][a.code] = a

    def _unlog(self, a: Agent) -> None:
        for q in a.logged_queues:
            self._logged[q].pop(a.code, None)
        a.logged_queues = []

    # ----------------------------------------------------------------- calls

    def add_call(
        self, queue: str, t: float | None = None, caller: str | None = None, dnis: str | None = None
    ) -> str:
        t = self.time if t is None else t
        if queue not in self.queues:
            raise ModelError(f"unknown queue '{queue}'")
        q = self.queues[queue]
        callid = f"{int(t)}.{next(self._callseq)}"
        caller = caller_number(self.rng) if caller is None else caller
        call = Call(callid, queue, t, caller, q.dnis if dnis is None else dnis)
        self.calls[callid] = call
        self._enqueue(call, t)
        return callid

    def answer_call(self, callid: str, agent: str, t: float | None = None) -> None:
        t = self.time if t is None else t
        call = self.call(callid)
        a = self._logged_agent(agent)
        if call.answered:
            raise ModelError(f"call '{callid}' already answered")
        if a.call:
            raise ModelError(f"agent '{agent}' already on call '{a.call}'")
        ringer = self._stop_ringing(call) if call.ringing else None
        self._waiting[call.queue].pop(callid, None)
        call.answered, call.agent = t, a.code
        call.token += 1
        a.call = callid
        a.status_since = t
        a.wrap_until = 0.0
        if self.auto:
            self._push(t + self._talk_len(), "hangup", callid, call.token)
        self._bounce_ringing(a, t)
        if ringer is not None and ringer is not a:
            self._offer_agent(ringer, t)

    def end_call(self, callid: str, t: float | None = None) -> None:
        """Hang up: an answered call completes, an unanswered one is abandoned."""
        t = self.time if t is None else t
        call = self.call(callid)
        del self.calls[callid]
        self._waiting[call.queue].pop(callid, None)
        if call.ringing:
            self._offer_agent(self._stop_ringing(call), t)
        outcome = "answered" if call.answered else "abandoned"
        self._record(call, t, outcome)
        if call.agent:
            self._release(self.agents[call.agent], call, t)

    def transfer_call(self, callid: str, queue: str, t: float | None = None) -> None:
        """Send an answered call to another queue, where it waits again (a new stint)."""
        t = self.time if t is None else t
        call = self.call(callid)
        if queue not in self.queues:
            raise ModelError(f"unknown queue '{queue}'")
        ringer = self._stop_ringing(call) if call.ringing else None
        self._waiting[call.queue].pop(callid, None)
        self._record(call, t, "transferred" if call.answered else "abandoned")
        call.prior.append(Stint(call.queue, call.entered, call.answered, call.agent))
        if call.agent:
            self._release(self.agents[call.agent], call, t)
        call.queue, call.entered, call.answered, call.agent = queue, t, 0.0, ""
        call.stint += 1
        call.token += 1
        self._enqueue(call, t)
        if ringer is not None:
            self._offer_agent(ringer, t)

    def _enqueue(self, call: Call, t: float) -> None:
        self._waiting[call.queue][call.callid] = None
        if not self.auto:
            return
        call.token += 1
        self._push(t + self._patience(), "abandon", call.callid, call.token)
        self._match_call(call, t)

    def _requeue(self, call: Call, t: float) -> None:
        """Put a call that stopped ringing back in its queue, in arrival order."""
        waiting = self._waiting[call.queue]
        waiting[call.callid] = None
        if len(waiting) > 1:
            ordered = sorted(waiting, key=lambda c: self.calls[c].entered)
            self._waiting[call.queue] = dict.fromkeys(ordered)
        self._match_call(call, t)

    def _match_call(self, call: Call, t: float) -> None:
        """Ring the longest-idle ready agent of the call's queue (auto mode only)."""
        if not self.auto:
            return
        best: Agent | None = None
        best_idle = 0.0
        # Inlined readiness test: this loop is the hot spot of a 2,000-agent center.
        for a in self._logged[call.queue].values():
            if a.call or a.ringing or a.paused or a.wrap_until > t:
                continue
            idle = a.free_since or a.logon
            if best is None or idle < best_idle:
                best, best_idle = a, idle
        if best is not None:
            self._ring(call, best, t)

    def _release(self, a: Agent, call: Call, t: float) -> None:
        """The agent's call is over: a wrap-up, then ready again."""
        a.call = ""
        a.last_call = LastCall(call.queue, call.caller, call.answered, 0.0, 0.0)
        if call.answered:
            a.last_call.wait_s = call.answered - call.entered
            a.last_call.talk_s = t - call.answered
        a.status_since = t
        if a.paused:
            return
        a.free_since = t
        wrap = self.queues[call.queue].wrapup_s * self.rng.uniform(0.5, 1.5) if self.auto else 0
        a.wrap_until = t + wrap
        if wrap:
            self._push(a.wrap_until, "wrap", a.code, a.token)
        else:
            self._offer_agent(a, t)

    def _record(self, call: Call, t: float, outcome: str) -> None:
        day = self._day_of(t)
        if day != self._day:
            self._day = day
            self.finished = [f for f in self.finished if self._day_of(f.ended) == day]
        finished = FinishedCall(
            call.callid,
            call.queue,
            call.entered,
            call.answered,
            t,
            call.agent,
            call.caller,
            outcome,
            call.dnis,
        )
        self.finished.append(finished)

    def _day_of(self, t: float) -> int:
        return int((t + self.day_offset_s) // DAY_S)

    # ----------------------------------------------------------------- matching

    def _ready(self, a: Agent, t: float) -> bool:
        return a.logged_on and not a.paused and not a.call and not a.ringing and a.wrap_until <= t

    @staticmethod
    def _idle(a: Agent) -> float:
        return a.free_since or a.logon

    def _offer_agent(self, a: Agent, t: float) -> None:
        """Give a newly ready agent the oldest waiting call of its queues (auto mode only)."""
        if not self.auto or not self._ready(a, t):
            return
        oldest: Call | None = None
        for q in a.logged_queues:
            waiting = self._waiting[q]
            if waiting:
                call = self.calls[next(iter(waiting))]
                if oldest is None or call.entered < oldest.entered:
                    oldest = call
        if oldest is not None:
            self._ring(oldest, a, t)

    def _ring(self, call: Call, a: Agent, t: float) -> None:
        self._waiting[call.queue].pop(call.callid, None)
        call.ringing, a.ringing = a.code, call.callid
        call.ring_token += 1
        self._push(t + self.rng.uniform(*RING_S), "answer", call.callid, call.ring_token)

    def _stop_ringing(self, call: Call) -> Agent:
        a = self.agents[call.ringing]
        a.ringing = call.ringing = ""
        return a

    def _bounce_ringing(self, a: Agent, t: float) -> None:
        """The agent can no longer take the call ringing it: back to the queue with it."""
        if a.ringing and a.ringing in self.calls:
            call = self.calls[a.ringing]
            self._stop_ringing(call)
            self._requeue(call, t)

    # ----------------------------------------------------------------- random events

    def _push(self, at: float, kind: str, key: str, token: int) -> None:
        heapq.heappush(self._events, (at, next(self._seq), kind, key, token, None))

    def _schedule_arrival(self, q: Queue, t: float) -> None:
        if q.arrival_rate > 0:
            self._push(t + self.rng.expovariate(q.arrival_rate), "arrival", q.code, 0)

    def _talk_len(self) -> float:
        return self.rng.triangular(*TALK_S)

    def _patience(self) -> float:
        return self.rng.triangular(*PATIENCE_S)

    def _plan_agent(self, a: Agent, t: float) -> None:
        """Forget the agent's pending random events and schedule its next one."""
        a.token += 1
        if not self.auto:
            return
        if not a.logged_on:
            self._push(t + self.rng.uniform(*LOGGED_OFF_S), "logon", a.code, a.token)
        elif a.paused:
            self._push(t + self.rng.uniform(*PAUSE_LEN_S), "unpause", a.code, a.token)
        else:
            self._push(t + self.rng.expovariate(1 / PAUSE_EVERY_S), "pause", a.code, a.token)
            if a.wrap_until > t:
                self._push(a.wrap_until, "wrap", a.code, a.token)

    def _fire(self, kind: str, key: str, token: int, t: float) -> None:
        if kind == "arrival":
            q = self.queues[key]
            self.add_call(key, t)
            self._schedule_arrival(q, t)
            return
        if kind in ("abandon", "answer", "hangup"):
            call = self.calls.get(key)
            if call is None:
                return
            if kind == "answer":
                if call.ring_token == token and call.ringing:
                    self.answer_call(key, call.ringing, t)
            elif call.token != token:
                return
            elif kind == "abandon":
                self.end_call(key, t)
            elif len(self.queues) > 1 and self.rng.random() < TRANSFER_CHANCE:
                others = [q for q in self.queues if q != call.queue]
                self.transfer_call(key, self.rng.choice(others), t)
            else:
                self.end_call(key, t)
            return
        a = self.agents[key]
        if a.token != token:
            return
        if kind == "wrap":
            self._offer_agent(a, t)
        elif kind == "logon":
            self.logon(a.code, t)
        elif kind == "unpause":
            self.unpause(a.code, t)
        elif kind == "pause":
            if a.call or a.ringing:
                self._push(t + BUSY_RETRY_S, "pause", a.code, a.token)
            elif self.rng.random() < LOGOFF_CHANCE:
                self.logoff(a.code, t)
            elif a.pause_codes:
                self.pause(a.code, self.rng.choice(a.pause_codes), t)
