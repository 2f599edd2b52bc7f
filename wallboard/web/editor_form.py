"""The editor's forms, both ways: a posted form into the JSON-shaped board or playlist that
``BoardLibrary`` checks (the same checks as the API), and a stored one into the form's values.

Pure functions of the posted fields. Only what a form cannot say the JSON way is decided here
(a checkbox's absence is ``false``, the order of the widget rows is the order of the widgets,
an empty pair of threshold inputs means "no override"); every other check is the model's, so
the editor and the API can never disagree.

Threshold inputs are named ``th:{figure}:{yellow|red}:{queue}``, the queue last since a queue
code may hold a colon; ``*`` is the row for every queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import msgspec

from wallboard import i18n
from wallboard.i18n import N_
from wallboard.model.alerts import FIGURES
from wallboard.model.board import DEFAULT_WIDGETS, Board, Invalid, Playlist, Problem, problem

Fields = Mapping[str, list[str]]
LEVELS = ("yellow", "red")
EVERY_QUEUE = "*"
# What is wrong with a pair of threshold inputs, for every queue or for one.
HALF_FILLED = {
    True: N_("every queue, %(figure)s: give yellow and red, or neither"),
    False: N_("queue %(queue)s, %(figure)s: give yellow and red, or neither"),
}
NOT_NUMBERS = {
    True: N_("every queue, %(figure)s: yellow and red must be numbers"),
    False: N_("queue %(queue)s, %(figure)s: yellow and red must be numbers"),
}
# The board's fields that a form sends as one text each (inputs and selects).
TEXT_FIELDS = ("id", "title", "group", "location", "supervisor", "sound", "distance",
               "language", "theme")  # fmt: skip


def fields(body: bytes) -> dict[str, list[str]]:
    """A urlencoded body's fields, every value of each in order (checkboxes repeat a name)."""
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _one(form: Fields, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def ordered(form: Fields, chosen: str, order: str) -> list[str]:
    """The checked values of ``chosen`` in the order of the ``order`` rows (the page moves the
    rows up and down); a checked value without a row keeps its place after them."""
    picked = [v for v in form.get(chosen, []) if v]
    rows = [v for v in form.get(order, []) if v in picked]
    return list(dict.fromkeys([*rows, *picked]))


def threshold_name(figure: str, level: str, queue: str) -> str:
    return f"th:{figure}:{level}:{queue}"


def _number(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() else value


def _pairs(form: Fields) -> dict[tuple[str, str], dict[str, str]]:
    """(queue, figure) → {"yellow": text, "red": text} for every threshold input posted."""
    pairs: dict[tuple[str, str], dict[str, str]] = {}
    for name, values in form.items():
        parts = name.split(":", 3)
        if len(parts) == 4 and parts[0] == "th" and parts[2] in LEVELS:
            _, figure, level, queue = parts
            pairs.setdefault((queue, figure), {})[level] = values[0].strip() if values else ""
    return pairs


def thresholds(form: Fields, problems: list[Problem]) -> dict[str, dict[str, list[float]]]:
    """The board's own thresholds from the pairs of inputs; both empty means none."""
    result: dict[str, dict[str, list[float]]] = {}
    for (queue, figure), texts in sorted(_pairs(form).items()):
        yellow, red = texts.get("yellow", ""), texts.get("red", "")
        if not yellow and not red:
            continue
        every = queue == EVERY_QUEUE
        numbers = [_number(yellow), _number(red)]
        if not yellow or not red:
            message = HALF_FILLED[every]
            problems.append(problem("thresholds", message, queue=queue, figure=figure))
        elif None in numbers:
            message = NOT_NUMBERS[every]
            problems.append(problem("thresholds", message, queue=queue, figure=figure))
        else:
            result.setdefault(queue, {})[figure] = [n for n in numbers if n is not None]
    return result


def _version(form: Fields) -> int | None:
    text = _one(form, "version").strip()
    return int(text) if text.isdigit() else None


def _leaderboard(form: Fields) -> int | str:
    """A whole number as the board wants it; anything else as typed, for the board's check
    to name it."""
    text = _one(form, "leaderboard").strip() or "0"
    return int(text) if text.isdigit() else text


def board(form: Fields) -> dict[str, Any]:
    """The board a form describes, shaped as the API's JSON; Invalid for what only the form
    can get wrong (a threshold half filled in, or not a number)."""
    problems: list[Problem] = []
    raw: dict[str, Any] = {name: _one(form, name) for name in TEXT_FIELDS if name in form}
    raw["queues"] = [q for q in form.get("queues", []) if q]
    raw["widgets"] = ordered(form, "widgets", "widget_order")
    raw["thresholds"] = thresholds(form, problems)
    raw["mask_callers"] = bool(form.get("mask_callers"))
    raw["leaderboard"] = _leaderboard(form)
    version = _version(form)
    if version is not None:
        raw["version"] = version
    if problems:
        raise Invalid(problems)
    return raw


def playlist(form: Fields) -> dict[str, Any]:
    """The playlist a form describes; a ``seconds`` that is not a whole number is passed on as
    text, for the model to say what it must be."""
    raw: dict[str, Any] = {name: _one(form, name) for name in ("id", "title") if name in form}
    raw["boards"] = ordered(form, "boards", "board_order")
    seconds = _one(form, "seconds").strip()
    raw["seconds"] = int(seconds) if seconds.isdigit() else seconds
    version = _version(form)
    if version is not None:
        raw["version"] = version
    return raw


# -- what a form shows ----------------------------------------------------------------------


@dataclass
class Draft:
    """A board or playlist as its form shows it: stored, cloned, or as posted (with the
    inputs' text kept, so a mistake stays on screen to be corrected)."""

    values: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)  # threshold inputs' text
    problems: dict[str, list[str]] = field(default_factory=dict)  # field → reasons

    def problem(self, name: str) -> list[str]:
        return self.problems.get(name, [])


def number_text(number: float) -> str:
    """A threshold as typed: ``3`` rather than ``3.0``."""
    return str(int(number)) if float(number).is_integer() else str(number)


def board_draft(item: Board) -> Draft:
    values = msgspec.to_builtins(item)
    inputs = {
        threshold_name(figure, level, queue): number_text(pair[i])
        for queue, figures in item.thresholds.items()
        for figure, pair in figures.items()
        for i, level in enumerate(LEVELS)
    }
    return Draft(values, inputs)


def new_board() -> Draft:
    return board_draft(Board(id="", title="", widgets=DEFAULT_WIDGETS))


def clone_board(item: Board) -> Draft:
    """A copy to save under a new id: the title says so, the id is left to be chosen."""
    draft = board_draft(item)
    title = i18n.gettext("Copy of %(title)s", title=item.title)[:80]
    draft.values.update(id="", title=title, version=0)
    return draft


def posted_board(form: Fields, stored: Board | None) -> Draft:
    """The form as it was posted, over the stored board (or the defaults) for what it lacks."""
    values = msgspec.to_builtins(stored) if stored else new_board().values
    values.update({k: _one(form, k) for k in TEXT_FIELDS if k in form})
    values.update(
        queues=[q for q in form.get("queues", []) if q],
        widgets=ordered(form, "widgets", "widget_order"),
        mask_callers=bool(form.get("mask_callers")),
        leaderboard=_leaderboard(form),
        version=_version(form) or 0,
    )
    inputs = {name: texts[0] for name, texts in form.items() if name.startswith("th:") and texts}
    return Draft(values, inputs)


def posted_playlist(form: Fields, stored: Playlist | None) -> Draft:
    values = msgspec.to_builtins(stored) if stored else new_playlist().values
    values.update({k: _one(form, k) for k in ("id", "title", "seconds") if k in form})
    values.update(boards=ordered(form, "boards", "board_order"), version=_version(form) or 0)
    return Draft(values)


def new_playlist() -> Draft:
    return Draft({"id": "", "title": "", "boards": [], "seconds": 30, "version": 0})


def playlist_draft(item: Playlist) -> Draft:
    return Draft(msgspec.to_builtins(item))


def reason(p: Problem) -> str:
    """A problem as the page's language says it: its catalogue message, or else its reason
    as it came (a threshold's check, or a store's)."""
    if p.message:
        return i18n.gettext(p.message, **(p.values or {}))
    return p.reason


def translated(problems: Iterable[Problem]) -> list[Problem]:
    return [Problem(p.field, reason(p)) for p in problems]


def with_problems(draft: Draft, problems: Iterable[Problem]) -> Draft:
    for p in problems:
        draft.problems.setdefault(p.field, []).append(reason(p))
    return draft


def ordered_rows(chosen: Iterable[str], catalogue: Iterable[str]) -> list[tuple[str, bool]]:
    """The rows of an ordered choice: the chosen ones first, in their order, then the rest of
    the catalogue in its own order, each with whether it is chosen."""
    first = list(dict.fromkeys(chosen))
    rest = [c for c in dict.fromkeys(catalogue) if c not in first]
    return [(c, True) for c in first] + [(c, False) for c in rest]


def figures() -> tuple[str, ...]:
    return tuple(FIGURES)
