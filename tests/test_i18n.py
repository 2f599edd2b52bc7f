"""Which language a page speaks, and figures written the way that language writes them."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from wallboard import i18n


def po_string(language: str, message: str) -> str:
    path = i18n.CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        found = read_po(source).get(message)
    assert found is not None and found.string
    return str(found.string)


@pytest.mark.parametrize(
    ("query", "header", "preferred", "expected"),
    [
        ("it", "de", "fr", "it"),  # ?lang= first
        ("xx", "de", "fr", "fr"),  # a language we lack is ignored; the board's own next
        ("", "de-CH,de;q=0.9,en;q=0.8", "", "de"),  # a regional tag counts as its language
        ("", "pt-BR,es;q=0.7,fr;q=0.9", "", "fr"),  # by weight, not by order
        ("", "fr;q=0,es", "", "es"),  # q=0: "not this one"
        ("", "pt,ja", "", "en"),  # none we have: English
        ("", "", "", "en"),
        ("", "de;q=oops,it", "", "it"),  # a malformed weight drops that entry only
    ],
)
def test_negotiate(query: str, header: str, preferred: str, expected: str) -> None:
    assert i18n.negotiate(query, header, preferred) == expected


def test_accepted_orders_by_weight_then_position() -> None:
    assert i18n.accepted("a;q=0.5, b, c;q=0.5, d;q=1") == ["b", "d", "a", "c"]


def test_speaking_sets_the_language_and_restores_it() -> None:
    with i18n.speaking("it"):
        assert i18n.current() == "it"
        assert i18n.gettext("waiting") == po_string("it", "waiting")
        with i18n.speaking("nonsense"):
            assert i18n.current() == "en"
        assert i18n.current() == "it"
    assert i18n.current() == "en"
    assert i18n.gettext("waiting") == "waiting"


@pytest.mark.parametrize("language", ["it", "de", "fr", "es"])
def test_every_language_translates_the_tiles_words(language: str) -> None:
    with i18n.speaking(language):
        for word in ("waiting", "longest wait", "Answered", "Logged in"):
            assert i18n.gettext(word) == po_string(language, word) != word


def test_placeholders_are_filled_after_translation() -> None:
    with i18n.speaking("de"):
        text = i18n.gettext("Renamed: %(name)s.", name="<TV 1>")
    assert "<TV 1>" in text and "%(" not in text


def test_figures_follow_the_language() -> None:
    written = {}
    for language in i18n.LANGUAGES:
        with i18n.speaking(language):
            written[language] = (i18n.number(12345), i18n.percent(0.8), i18n.decimal(2.5))
    assert written["en"] == ("12,345", "80%", "2.5")
    assert written["de"][0] == "12.345" and written["de"][2] == "2,5"
    assert written["it"][0] == "12.345"
    # French groups with a narrow no-break space and spaces the percent sign: never a line
    # break inside a figure on a TV.
    assert written["fr"][0] == "12\u202f345"
    assert written["fr"][1].replace("\u202f", "\u00a0") == "80\u00a0%"
    assert all(" " not in figure for texts in written.values() for figure in texts)


def test_missing_figures_and_durations() -> None:
    unknown = {i18n.number(None), i18n.percent(None), i18n.decimal(None), i18n.duration(None)}
    assert unknown == {"\N{EN DASH}"}
    assert [i18n.duration(s) for s in (0, 59.6, 61, 3600, 3725)] == [
        "0:00", "1:00", "1:01", "1:00:00", "1:02:05"
    ]  # fmt: skip
