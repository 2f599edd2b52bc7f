"""How little of a component a change has to redraw.

A delta names each changed item's changed fields (a new item comes whole, its key included).
From them the renderer sends, for most changes, a few small fragments instead of whole tiles:

- a queue tile or the totals whose counts alone moved: those figures alone (``FIGURES``, each
  with an id of its own, ``partials/figures.html``);
- an item whose changed fields its tile does not show: nothing (``READS``);
- a call that arrived, left or moved to the other list: that row alone, deleted or inserted
  at its place (``call_rows``);
- a summary panel: only when a field it reads changed (``PANEL_READS``).

An agent's change used to re-send every queue tile the agent belongs to and the totals whole,
about 4 KB; now it is its tile and a few figures (docs/benchmarks.md, bytes per change).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wallboard.model.state import BY_NAME, CALLS, SECTIONS, SHOWS_NAMES_OF, Call, Floor

# Section → item id → the fields a delta set on it. Absent (None) means "unknown": draw whole
# (a resume merges several changes and keeps their ids only).
Fields = Mapping[str, Mapping[str, frozenset[str]]]

# The figures of a queue tile and of the totals that are fragments of their own.
FIGURES = frozenset(
    {"waiting", "longest_wait_since", "agents_available", "agents_on_call", "agents_paused",
     "agents_logged_in"}
)  # fmt: skip
_AGENT_TILE = frozenset(
    {"agent", "name", "state", "activity", "pause_code", "pause_reason", "alert", "state_since"}
)
# What each item partial shows (tests/test_fragments.py checks that a change to any other
# field leaves its HTML the same). A partial not named here is drawn on any change.
READS: dict[str, frozenset[str]] = {
    "queue": FIGURES | {"queue", "name", "today", "alerts"},
    "agent": _AGENT_TILE,
    "supervisor_agent": _AGENT_TILE | {"extension", "queues", "today"},
    "call": frozenset({"callid", "queue", "caller", "state", "entered", "answered", "agent"}),
}
# What each summary panel reads of the floor: it is drawn again when one of these changed.
PANEL_READS: dict[str, tuple[str, frozenset[str]]] = {
    "today_panel": ("queues", frozenset({"today", "name"})),
    "trend": ("queues", frozenset({"trend", "name"})),
    "staffing": ("queues", frozenset({"staffing", "name"})),
    "agents_today": ("agents", frozenset({"today", "name"})),
}
_AGENT_COUNTS = frozenset({"agents_available", "agents_on_call", "agents_paused",
                           "agents_logged_in"})  # fmt: skip
_WAIT = frozenset({"waiting", "longest_wait_since"})
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def dom_id(section: str, key: str) -> str:
    """A stable, valid element id for an item; the checksum keeps ``a/1`` and ``a-1`` apart."""
    slug = _UNSAFE.sub("-", key).strip("-")[:40]
    return f"{section[0]}-{slug}-{zlib.crc32(key.encode()):08x}"


def fields_of(delta: Mapping[str, Any]) -> dict[str, dict[str, frozenset[str]]]:
    return {
        name: {key: frozenset(set_) for key, set_ in change.get("set", {}).items()}
        for name, change in delta.items()
        if name in BY_NAME
    }


def structural(delta: Mapping[str, Any]) -> set[str]:
    """Sections whose lists a delta reshapes: items added (they come whole, id included),
    removed, or changed in a field that orders or filters them (``Section.moves_by``), and
    the sections that show the name of an item renamed."""
    fields = fields_of(delta)
    sections = {
        section.name
        for section in SECTIONS
        if delta.get(section.name, {}).get("del")
        or any(section.moves_by & f for f in fields.get(section.name, {}).values())
    }
    return sections | {shows for shows in SHOWS_NAMES_OF if renamed(fields, shows)}


def shown_fields(partial: str, changed: frozenset[str]) -> frozenset[str]:
    """The changed fields that the partial shows (all of them for a partial not in READS)."""
    reads = READS.get(partial)
    return changed if reads is None else changed & reads


def panel_due(widget: str, fields: Fields | None, reshaped: set[str]) -> bool:
    if fields is None or widget not in PANEL_READS:
        return True
    section, reads = PANEL_READS[widget]
    return section in reshaped or any(f & reads for f in fields.get(section, {}).values())


def totals_figures(fields: Fields | None, reshaped: set[str]) -> frozenset[str] | None:
    """The totals' figures that may have moved, or None when the tile is drawn whole (today's
    figures or the set of queues changed). The totals count agents and calls themselves."""
    if fields is None or "queues" in reshaped:
        return None
    if any("today" in f for f in fields.get("queues", {}).values()):
        return None
    moved: frozenset[str] = frozenset()
    if fields.get("agents") or "agents" in reshaped:
        moved |= _AGENT_COUNTS
    if fields.get("calls") or "calls" in reshaped:
        moved |= _WAIT
    return moved


def renamed(fields: Fields, shown_by: str) -> bool:
    """Whether an item whose name ``shown_by``'s items show was renamed."""
    for section in SHOWS_NAMES_OF.get(shown_by, ()):
        key = BY_NAME[section].key
        if any("name" in f and key not in f for f in fields.get(section, {}).values()):
            return True
    return False


def call_rows(
    state: Floor,
    fields: Fields,
    gone: Iterable[str],
    row: Callable[[Call], str],
) -> str | None:
    """The calls that left, arrived or moved, as fragments: deletions first, then each row
    inserted before the next row that stayed (or at the end of its list). None when a list
    must be drawn whole: it is empty now, or may have been (every row in it is new), since
    the list's "no call" line comes and goes with it."""
    changed = fields.get("calls", {})
    moved = {key for key, f in changed.items() if f & CALLS.moves_by}
    lists = {
        "waiting": [c for c in state.calls if c.state == "waiting"],
        "talking": [c for c in state.calls if c.state != "waiting"],
    }
    if any(not items or all(c.callid in moved for c in items) for items in lists.values()):
        return None
    out = [_deleted(dom_id("calls", key)) for key in sorted(gone)]
    out += [_deleted(dom_id("calls", k)) for k in sorted(moved) if CALLS.key not in changed[k]]
    for name, items in lists.items():
        out += _inserted(items, moved, f"#calls-{name}", row)
    return "".join(out)


def _deleted(element_id: str) -> str:
    return f'<li id="{element_id}" hx-swap-oob="delete"></li>'


def _inserted(
    items: list[Call],
    moved: set[str],
    list_selector: str,
    row: Callable[[Call], str],
) -> list[str]:
    """Runs of moved rows, each inserted before the row that follows it and stayed."""
    out: list[str] = []
    run: list[str] = []
    for call in items:
        if call.callid in moved:
            run.append(row(call))
        elif run:
            out.append(_wrap(f"beforebegin:#{dom_id('calls', call.callid)}", run))
            run = []
    if run:
        out.append(_wrap(f"beforeend:{list_selector}", run))
    return out


def _wrap(swap: str, rows: list[str]) -> str:
    # htmx inserts the children of an out-of-band element swapped other than whole.
    return f'<div hx-swap-oob="{swap}">{"".join(rows)}</div>'
