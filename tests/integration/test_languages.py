"""Pages in the viewer's language, over a real web, poller, simulator and Redis: the browser's
Accept-Language, ?lang= over it, a board's own language, <html lang>, the stream's fragments
in each view's language (two languages on one process at once), and Vary for caches."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.drive import quiet
from tests.harness import TEST_PACE, Proc, Stack
from tests.waiting import until
from wallboard import i18n
from wallboard.processes import EmbeddedRedis

SUPERVISOR = ("demosupervisor", "demo")


def said(language: str, message: str) -> str:
    """The message as the catalogue has it in that language (HTML-escaped as a page shows it)."""
    with i18n.speaking(language):
        text = i18n.gettext(message)
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")


@pytest.fixture(scope="module")
def web(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    with Stack(tmp_path_factory.mktemp("languages"), redis_server.url, prefix="lang:",
               **TEST_PACE) as stack:  # fmt: skip
        quiet(stack.simulator())
        stack.poller()
        web = stack.web()
        until(lambda: httpx.get(f"{web.url}/readyz").json()["fresh"], 20, "fresh data")
        board = {"id": "etage", "title": "Étage", "widgets": ["queues", "agents", "clock"],
                 "language": "fr"}  # fmt: skip
        made = httpx.post(f"{web.url}/api/boards", json=board, auth=SUPERVISOR, timeout=10)
        assert made.status_code in (200, 201), made.text
        assert made.json()["id"] == "etage"
        # Each web reads the library every round: the board opens once this one has read it.
        until(lambda: httpx.get(f"{web.url}/boards/etage").status_code == 200, 20, "the board")
        yield web


def page(web: Proc, path: str, accept: str = "") -> httpx.Response:
    headers = {"Accept-Language": accept} if accept else {}
    answer = httpx.get(f"{web.url}{path}", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="([a-z]+)"', html)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("/wallboard", "de-DE,de;q=0.9,en;q=0.5", "de"),
        ("/wallboard?lang=it", "de-DE,de;q=0.9", "it"),
        ("/wallboard", "pt-BR", "en"),
        ("/login", "es", "es"),
        ("/boards/etage", "de", "fr"),  # the board's own language over the browser's
        ("/boards/etage?lang=es", "de", "es"),  # ?lang= over the board's
    ],
)
def test_a_page_speaks_the_language_it_was_asked_for(
    web: Proc, path: str, accept: str, expected: str
) -> None:
    answer = page(web, path, accept)
    html = answer.text
    assert lang_of(html) == expected
    word = "Log in" if path == "/login" else "Agents"
    assert said(expected, word) in html
    if expected != "en":
        assert f">{word}<" not in html, "the English word is still there"
    assert "Accept-Language" in answer.headers.get("vary", "")


def first_event(web: Proc, query: str, accept: str) -> str:
    """The first event of a page's stream: its full refresh, as that page's browser asks it."""
    headers = {"Accept": "text/event-stream", "Accept-Language": accept}
    with httpx.stream("GET", f"{web.url}/events?{query}", headers=headers, timeout=10) as events:
        data = []
        for line in events.iter_lines():
            if line.startswith("data:"):
                data.append(line[5:])
            elif not line and data:
                return "\n".join(data)
    raise AssertionError("the stream ended before its first event")


def test_each_stream_speaks_its_views_language(web: Proc) -> None:
    german = first_event(web, "view=tv&lang=de", "de")
    english = first_event(web, "view=tv&lang=en", "de")  # the page's ?lang= travels along
    italian = first_event(web, "view=tv", "it")  # no ?lang=: the browser's language
    assert said("de", "longest wait") in german and "longest wait" not in german
    assert "longest wait" in english
    assert said("it", "longest wait") in italian
    # The stream's URL on the page names its language, so the stream agrees with the page.
    assert "lang=de" in page(web, "/wallboard", "de").text


def test_an_unknown_board_says_it_is_not_there_not_that_it_is_locked(web: Proc) -> None:
    answer = httpx.get(f"{web.url}/boards/nope", headers={"Accept-Language": "it"}, timeout=10)
    assert answer.status_code == 404
    assert said("it", "No such board") in answer.text
    assert said("it", "This board is locked") not in answer.text
