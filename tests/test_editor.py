"""The editor's forms: what a posted form becomes (the API's JSON, checked by the same model),
and what a form shows of a stored, cloned or mistyped board."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from wallboard.model import board as model
from wallboard.model.board import DEFAULT_WIDGETS, WIDGETS, Board, Invalid, Rules
from wallboard.web import editor_form as forms


def posted(*pairs: tuple[str, str]) -> dict[str, list[str]]:
    """The fields of a body as a browser posts it (the same name repeated for checkboxes)."""
    return forms.fields(urlencode(list(pairs)).encode())


def test_fields_keep_every_value_in_order_and_blanks() -> None:
    form = posted(("queues", "300"), ("queues", "301"), ("group", ""))
    assert form == {"queues": ["300", "301"], "group": [""]}


def test_a_full_form_is_the_board_the_api_would_take() -> None:
    form = posted(
        ("version", "4"), ("title", "Sales floor"), ("queues", "300"), ("queues", "301"),
        ("group", "Sales"), ("location", ""), ("supervisor", "sup"),
        ("widget_order", "agents"), ("widget_order", "queues"), ("widget_order", "clock"),
        ("widgets", "queues"), ("widgets", "agents"),
        ("th:waiting:yellow:*", "3"), ("th:waiting:red:*", "6"),
        ("th:longest_wait:yellow:300", "30"), ("th:longest_wait:red:300", "90.5"),
        ("th:available:yellow:301", ""), ("th:available:red:301", ""),
        ("sound", "repeat"), ("distance", "10m"), ("language", "it"), ("theme", "light"),
        ("mask_callers", "1"), ("leaderboard", "5"),
    )  # fmt: skip
    raw = forms.board(form)
    assert raw == {
        "title": "Sales floor", "group": "Sales", "location": "", "supervisor": "sup",
        "sound": "repeat", "distance": "10m", "language": "it", "theme": "light",
        "queues": ["300", "301"], "widgets": ["agents", "queues"],
        "thresholds": {"*": {"waiting": [3, 6]}, "300": {"longest_wait": [30, 90.5]}},
        "mask_callers": True, "leaderboard": 5, "version": 4,
    }  # fmt: skip
    board = model.board(raw, Rules(watched=frozenset({"300", "301"})))
    assert board.id == "sales-floor"
    assert board.widgets == ("agents", "queues")
    assert board.thresholds == {"*": {"waiting": (3, 6)}, "300": {"longest_wait": (30, 90.5)}}


def test_an_unticked_checkbox_is_false_and_no_queue_is_every_queue() -> None:
    raw = forms.board(posted(("title", "All"), ("widgets", "clock")))
    assert raw["mask_callers"] is False
    assert raw["queues"] == []
    assert "version" not in raw
    assert model.board(raw, Rules()).queues == ()


def test_widget_rows_give_the_order_and_a_ticked_widget_without_a_row_comes_last() -> None:
    form = posted(
        ("widget_order", "clock"), ("widget_order", "agents"), ("widget_order", "queues"),
        ("widgets", "queues"), ("widgets", "clock"), ("widgets", "today"),
    )  # fmt: skip
    assert forms.ordered(form, "widgets", "widget_order") == ["clock", "queues", "today"]


def test_an_unknown_widget_is_refused_by_the_model_not_dropped_by_the_form() -> None:
    raw = forms.board(posted(("title", "X"), ("widgets", "weather")))
    with pytest.raises(Invalid) as caught:
        model.board(raw, Rules())
    assert [p.field for p in caught.value.problems] == ["widgets"]


@pytest.mark.parametrize(
    ("yellow", "red", "reason"),
    [("3", "", "give yellow and red, or neither"), ("", "6", "give yellow and red, or neither"),
     ("three", "6", "must be numbers"), ("nan", "6", "must be numbers"),
     ("inf", "6", "must be numbers")],
)  # fmt: skip
def test_a_threshold_half_given_or_not_a_number_is_a_problem_of_the_thresholds(
    yellow: str, red: str, reason: str
) -> None:
    form = posted(("title", "X"), ("th:waiting:yellow:300", yellow), ("th:waiting:red:300", red))
    with pytest.raises(Invalid) as caught:
        forms.board(form)
    (problem,) = caught.value.problems
    assert problem.field == "thresholds"
    assert problem.reason.startswith("queue 300, waiting: ")
    assert reason in problem.reason


def test_a_queue_code_with_a_colon_keeps_it() -> None:
    form = posted(("th:waiting:yellow:q:1", "1"), ("th:waiting:red:q:1", "2"))
    assert forms.board(form)["thresholds"] == {"q:1": {"waiting": [1, 2]}}


def test_red_below_yellow_is_the_models_problem_with_the_thresholds_field() -> None:
    raw = forms.board(posted(("title", "X"), ("th:waiting:yellow:*", "6"),
                             ("th:waiting:red:*", "3")))  # fmt: skip
    with pytest.raises(Invalid) as caught:
        model.board(raw, Rules())
    reasons = {p.field: p.reason for p in caught.value.problems}
    assert "red must be above yellow" in reasons["thresholds"]
    assert reasons["widgets"] == "choose at least one widget"  # every problem at once


def test_a_version_that_is_not_a_number_is_left_out_for_the_library_to_ask_for() -> None:
    assert "version" not in forms.board(posted(("title", "X"), ("version", "x")))
    assert "version" not in forms.playlist(posted(("title", "X"), ("version", "")))


def test_a_playlist_form() -> None:
    form = posted(
        ("version", "2"), ("title", "Floor"), ("seconds", "5"),
        ("board_order", "support"), ("board_order", "sales"), ("board_order", "unused"),
        ("boards", "sales"), ("boards", "support"),
    )  # fmt: skip
    raw = forms.playlist(form)
    assert raw == {"title": "Floor", "boards": ["support", "sales"], "seconds": 5, "version": 2}
    assert model.playlist(raw, ["sales", "support"]).boards == ("support", "sales")


@pytest.mark.parametrize("seconds", ["", "4.5", "-3", "ten"])
def test_seconds_that_are_not_a_whole_number_reach_the_model_as_text(seconds: str) -> None:
    raw = forms.playlist(posted(("title", "F"), ("boards", "a"), ("seconds", seconds)))
    assert raw["seconds"] == seconds
    with pytest.raises(Invalid) as caught:
        model.playlist(raw, ["a"])
    assert [p.field for p in caught.value.problems] == ["seconds"]


STORED = Board(
    id="sales", title="Sales", queues=("300",), widgets=("agents", "queues"),
    thresholds={"*": {"waiting": (3.0, 6.0)}, "300": {"longest_wait": (30.0, 90.5)}},
    version=7, updated_by="sup",
)  # fmt: skip


def test_a_stored_board_fills_its_form() -> None:
    draft = forms.board_draft(STORED)
    assert draft.values["title"] == "Sales"
    assert draft.values["version"] == 7
    assert draft.inputs == {
        "th:waiting:yellow:*": "3", "th:waiting:red:*": "6",
        "th:longest_wait:yellow:300": "30", "th:longest_wait:red:300": "90.5",
    }  # fmt: skip


def test_the_form_of_a_stored_board_posts_back_the_same_board() -> None:
    draft = forms.board_draft(STORED)
    values = draft.values
    pairs = [("version", str(values["version"])), ("title", values["title"])]
    pairs += [("queues", q) for q in values["queues"]]
    rows = forms.ordered_rows(values["widgets"], WIDGETS)
    pairs += [("widget_order", w) for w, _ in rows]
    pairs += [("widgets", w) for w, on in rows if on]
    pairs += list(draft.inputs.items())
    pairs += [(k, values[k]) for k in ("group", "location", "supervisor", "sound", "distance",
                                         "language", "theme")]  # fmt: skip
    again = model.board({**forms.board(posted(*pairs)), "id": "sales"}, Rules())
    assert again == Board(**{**values, "version": 0, "updated_by": "", "updated_at": 0.0,
                             "queues": ("300",), "widgets": ("agents", "queues"),
                             "thresholds": STORED.thresholds})  # fmt: skip


def test_a_clone_is_a_new_board_titled_as_a_copy() -> None:
    draft = forms.clone_board(STORED)
    assert (draft.values["id"], draft.values["title"], draft.values["version"]) == (
        "", "Copy of Sales", 0)  # fmt: skip
    assert draft.inputs["th:waiting:red:*"] == "6"
    long = forms.clone_board(Board(id="x", title="T" * 80))
    assert len(long.values["title"]) == 80


def test_a_posted_form_keeps_what_was_typed_and_its_problems() -> None:
    form = posted(("title", ""), ("widgets", "clock"), ("th:waiting:yellow:*", "abc"),
                  ("version", "7"))  # fmt: skip
    draft = forms.posted_board(form, STORED)
    problems = [model.Problem("title", "must not be empty"), model.Problem("title", "again")]
    forms.with_problems(draft, problems)
    assert draft.values["title"] == ""
    assert draft.values["widgets"] == ["clock"]
    assert draft.values["queues"] == []  # nothing ticked: as posted, not as stored
    assert draft.inputs == {"th:waiting:yellow:*": "abc"}
    assert draft.problem("title") == ["must not be empty", "again"]
    assert draft.problem("queues") == []


def test_a_new_board_has_the_default_widgets_and_a_new_playlist_thirty_seconds() -> None:
    assert tuple(forms.new_board().values["widgets"]) == DEFAULT_WIDGETS
    assert forms.new_playlist().values["seconds"] == 30


def test_ordered_rows_put_the_chosen_first_in_their_order() -> None:
    rows = forms.ordered_rows(["clock", "agents"], ["queues", "agents", "clock"])
    assert rows == [("clock", True), ("agents", True), ("queues", False)]
