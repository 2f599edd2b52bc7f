"""The state of the floor as typed, immutable records: queues, agents and live calls.

One ``Floor`` is what one real-time poll shows. It travels unchanged through Redis (JSON, by
msgspec), the web processes' copies, the JSON API and the templates. The records are frozen, so
a new poll makes a new ``Floor`` and nothing changes one in place.

``SECTIONS`` declares, once, how each list of the floor is keyed, ordered and filtered: derive
orders by it, diff keys by it, views filter by it and render knows from it which changes move
an item (then the whole list is drawn again) and which change it alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import msgspec
from msgspec import Struct

from wallboard.model.staffing import Staffing
from wallboard.model.trend import Point

AgentState = Literal["available", "on_call", "paused"]
CallState = Literal["waiting", "talking", "dialing"]
Level = Literal["yellow", "red"]


class Today(Struct, frozen=True, kw_only=True, omit_defaults=False):
    """A queue's figures of the day (QmStats), as shown on the boards; docs/figures.md defines
    each. ``as_of`` and ``stale`` are the freshness of the figures, not of the live data."""

    offered: int = 0
    answered: int = 0
    lost: int = 0
    short_abandons: int = 0
    answered_in_target: int = 0
    sl: float | None = None
    sl_basis: str = "offered"
    sl_of_answered: float | None = None
    sl_of_offered: float | None = None
    sl_target_s: float | None = None
    sl_target_pct: float | None = None
    asa_s: float | None = None
    talk_avg_s: float | None = None
    talk_total_s: int = 0
    longest_wait_answered_s: int | None = None
    longest_wait_lost_s: int | None = None
    as_of: float | None = None
    stale: bool = False
    sl_alert: Literal["under"] | None = None


class AgentDay(Struct, frozen=True, kw_only=True):
    """An agent's day so far (docs/figures.md, "Agents' day"): calls answered and talk time
    from QmStats, pause time from the live states the poller saw."""

    answered: int = 0
    talk_s: int = 0
    aht_s: float | None = None
    pause_s: int = 0


class Queue(Struct, frozen=True, kw_only=True):
    queue: str
    name: str
    waiting: int = 0
    longest_wait_since: int | None = None
    talking: int = 0
    agents_logged_in: int = 0
    agents_available: int = 0
    agents_on_call: int = 0
    agents_paused: int = 0
    # Figure ("waiting", "longest_wait", "available") -> level, for the figures in alert only.
    alerts: dict[str, Level] = msgspec.field(default_factory=dict)
    today: Today | None = None
    trend: tuple[Point, ...] = ()  # the last hour, a point a minute (model/trend.py)
    staffing: Staffing | None = None  # agents needed now (model/staffing.py)


# Agents and calls are thousands a floor, and two floors live at once: holding only text,
# numbers and other records, they cannot be in a reference cycle, so the garbage collector need
# not follow them (``gc=False``), which it otherwise does often while a poll makes them.
class Agent(Struct, frozen=True, kw_only=True, gc=False):
    agent: str
    name: str
    group: str = ""
    location: str = ""
    supervisor: str = ""
    queues: tuple[str, ...] = ()
    extension: str = ""
    server: str = ""
    state: AgentState = "available"
    activity: CallState | None = None  # the call's state while on a call
    pause_code: str | None = None
    pause_reason: str = ""
    state_since: int | None = None
    logon: int | None = None
    alert: Level | None = None  # time in pause against its threshold
    today: AgentDay | None = None  # the agent's day so far, when QmStats runs


class Call(Struct, frozen=True, kw_only=True, gc=False):
    callid: str
    queue: str
    caller: str = ""
    dnis: str = ""
    state: CallState = "waiting"
    entered: int | None = None
    answered: int | None = None
    agent: str | None = None


class Floor(Struct, frozen=True, kw_only=True):
    queues: tuple[Queue, ...] = ()
    agents: tuple[Agent, ...] = ()
    calls: tuple[Call, ...] = ()


EMPTY = Floor()

Item = TypeVar("Item", Queue, Agent, Call)
SectionName = Literal["queues", "agents", "calls"]


@dataclass(frozen=True)
class Section(Generic[Item]):
    """How one list of the floor is keyed, ordered and filtered."""

    name: SectionName
    item: type[Item]
    key: str  # the field that identifies an item
    sort_key: Callable[[Item], tuple[Any, ...]]
    # Fields whose change can move an item in its list or in or out of a view (views filter
    # by them, or the page splits the list by them): the list is then drawn again whole.
    moves_by: frozenset[str]

    def id_of(self, item: Item) -> str:
        return str(getattr(item, self.key))

    def ordered(self, items: Iterable[Item]) -> tuple[Item, ...]:
        return tuple(sorted(items, key=self.sort_key))

    def items(self, floor: Floor) -> tuple[Item, ...]:
        items: tuple[Item, ...] = getattr(floor, self.name)
        return items


QUEUES: Section[Queue] = Section(
    "queues", Queue, "queue", lambda q: (q.queue,), frozenset({"queue", "name"})
)
AGENTS: Section[Agent] = Section(
    "agents",
    Agent,
    "agent",
    lambda a: (a.name.lower(), a.agent),
    frozenset({"agent", "name", "queues", "group", "location", "supervisor"}),
)
CALLS: Section[Call] = Section(
    "calls",
    Call,
    "callid",
    lambda c: (c.entered or 0, c.callid),
    frozenset({"callid", "entered", "queue", "state"}),
)
SECTIONS: tuple[Section[Any], ...] = (QUEUES, AGENTS, CALLS)
BY_NAME: dict[str, Section[Any]] = {s.name: s for s in SECTIONS}

# Sections whose items show the name of another's: a renamed queue or agent redraws them.
SHOWS_NAMES_OF: dict[str, frozenset[str]] = {"calls": frozenset({"queues", "agents"})}

_encoder = msgspec.json.Encoder()
_floor_decoder = msgspec.json.Decoder(Floor)


def encode(value: Any) -> bytes:
    """JSON of a floor, a record or a delta."""
    return _encoder.encode(value)


def decode_floor(raw: bytes | str) -> Floor:
    return _floor_decoder.decode(raw)


def to_json(value: Any) -> Any:
    """Plain JSON values (dicts, lists) of a record, for the API and the change stream."""
    return msgspec.to_builtins(value)
