"""Languages: the message catalogues, which language a page speaks, and figures formatted for it.

Every word a page shows is an English message id looked up in a gettext catalogue
(``wallboard/locale/<lang>/LC_MESSAGES/messages.po``, made by ``scripts/i18n``). The language is
a context variable: a request sets it (``?lang=``, a board's language, ``Accept-Language``), and
the hub sets it around each view's render, so templates and Python code call ``gettext`` without
passing a language along. Names and texts from QueueMetrics are never translated.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "it", "de", "fr", "es")
DEFAULT = "en"
NAMES = {"en": "English", "it": "Italiano", "de": "Deutsch", "fr": "Français", "es": "Español"}
CATALOGUES = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT)
NO_FIGURE = "\N{EN DASH}"  # what a figure that is not known shows, in every language


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of a language, read once: its compiled ``.mo`` if newer than the ``.po``,
    else the ``.po`` compiled in memory (a checkout works without a build step)."""
    if language == DEFAULT:
        return NullTranslations()
    folder = CATALOGUES / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return Translations(compiled, domain=DOMAIN)
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def current() -> str:
    return _current.get()


def _known(language: str) -> str:
    return language if language in LANGUAGES else DEFAULT


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Everything rendered inside speaks ``language``."""
    token = _current.set(_known(language))
    try:
        yield
    finally:
        _current.reset(token)


def use(language: str) -> None:
    """Sets the language of the rest of this request (a task's own copy of the context)."""
    _current.set(_known(language))


def lookup(message: str) -> str:
    """The translation alone: Jinja's i18n extension fills the placeholders itself."""
    return translations(current()).ugettext(message)


def lookup_plural(singular: str, plural: str, n: int) -> str:
    return translations(current()).ungettext(singular, plural, n)


def lookup_in(context: str, message: str) -> str:
    """A translation in a context: the same English word for two things ("Available", one
    agent's state, and "Available", a count of agents) may be two words in another language."""
    return str(translations(current()).pgettext(context, message))


def gettext(message: str, **values: object) -> str:
    """For Python code: the translation with its ``%(name)s`` placeholders filled."""
    text = lookup(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    return lookup_plural(singular, plural, n) % {"num": n, **values}


def negotiate(query: str | None, accept_language: str | None, preferred: str = "") -> str:
    """The language of a page: ``?lang=`` when it names one we have, then ``preferred`` (a
    board's own), then the browser's ``Accept-Language`` by its weights, then English."""
    if query in LANGUAGES:
        return query
    if preferred in LANGUAGES:
        return preferred
    for tag in accepted(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def accepted(header: str) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first (``q=0`` left out)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and weight > 0:
            weighted.append((-weight, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


@cache
def locale(language: str) -> Locale:
    return Locale.parse(language)


def number(value: float | int | None) -> str:
    """A count or figure with the language's separators (``1,234`` / ``1.234``)."""
    if value is None:
        return NO_FIGURE
    return format_decimal(value, locale=locale(current()))


def percent(value: float | None, digits: int = 0) -> str:
    """A share in 0..1 as the language writes it (``80%``, ``80 %``)."""
    if value is None:
        return NO_FIGURE
    if digits == 0:  # the language's own pattern: "80%", "80 %" (a no-break space)
        return format_percent(value, locale=locale(current()))
    return format_percent(value, format="#,##0." + "0" * digits + "%", locale=locale(current()))


def decimal(value: float | None, digits: int = 1) -> str:
    if value is None:
        return NO_FIGURE
    return format_decimal(value, format="#,##0." + "0" * digits, locale=locale(current()))


def duration(seconds: float | None) -> str:
    """A wait or talk time: ``m:ss``, ``h:mm:ss`` past an hour (the same in every language)."""
    if seconds is None:
        return NO_FIGURE
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
