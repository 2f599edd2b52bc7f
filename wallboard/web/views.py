"""A view: which page (TV or supervisor) with which filters. Each process renders a change once
per distinct view and writes the same bytes to every client of that view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wallboard.model.derive import State

KINDS = ("tv", "supervisor")
MAX_FILTER_LENGTH = 200


class BadView(ValueError):
    """A filter that cannot be honoured: answered with 400 and the reason."""


@dataclass(frozen=True, slots=True)
class View:
    kind: str = "tv"
    queues: tuple[str, ...] = ()
    group: str = ""
    location: str = ""
    supervisor: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str], kind: str | None = None) -> View:
        kind = kind or query.get("view", "tv") or "tv"
        if kind not in KINDS:
            raise BadView(f"view must be one of {', '.join(KINDS)}")
        values = {k: (query.get(k) or "").strip() for k in ("queues", "group", "location")}
        values["supervisor"] = (query.get("supervisor") or "").strip()
        for name, value in values.items():
            if len(value) > MAX_FILTER_LENGTH:
                raise BadView(f"{name} is longer than {MAX_FILTER_LENGTH} characters")
        queues = tuple(q for q in values["queues"].split("|") if q.strip() and q != "*")
        return cls(
            kind=kind,
            queues=queues,
            group=values["group"],
            location=values["location"],
            supervisor=values["supervisor"],
        )

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for the page's stream URL."""
        params = {"view": self.kind}
        if self.queues:
            params["queues"] = "|".join(self.queues)
        for name in ("group", "location", "supervisor"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        return params

    def shows_queue(self, queue: str) -> bool:
        return not self.queues or queue in self.queues

    def select(self, state: State) -> State:
        """The part of the state this view shows."""
        wanted = set(self.queues)
        queues = [q for q in state["queues"] if not wanted or q["queue"] in wanted]
        agents = [
            a
            for a in state["agents"]
            if (not wanted or wanted.intersection(a["queues"]))
            and (not self.group or a["group"] == self.group)
            and (not self.location or a["location"] == self.location)
            and (not self.supervisor or a["supervisor"] == self.supervisor)
        ]
        calls = [c for c in state["calls"] if not wanted or c["queue"] in wanted]
        return {"queues": queues, "agents": agents, "calls": calls}
