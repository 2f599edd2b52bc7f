"""A view: which page (TV or supervisor) with which filters. Each process renders a change once
per distinct view and writes the same bytes to every client of that view, so views are made
canonical (the same filters always give the same view) and limited to what exists: a filter
naming a queue that is not watched, or a team nobody belongs to, is refused, not a new view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from msgspec.structs import replace

from wallboard.model.board import Board
from wallboard.model.derive import Directory
from wallboard.model.state import Floor
from wallboard.web.errors import NotFound

KINDS = ("tv", "supervisor")
MAX_FILTER_LENGTH = 200
TEAMS = ("group", "location", "supervisor")


class BadView(ValueError):
    """A filter that cannot be honoured: answered with 400 and the reason."""


class UnknownBoard(NotFound):
    """No saved board with that id (or it was deleted): answered with 404."""


class TooManyViews(RuntimeError):
    """This process already serves as many distinct views as it may: answered with 503."""


@dataclass(frozen=True, slots=True)
class Known:
    """What filters may name: the watched queues (empty = any queue seen) and the teams of the
    agents known from QueueMetrics' configuration or the live data."""

    queues: frozenset[str] = frozenset()
    any_queue: bool = True
    seen_queues: frozenset[str] = frozenset()
    teams: dict[str, frozenset[str]] = field(default_factory=dict)

    def allows_queue(self, code: str) -> bool:
        return code in self.queues or (self.any_queue and code in self.seen_queues)

    def allows_team(self, kind: str, value: str) -> bool:
        return value in self.teams.get(kind, frozenset())


def known(watched: Iterable[str], floor: Floor, directory: Directory) -> Known:
    """What filters may name, from the watched queues, the floor and QueueMetrics'
    configuration (so that a board of a queue or team with nobody logged on still opens)."""
    codes = [q for q in watched if q != "*"]
    seen = {q.queue for q in floor.queues} | {q for a in floor.agents for q in a.queues}
    seen |= set(directory.queues)
    teams: dict[str, set[str]] = {kind: set() for kind in TEAMS}
    for record in [*directory.agents.values(), *(_team_of(a) for a in floor.agents)]:
        for kind in TEAMS:
            if record.get(kind):
                teams[kind].add(record[kind])
    return Known(
        queues=frozenset(codes),
        any_queue=not codes or "*" in watched,
        seen_queues=frozenset(seen),
        teams={kind: frozenset(values) for kind, values in teams.items()},
    )


def _team_of(agent: object) -> dict[str, str]:
    return {kind: str(getattr(agent, kind)) for kind in TEAMS}


@dataclass(frozen=True, slots=True)
class View:
    kind: str = "tv"
    queues: tuple[str, ...] = ()
    group: str = ""
    location: str = ""
    supervisor: str = ""
    # A saved board: its id and version (a new version is a new view: its screens reload).
    board: str = ""
    board_version: int = 0
    mask_callers: bool = False  # a board's own masking, on top of the global setting
    widgets: tuple[str, ...] = ()  # a board's widgets, in order; empty: the classic page
    leaderboard: int = 0  # a board's agents_today: top N by calls answered; 0: every agent
    lang: str = "en"  # the language it speaks (wallboard.i18n): rendered once per language

    @classmethod
    def of_board(cls, board: Board) -> View:
        return cls("tv", tuple(sorted(board.queues)), board.group, board.location,
                   board.supervisor, board.id, board.version, board.mask_callers,
                   board.widgets, board.leaderboard, board.language)  # fmt: skip

    @classmethod
    def from_query(
        cls, query: Mapping[str, str], kind: str | None = None, allowed: Known | None = None
    ) -> View:
        """The canonical view of a page's filters; ``allowed`` refuses names that do not exist."""
        kind = kind or query.get("view", "tv") or "tv"
        if kind not in KINDS:
            raise BadView(f"view must be one of {', '.join(KINDS)}")
        values = {k: (query.get(k) or "").strip() for k in ("queues", *TEAMS)}
        for name, value in values.items():
            if len(value) > MAX_FILTER_LENGTH:
                raise BadView(f"{name} is longer than {MAX_FILTER_LENGTH} characters")
        codes = {q.strip() for q in values["queues"].split("|") if q.strip() and q.strip() != "*"}
        view = cls(kind, tuple(sorted(codes)), values["group"], values["location"],
                   values["supervisor"])  # fmt: skip
        if allowed is not None:
            view.check(allowed)
        return view

    def check(self, allowed: Known) -> None:
        unknown = [q for q in self.queues if not allowed.allows_queue(q)]
        if unknown:
            raise BadView(f"queue(s) not watched: {', '.join(unknown)}")
        # Supervisors are not checked: a 400 for an unknown login would tell anyone which
        # logins exist. Such views are still bounded by the cap on views per process.
        for kind in ("group", "location"):
            value = getattr(self, kind)
            if value and not allowed.allows_team(kind, value):
                raise BadView(f"no agent has the {kind} {value!r}")

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for the page's stream URL."""
        if self.board:
            return {"board": self.board, "lang": self.lang}
        params = {"view": self.kind, "lang": self.lang}
        if self.queues:
            params["queues"] = "|".join(self.queues)
        for name in TEAMS:
            if getattr(self, name):
                params[name] = getattr(self, name)
        return params

    def speaking(self, lang: str) -> View:
        return self if lang == self.lang else dataclasses.replace(self, lang=lang)

    def shows(self, *widgets: str) -> bool:
        """Whether the page has any of these widgets (the classic page has them all)."""
        return not self.widgets or any(w in self.widgets for w in widgets)

    def shows_queue(self, queue: str) -> bool:
        return not self.queues or queue in self.queues

    def select(self, floor: Floor) -> Floor:
        """The part of the floor this view shows."""
        wanted = set(self.queues)
        return replace(
            floor,
            queues=tuple(q for q in floor.queues if not wanted or q.queue in wanted),
            agents=tuple(
                a
                for a in floor.agents
                if (not wanted or wanted.intersection(a.queues))
                and (not self.group or a.group == self.group)
                and (not self.location or a.location == self.location)
                and (not self.supervisor or a.supervisor == self.supervisor)
            ),
            calls=tuple(c for c in floor.calls if not wanted or c.queue in wanted),
        )
