"""HTML for pages and SSE updates, from the same partials (one per component).

Pure: a function of the state, the view and the freshness. The SSE data of an update is a run of
htmx out-of-band fragments, each keyed by a stable element id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from wallboard import i18n
from wallboard.model.alert import Alert
from wallboard.model.alerts import LABELS
from wallboard.model.state import SECTIONS, Agent, Call, Floor, Section
from wallboard.model.totals import totals
from wallboard.web import fragments, sparkline
from wallboard.web.fragments import Fields, dom_id
from wallboard.web.views import View

_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Shown:
    """The alerts a view shows: open ones, those escalated, and the queues' names."""

    alerts: list[Alert]
    escalated: list[Alert]
    queue_names: dict[str, str]
    view: View | None = None


NO_ALERTS = Shown([], [], {})

# The board widgets that show each list of the floor.
WIDGETS_OF = {
    "queues": ("queues",),
    "agents": ("agents",),
    "calls": ("calls_waiting", "calls_talking"),
}


def asset_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package, else beside the source tree."""
    packaged = _PACKAGE / f"_{name}"
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def mask(number: str) -> str:
    if len(number) <= 4 or not any(ch.isdigit() for ch in number):
        return number
    return "•" * (len(number) - 3) + number[-3:]


def names(floor: Floor) -> dict[str, dict[str, Any]]:
    """Display names by code, for components that show another's (a call's agent and queue)."""
    return {
        "queues": {q.queue: q.name for q in floor.queues},
        "agents": {a.agent: a.name for a in floor.agents},
        "calls_by_agent": {c.agent: c for c in floor.calls if c.agent},
    }


# The insight widgets (docs/figures.md): panels drawn whole from the floor, like today's.
INSIGHTS = ("agents_today", "trend", "staffing")


def agents_today(state: Floor, view: View | None) -> list[Agent]:
    """The agents' day rows: every agent by name, or a board's top N by calls answered (ties
    by name, so the order holds still between polls)."""
    agents = [a for a in state.agents if a.today is not None]
    top = getattr(view, "leaderboard", 0)
    if not top:
        return sorted(agents, key=lambda a: (a.name.lower(), a.agent))
    ranked = sorted(agents, key=lambda a: (-(a.today.answered if a.today else 0), a.name.lower()))
    return ranked[:top]


class Renderer:
    def __init__(
        self, *, mask_callers: bool = False, build: str = "", keepalive: float = 15.0
    ) -> None:
        self.env = Environment(
            loader=FileSystemLoader(asset_dir("templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        # The language is a context variable (wallboard.i18n): one environment speaks them all.
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.lookup, i18n.lookup_plural, newstyle=True, pgettext=i18n.lookup_in
        )
        self.env.filters.update(
            number=i18n.number, percent=i18n.percent, decimal=i18n.decimal,
            duration=i18n.duration,
        )  # fmt: skip
        self.env.globals.update(
            language=i18n.current,
            language_names=i18n.NAMES,
            dom_id=dom_id,
            build=build,
            totals=totals,
            alert_labels=LABELS,
            keepalive=keepalive,
            trend_line=sparkline.line,
            trend_end=sparkline.end_of,
            agents_today=agents_today,
            spark_width=sparkline.WIDTH,
            spark_height=sparkline.HEIGHT,
        )
        self.mask_callers = mask_callers
        self._own: dict[str, bool] = {}  # "supervisor_agent" -> whether that partial exists
        self._figures = self.env.get_template("partials/figures.html").module
        self.env.globals["caller_number"] = self.caller_number

    def caller_number(self, number: str, view: View | None) -> str:
        """Masked on TV boards when masking is on (globally or for the board); whole for
        logged-in supervisors."""
        shown = number or "unknown"
        masking = self.mask_callers or getattr(view, "mask_callers", False)
        return mask(shown) if masking and getattr(view, "kind", "tv") == "tv" else shown

    def page(self, template: str, **context: Any) -> str:
        state = context.get("state")
        known = names(state) if state else {"queues": {}, "agents": {}, "calls_by_agent": {}}
        return self.env.get_template(template).render(names=known, **context)

    def _partial_name(self, name: str, view: Any) -> str:
        """``supervisor_agent`` where a view's kind has its own partial, else ``agent``."""
        kind = view.kind if isinstance(view, View) else "tv"
        own = f"{kind}_{name}"
        if own not in self._own:
            self._own[own] = f"partials/{own}.html" in self.env.list_templates()
        return own if self._own[own] else name

    def _partial(self, name: str, **context: Any) -> str:
        partial = self._partial_name(name, context.get("view"))
        template = self.env.get_template(f"partials/{partial}.html")
        return template.render({"oob": True, **context})

    def messages(self, messages: list[dict[str, Any]]) -> str:
        return self._partial("messages", messages=messages)

    def alerts(self, shown: Shown) -> str:
        """The alert strip and the escalation banner."""
        context = {"shown": shown, "view": shown.view}
        return self._partial("alerts", **context) + self._partial("escalation", **context)

    def reload(self) -> str:
        """Tells the page to load itself again (its board was redesigned)."""
        return self._partial("reload")

    def board_removed(self, view: View) -> str:
        return self._partial("board_removed", view=view)

    def freshness(self, fresh: dict[str, Any], server_now: float) -> str:
        return self._partial("freshness", fresh=fresh, server_now=server_now)

    def full(
        self,
        state: Floor,
        view: View,
        fresh: dict[str, Any],
        server_now: float,
        messages: list[dict[str, Any]] | None = None,
        alerts: Shown = NO_ALERTS,
    ) -> str:
        """Every component of a view: what a client that cannot resume gets."""
        components = self.components(state, view, messages, alerts)
        return components + self.freshness(fresh, server_now)

    def components(
        self,
        state: Floor,
        view: View,
        messages: list[dict[str, Any]] | None = None,
        alerts: Shown = NO_ALERTS,
    ) -> str:
        """Every component but the freshness line: a function of the data alone."""
        known = names(state)
        parts = [
            self._partial(s.name, state=state, view=view, names=known)
            for s in SECTIONS
            if view.shows(*WIDGETS_OF[s.name])
        ]
        parts.append(self._summaries(state, view))
        if view.shows("messages"):
            parts.append(self.messages(messages or []))
        parts.append(self.alerts(alerts))
        return "".join(parts)

    def _summaries(
        self,
        state: Floor,
        view: View,
        fields: Fields | None = None,
        reshaped: frozenset[str] | set[str] = frozenset(),
    ) -> str:
        """The totals tile and the today panel (both sum the whole selection) and the insight
        panels; after a change (``fields`` known) only what it moved."""
        parts = []
        figures = totals(state)
        if view.shows("totals"):
            moved = fragments.totals_figures(fields, set(reshaped))
            if moved is None:
                parts.append(self._partial("totals", totals=figures, view=view))
            else:
                parts += [self._figure("totals", f, getattr(figures, f)) for f in sorted(moved)]
        panels = ["today_panel"] if view.widgets and view.shows("today") else []
        panels += [w for w in INSIGHTS if w in view.widgets]
        for widget in panels:
            if fragments.panel_due(widget, fields, set(reshaped)):
                parts.append(self._partial(widget, state=state, totals=figures, view=view))
        return "".join(parts)

    def _figure(self, tile: str, field: str, value: Any) -> str:
        figure = self._figures.figure  # type: ignore[attr-defined]  # a macro of the template
        return str(figure(tile, field, value, oob=True))

    def changes(
        self,
        state: Floor,
        view: View,
        touched: dict[str, set[str]],
        reshaped: set[str],
        fields: Fields | None = None,
    ) -> str:
        """The components of a view that ``touched`` ids changed, current state; ``""`` if none
        of the view's items changed. With ``fields`` (what each item's change set), only the
        figures and rows that moved (``fragments``)."""
        parts = []
        known = names(state)
        hit = False
        for section in SECTIONS:
            ids = touched.get(section.name, set())
            items = {section.id_of(i): i for i in section.items(state)}
            changed = sorted(ids & items.keys())
            hit |= bool(changed) or section.name in reshaped
            if not view.shows(*WIDGETS_OF[section.name]):
                continue
            # A board showing one of the two call lists has no element for the other's calls:
            # its list is drawn whole.
            one_list = section.name == "calls" and not (
                view.shows("calls_waiting") and view.shows("calls_talking")
            )
            if section.name in reshaped or (one_list and changed):
                in_place = section.name == "calls" and not one_list
                rows = self._rows(state, view, known, ids, fields) if in_place else None
                parts.append(rows or self._partial(section.name, state=state, view=view,
                                                   names=known))  # fmt: skip
                continue
            of_section = (fields or {}).get(section.name, {})
            for key in changed:
                parts.append(self._item(section, items[key], view, known, of_section.get(key)))
        if hit:
            parts.append(self._summaries(state, view, fields, reshaped))
        return "".join(parts)

    def _item(
        self,
        section: Section[Any],
        item: Any,
        view: View,
        known: dict[str, Any],
        changed: frozenset[str] | None,
    ) -> str:
        """One item's tile, or only its figures when they alone moved, or nothing when none of
        what it shows did."""
        singular = section.name[:-1]
        if changed is not None and section.key not in changed:
            shown = fragments.shown_fields(self._partial_name(singular, view), changed)
            if not shown:
                return ""
            if section.name == "queues" and shown <= fragments.FIGURES:
                tile = dom_id("queues", item.queue)
                return "".join(self._figure(tile, f, getattr(item, f)) for f in sorted(shown))
        return self._partial(singular, item=item, view=view, names=known)

    def _rows(
        self,
        state: Floor,
        view: View,
        known: dict[str, Any],
        ids: set[str],
        fields: Fields | None,
    ) -> str | None:
        """The call rows a change moved, alone; None when the lists are to be drawn whole."""
        if fields is None or fragments.renamed(fields, "calls"):
            return None
        gone = ids - {c.callid for c in state.calls}

        def row(call: Call) -> str:
            return self._partial("call", item=call, view=view, names=known, oob=False)

        return fragments.call_rows(state, fields, gone, row)
