"""Saved boards and playlists: what a TV shows, as people design it in the browser.

A board names its queues and team filters, its widgets in order, thresholds overriding the
global ones, and how it looks (viewing distance, theme, language, caller masking). A playlist
rotates boards on one screen. Both are checked here, whole, before anything is stored: every
problem is reported with the field it is about, so the editor can show it next to the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from msgspec import Struct

from wallboard import i18n
from wallboard.i18n import N_
from wallboard.model.alerts import Thresholds

# The widgets a board can show, in the catalogue's order (README, "Boards").
WIDGETS = (
    "queues", "totals", "today", "agents", "calls_waiting", "calls_talking", "messages",
    "clock", "agents_today", "trend", "staffing",
)  # fmt: skip
DEFAULT_WIDGETS = (
    "queues", "totals", "agents", "calls_waiting", "calls_talking", "messages", "clock",
)  # fmt: skip
SOUNDS = ("off", "once", "repeat")
DISTANCES = ("3m", "5m", "10m")
THEMES = ("dark", "light", "contrast")
LANGUAGES = i18n.LANGUAGES  # a board may speak any language the catalogue has
TITLE_MAX = 80
ID_PATTERN = re.compile(r"^[a-z0-9-]{1,40}$")
PLAYLIST_SECONDS = (5, 3600)
PLAYLIST_MAX_BOARDS = 50
LEADERBOARD_MAX = 100  # agents_today's top N by calls answered; 0 lists every agent


class Board(Struct, frozen=True, kw_only=True):
    id: str
    title: str
    queues: tuple[str, ...] = ()
    group: str = ""
    location: str = ""
    supervisor: str = ""
    widgets: tuple[str, ...] = DEFAULT_WIDGETS
    thresholds: dict[str, dict[str, tuple[float, float]]] = msgspec.field(default_factory=dict)
    sound: Literal["off", "once", "repeat"] = "off"
    distance: Literal["3m", "5m", "10m"] = "5m"
    language: Literal["en", "it", "de", "fr", "es"] = "en"
    theme: Literal["dark", "light", "contrast"] = "dark"
    mask_callers: bool = False
    leaderboard: int = 0  # agents_today: the top N agents by calls answered; 0: all, by name
    version: int = 0
    updated_by: str = ""
    updated_at: float = 0.0


class Playlist(Struct, frozen=True, kw_only=True):
    id: str
    title: str
    boards: tuple[str, ...]
    seconds: int = 30
    version: int = 0
    updated_by: str = ""
    updated_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a field: ``reason`` in English (the API's), and the same sentence as
    a catalogue message with its placeholders, for a page to show in its own language."""

    field: str
    reason: str
    message: str = ""  # the message id of ``reason`` ("" when it is not from the catalogue)
    values: Mapping[str, object] | None = None


def problem(field: str, message: str, **values: object) -> Problem:
    """A problem said by a catalogue message (marked with ``N_``) and its placeholders."""
    return Problem(field, message % values if values else message, message, values or None)


class Invalid(ValueError):
    """A board or playlist that cannot be stored; ``problems`` says what, field by field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))
        self.problems = problems


def slug(title: str) -> str:
    """An id from a title: ``"Sales floor"`` → ``"sales-floor"``."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:40].strip("-") or "board"


@dataclass(frozen=True, slots=True)
class Rules:
    """What a board may name: the watched queues (empty = any) and the board count limit."""

    watched: frozenset[str] = frozenset()
    max_boards: int = 500


_SERVER_FIELDS = {"version", "updated_by", "updated_at"}
_BOARD_FIELDS = set(Board.__struct_fields__) - _SERVER_FIELDS
_PLAYLIST_FIELDS = set(Playlist.__struct_fields__) - _SERVER_FIELDS


def _text(raw: Mapping[str, Any], name: str, problems: list[Problem], limit: int = 100) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        problems.append(
            problem(name, N_("must be text of at most %(limit)s characters"), limit=limit)
        )
        return ""
    return value.strip()


def _title(raw: Mapping[str, Any], problems: list[Problem]) -> str:
    title = _text(raw, "title", problems, TITLE_MAX)
    if "title" in raw and not title and not any(p.field == "title" for p in problems):
        problems.append(problem("title", N_("must not be empty")))
    elif "title" not in raw:
        problems.append(problem("title", N_("is required")))
    return title


def _identity(raw: Mapping[str, Any], title: str, problems: list[Problem]) -> str:
    given = raw.get("id")
    if given is None or given == "":
        return slug(title) if title else ""
    if not isinstance(given, str) or not ID_PATTERN.match(given):
        problems.append(problem("id", N_("must be 1 to 40 of a-z, 0-9 and -")))
        return ""
    return given


def _choice(
    raw: Mapping[str, Any], name: str, allowed: Iterable[str], problems: list[Problem]
) -> None:
    if name in raw and raw[name] not in tuple(allowed):
        problems.append(problem(name, N_("must be one of %(choices)s"), choices=", ".join(allowed)))


def _unknown(raw: Mapping[str, Any], known: set[str], problems: list[Problem]) -> None:
    for name in sorted(set(raw) - known - _SERVER_FIELDS):
        problems.append(problem(name, N_("is not a field of this object")))


def _list_of_text(raw: Mapping[str, Any], name: str, problems: list[Problem]) -> list[str]:
    value = raw.get(name, [])
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems.append(problem(name, N_("must be a list of text")))
        return []
    return [v.strip() for v in value if v.strip()]


def _queues(raw: Mapping[str, Any], rules: Rules, problems: list[Problem]) -> tuple[str, ...]:
    queues = _list_of_text(raw, "queues", problems)
    unknown = [q for q in queues if rules.watched and q not in rules.watched]
    if unknown:
        problems.append(problem("queues", N_("not watched: %(queues)s"), queues=", ".join(unknown)))
    return tuple(dict.fromkeys(queues))


def _widgets(raw: Mapping[str, Any], problems: list[Problem]) -> tuple[str, ...]:
    if "widgets" not in raw:
        return DEFAULT_WIDGETS
    widgets = _list_of_text(raw, "widgets", problems)
    unknown = [w for w in widgets if w not in WIDGETS]
    if unknown:
        listed = ", ".join(unknown)
        problems.append(problem("widgets", N_("unknown widget(s): %(widgets)s"), widgets=listed))
    elif not widgets:
        problems.append(problem("widgets", N_("choose at least one widget")))
    elif len(set(widgets)) != len(widgets):
        problems.append(problem("widgets", N_("a widget may appear once")))
    return tuple(widgets)


def _thresholds(raw: Mapping[str, Any], problems: list[Problem]) -> None:
    value = raw.get("thresholds", {})
    try:
        if not isinstance(value, Mapping):
            raise ValueError("must be an object of queues")
        Thresholds.parse(value)
    except (ValueError, TypeError) as exc:
        problems.append(Problem("thresholds", str(exc)))


def _leaderboard(raw: Mapping[str, Any], problems: list[Problem]) -> None:
    value = raw.get("leaderboard", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LEADERBOARD_MAX:
        message = N_("must be a whole number from %(low)s to %(high)s")
        problems.append(problem("leaderboard", message, low=0, high=LEADERBOARD_MAX))


def board(raw: Any, rules: Rules) -> Board:
    """A board from what a user sent (server fields ignored); Invalid with every problem."""
    if not isinstance(raw, Mapping):
        raise Invalid([problem("board", N_("must be a JSON object"))])
    problems: list[Problem] = []
    _unknown(raw, _BOARD_FIELDS, problems)
    title = _title(raw, problems)
    ident = _identity(raw, title, problems)
    queues = _queues(raw, rules, problems)
    teams = {name: _text(raw, name, problems) for name in ("group", "location", "supervisor")}
    widgets = _widgets(raw, problems)
    _thresholds(raw, problems)
    for name, allowed in (("sound", SOUNDS), ("distance", DISTANCES), ("theme", THEMES),
                          ("language", LANGUAGES)):  # fmt: skip
        _choice(raw, name, allowed, problems)
    if "mask_callers" in raw and not isinstance(raw["mask_callers"], bool):
        problems.append(problem("mask_callers", N_("must be true or false")))
    _leaderboard(raw, problems)
    if problems:
        raise Invalid(problems)
    fields = {k: raw[k] for k in ("thresholds", "sound", "distance", "language", "theme",
                                   "mask_callers", "leaderboard") if k in raw}  # fmt: skip
    return msgspec.convert(
        {"id": ident, "title": title, "queues": queues, "widgets": widgets, **teams, **fields},
        Board,
    )


def playlist(raw: Any, known_boards: Iterable[str]) -> Playlist:
    """A playlist from what a user sent; its boards must exist."""
    if not isinstance(raw, Mapping):
        raise Invalid([problem("playlist", N_("must be a JSON object"))])
    problems: list[Problem] = []
    _unknown(raw, _PLAYLIST_FIELDS, problems)
    title = _title(raw, problems)
    ident = _identity(raw, title, problems)
    boards = _list_of_text(raw, "boards", problems)
    known = set(known_boards)
    missing = [b for b in boards if b not in known]
    if missing:
        listed = ", ".join(missing)
        problems.append(problem("boards", N_("no such board(s): %(boards)s"), boards=listed))
    elif not boards or len(boards) > PLAYLIST_MAX_BOARDS:
        problems.append(
            problem("boards", N_("name 1 to %(most)s boards"), most=PLAYLIST_MAX_BOARDS)
        )
    seconds = raw.get("seconds", 30)
    low, high = PLAYLIST_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high:
        message = N_("must be a whole number from %(low)s to %(high)s")
        problems.append(problem("seconds", message, low=low, high=high))
    if problems:
        raise Invalid(problems)
    return Playlist(id=ident, title=title, boards=tuple(boards), seconds=seconds)


def board_thresholds(base: Thresholds, board: Board) -> Thresholds:
    """The global thresholds with the board's own over them."""
    raw = {q: {k: list(v) for k, v in f.items()} for q, f in board.thresholds.items()}
    return base.overridden(raw)
