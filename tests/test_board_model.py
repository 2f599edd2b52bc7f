"""Checking boards and playlists: every problem reported with its field, nothing guessed."""

from __future__ import annotations

from typing import Any

import pytest

from wallboard.model.alerts import DEFAULTS, Thresholds
from wallboard.model.board import (
    DEFAULT_WIDGETS,
    Invalid,
    Rules,
    board,
    board_thresholds,
    playlist,
    slug,
)

RULES = Rules(watched=frozenset({"300", "301"}))


def problems(raw: Any, rules: Rules = RULES) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        board(raw, rules)
    return {p.field: p.reason for p in caught.value.problems}


def test_a_title_is_enough_and_gives_the_id_and_defaults() -> None:
    made = board({"title": "Sales floor"}, RULES)
    assert made.id == "sales-floor"
    assert made.widgets == DEFAULT_WIDGETS
    assert (made.sound, made.distance, made.theme, made.language) == ("off", "5m", "dark", "en")


def test_every_field_is_kept() -> None:
    raw = {
        "id": "support", "title": "Support", "queues": ["301", "300", "301"], "group": "G",
        "location": "L", "supervisor": "sup", "widgets": ["clock", "queues"],
        "thresholds": {"300": {"longest_wait": [30, 90]}}, "sound": "repeat",
        "distance": "10m", "language": "it", "theme": "contrast", "mask_callers": True,
    }  # fmt: skip
    made = board(raw, RULES)
    assert made.queues == ("301", "300")
    assert made.widgets == ("clock", "queues")
    assert made.thresholds == {"300": {"longest_wait": (30.0, 90.0)}}
    assert (made.sound, made.distance, made.language, made.theme) == ("repeat", "10m", "it",
                                                                      "contrast")  # fmt: skip
    assert made.mask_callers is True


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 81}, "title"),
        ({}, "title"),
        ({"title": "T", "id": "Bad Id"}, "id"),
        ({"title": "T", "widgets": ["queues", "weather"]}, "widgets"),
        ({"title": "T", "widgets": []}, "widgets"),
        ({"title": "T", "widgets": ["clock", "clock"]}, "widgets"),
        ({"title": "T", "queues": ["999"]}, "queues"),
        ({"title": "T", "thresholds": {"*": {"waiting": [6, 3]}}}, "thresholds"),
        ({"title": "T", "thresholds": {"*": {"noise": [1, 2]}}}, "thresholds"),
        ({"title": "T", "thresholds": []}, "thresholds"),
        ({"title": "T", "sound": "loud"}, "sound"),
        ({"title": "T", "distance": "2m"}, "distance"),
        ({"title": "T", "theme": "pink"}, "theme"),
        ({"title": "T", "language": "xx"}, "language"),
        ({"title": "T", "mask_callers": "yes"}, "mask_callers"),
        ({"title": "T", "colour": "red"}, "colour"),
    ],
)
def test_each_bad_field_is_named(raw: dict[str, Any], field: str) -> None:
    assert field in problems(raw)


def test_all_problems_at_once() -> None:
    found = problems({"title": "", "sound": "loud", "widgets": ["x"]})
    assert set(found) == {"title", "sound", "widgets"}


def test_any_queue_when_all_are_watched() -> None:
    assert board({"title": "T", "queues": ["999"]}, Rules()).queues == ("999",)


def test_not_an_object() -> None:
    assert "board" in problems(["title"])


def test_slug() -> None:
    assert slug("Città — Vendite 2") == "citta-vendite-2"
    assert slug("!!!") == "board"
    assert len(slug("x" * 100)) == 40


def test_board_thresholds_override_the_global_ones_figure_by_figure() -> None:
    base = Thresholds.parse(DEFAULTS)
    made = board({"title": "T", "thresholds": {"300": {"waiting": [1, 2]}}}, RULES)
    mine = board_thresholds(base, made)
    assert (mine.of("300")["waiting"].yellow, mine.of("300")["waiting"].red) == (1, 2)
    assert mine.of("300")["longest_wait"] == base.of("300")["longest_wait"]
    assert mine.of("301")["waiting"] == base.of("301")["waiting"]


def test_playlist_needs_existing_boards_and_sane_seconds() -> None:
    made = playlist({"title": "Floor", "boards": ["a", "b"], "seconds": 20}, ["a", "b"])
    assert (made.id, made.boards, made.seconds) == ("floor", ("a", "b"), 20)
    for raw, field in [
        ({"title": "F", "boards": ["c"]}, "boards"),
        ({"title": "F", "boards": []}, "boards"),
        ({"title": "F", "boards": ["a"], "seconds": 1}, "seconds"),
        ({"title": "F", "boards": ["a"], "seconds": True}, "seconds"),
        ({"title": "", "boards": ["a"]}, "title"),
    ]:
        with pytest.raises(Invalid) as caught:
            playlist(raw, ["a", "b"])
        assert field in {p.field for p in caught.value.problems}


def test_the_insight_widgets_and_a_leaderboard() -> None:
    raw = {"title": "Insights", "widgets": ["agents_today", "trend", "staffing"]}
    made = board({**raw, "leaderboard": 5}, RULES)
    assert made.widgets == ("agents_today", "trend", "staffing") and made.leaderboard == 5
    assert board(raw, RULES).leaderboard == 0
    for bad in (-1, 101, 2.5, True, "5"):
        with pytest.raises(Invalid) as caught:
            board({**raw, "leaderboard": bad}, RULES)
        assert [p.field for p in caught.value.problems] == ["leaderboard"]
