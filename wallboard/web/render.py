"""HTML for pages and SSE updates, from the same partials (one per component).

Pure: a function of the state, the view and the freshness. The SSE data of an update is a run of
htmx out-of-band fragments, each keyed by a stable element id.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template, select_autoescape

from wallboard.model.alerts import LABELS
from wallboard.model.derive import ID_FIELD, SECTIONS, State
from wallboard.web.views import View

_PACKAGE = Path(__file__).resolve().parent.parent
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

# Fields whose change can move an item in its list or in or out of a view: the whole list is
# then re-rendered rather than the item alone.
STRUCTURAL_FIELDS = {
    "agents": {"name", "queues", "group", "location", "supervisor"},
    "calls": {"entered", "queue", "state"},
    "queues": {"name"},
}


def asset_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package, else beside the source tree."""
    packaged = _PACKAGE / f"_{name}"
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def dom_id(section: str, key: str) -> str:
    """A stable, valid element id for an item; the checksum keeps ``a/1`` and ``a-1`` apart."""
    slug = _UNSAFE.sub("-", key).strip("-")[:40]
    return f"{section[0]}-{slug}-{zlib.crc32(key.encode()):08x}"


def mask(number: str) -> str:
    if len(number) <= 4 or not any(ch.isdigit() for ch in number):
        return number
    return "•" * (len(number) - 3) + number[-3:]


def today_totals(queues: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Today's figures of several queues together: counts add up, the service level is the
    share of all answered-in-target calls, the averages are weighted."""
    days = [q["today"] for q in queues if q.get("today")]
    if not days:
        return None
    total = {k: sum(d.get(k) or 0 for d in days) for k in ("offered", "answered", "lost")}
    in_target = sum(d.get("answered_in_target") or 0 for d in days)
    basis = days[0].get("sl_basis") or "offered"
    whole = total["answered"] if basis == "answered" else total["offered"]
    waited = sum((d.get("asa_s") or 0) * (d.get("answered") or 0) for d in days)
    targets = {(d.get("sl_target_pct"), d.get("sl_target_s")) for d in days}
    pct, seconds = targets.pop() if len(targets) == 1 else (None, None)
    sl = 100.0 * in_target / whole if whole else None
    return {
        **total,
        "sl": sl,
        "sl_target_pct": pct,
        "sl_target_s": seconds,
        "sl_alert": "under" if sl is not None and pct is not None and sl < pct else None,
        "asa_s": waited / total["answered"] if total["answered"] else None,
        "as_of": min((d.get("as_of") or 0) for d in days) or None,
        "stale": any(d.get("stale") for d in days),
    }


def totals(state: State) -> dict[str, Any]:
    """The "all selected queues" tile: an agent on two queues counts once."""
    agents = state["agents"]
    waiting = [c for c in state["calls"] if c["state"] == "waiting"]
    return {
        "waiting": len(waiting),
        "longest_wait_since": min((c["entered"] for c in waiting if c["entered"]), default=None),
        "agents_logged_in": len(agents),
        "agents_available": sum(1 for a in agents if a["state"] == "available"),
        "agents_on_call": sum(1 for a in agents if a["state"] == "on_call"),
        "agents_paused": sum(1 for a in agents if a["state"] == "paused"),
        "today": today_totals(state["queues"]),
    }


def names(state: State) -> dict[str, dict[str, Any]]:
    """Display names by code, for components that show another's (a call's agent and queue)."""
    return {
        "queues": {q["queue"]: q["name"] for q in state["queues"]},
        "agents": {a["agent"]: a["name"] for a in state["agents"]},
        "calls_by_agent": {c["agent"]: c for c in state["calls"] if c["agent"]},
    }


def structural(delta: dict[str, Any]) -> set[str]:
    """Sections whose lists a delta reshapes: items added (they come whole, id included),
    removed, or changed in a field that orders or filters them."""
    sections = set()
    for section in SECTIONS:
        change = delta.get(section)
        if not change:
            continue
        changed = change.get("set", {}).values()
        if change.get("del") or any(
            ID_FIELD[section] in fields or STRUCTURAL_FIELDS[section] & fields.keys()
            for fields in changed
        ):
            sections.add(section)
        renamed = any("name" in f and ID_FIELD[section] not in f for f in changed)
        if section != "calls" and renamed:
            sections.add("calls")  # calls show their queue's and agent's names
    return sections


class Renderer:
    def __init__(
        self, *, mask_callers: bool = False, build: str = "", keepalive: float = 15.0
    ) -> None:
        self.env = Environment(
            loader=FileSystemLoader(asset_dir("templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            dom_id=dom_id, build=build, totals=totals, alert_labels=LABELS, keepalive=keepalive
        )
        self.mask_callers = mask_callers
        self.env.globals["caller_number"] = self.caller_number

    def caller_number(self, number: str, view: View | None) -> str:
        """Masked on TV boards when masking is on; whole for logged-in supervisors."""
        shown = number or "unknown"
        return mask(shown) if self.mask_callers and getattr(view, "kind", "tv") == "tv" else shown

    def page(self, template: str, **context: Any) -> str:
        state = context.get("state")
        known = names(state) if state else {"queues": {}, "agents": {}, "calls_by_agent": {}}
        return self.env.get_template(template).render(names=known, **context)

    def _partial(self, name: str, **context: Any) -> str:
        view = context.get("view")
        kind = view.kind if isinstance(view, View) else "tv"
        names: list[str | Template] = [f"partials/{kind}_{name}.html", f"partials/{name}.html"]
        return self.env.get_or_select_template(names).render(oob=True, **context)

    def messages(self, messages: list[dict[str, Any]]) -> str:
        return self._partial("messages", messages=messages)

    def freshness(self, fresh: dict[str, Any], server_now: float) -> str:
        return self._partial("freshness", fresh=fresh, server_now=server_now)

    def full(
        self,
        state: State,
        view: View,
        fresh: dict[str, Any],
        server_now: float,
        messages: list[dict[str, Any]] | None = None,
    ) -> str:
        """Every component of a view: what a client that cannot resume gets."""
        return self.components(state, view, messages) + self.freshness(fresh, server_now)

    def components(
        self, state: State, view: View, messages: list[dict[str, Any]] | None = None
    ) -> str:
        """Every component but the freshness line: a function of the data alone."""
        known = names(state)
        parts = [self._partial(s, state=state, view=view, names=known) for s in SECTIONS]
        parts.append(self._partial("totals", totals=totals(state), view=view))
        parts.append(self.messages(messages or []))
        return "".join(parts)

    def changes(
        self, state: State, view: View, touched: dict[str, set[str]], reshaped: set[str]
    ) -> str:
        """The components of a view that ``touched`` ids changed, current state; ``""`` if none."""
        parts = []
        known = names(state)
        for section in SECTIONS:
            ids = touched.get(section, set())
            if not ids and section not in reshaped:
                continue
            items = {str(i[ID_FIELD[section]]): i for i in state[section]}
            if section in reshaped:
                parts.append(self._partial(section, state=state, view=view, names=known))
                continue
            singular = section[:-1]
            for key in sorted(ids & items.keys()):
                parts.append(self._partial(singular, item=items[key], view=view, names=known))
        if parts and touched.keys() & {"agents", "calls", "queues"}:
            parts.append(self._partial("totals", totals=totals(state), view=view))
        return "".join(parts)
