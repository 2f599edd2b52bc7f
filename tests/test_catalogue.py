"""Every word a page shows comes from the catalogue, and every language translates all of it.

Three checks, each failing with the offending file and text:
- a template holds no literal words outside ``_()`` / ``{% trans %}`` (text between tags, and the
  attributes people read: ``title``, ``aria-label``, ``placeholder``, ``alt``, ``data-ask`` ...);
- the catalogue (``messages.pot``) holds every message the code and templates use
  (``scripts/i18n extract`` makes it);
- each language's ``messages.po`` translates every message, none fuzzy, with the same
  ``%(name)s`` placeholders.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from wallboard import i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-ask", "data-confirm",
                   "aria-description", "data-label", "aria-roledescription", "value"}  # fmt: skip
# Blocks that fill a tag's attributes (class names, data-*), not text.
ATTRIBUTE_BLOCKS = re.compile(
    r"\{%-?\s*block\s+body_(?:class|data)\s*-?%\}.*?\{%-?\s*endblock", re.S
)
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
ATTRIBUTE_TEXT = re.compile(r'[\w-]+="[^"]*"')  # a macro's output of attributes, not words
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not "x" or "%"


class Literals(HTMLParser):
    """Words left in a template once its Jinja parts are taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            plain_value = name == "value" and tag in ("input", "option") and not _is_button(attrs)
            if name in READ_ATTRIBUTES and value and WORD.search(value) and not plain_value:
                self.found.append(f'{tag}[{name}]="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip and WORD.search(data):
            self.found.append(data.strip())


def _is_button(attrs: list[tuple[str, str | None]]) -> bool:
    return dict(attrs).get("type") in ("submit", "button", "reset")


def literals(source: str) -> list[str]:
    """The words of a template outside Jinja: a placeholder keeps attributes well formed."""
    parser = Literals()
    parser.feed(JINJA.sub("\x00", ATTRIBUTE_BLOCKS.sub("", source)))
    parser.close()
    words = (ATTRIBUTE_TEXT.sub(" ", text.replace("\x00", " ")) for text in parser.found)
    return [text for text, rest in zip(parser.found, words, strict=True) if WORD.search(rest)]


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_a_template_has_no_words_outside_the_catalogue(template: str) -> None:
    found = literals((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not found, f"{template}: words not from the catalogue: {found}"


def test_the_literal_check_finds_words() -> None:
    assert literals("<p>Waiting</p>") == ["Waiting"]
    assert literals('<b title="Long wait">{{ _("x") }}</b>') == ['b[title]="Long wait"']
    assert literals("<p>{{ _('Waiting') }} · {{ n }}</p>") == []
    assert literals("<script>var a = 'text';</script>") == []


def used_messages() -> set[str]:
    mapping = [("wallboard/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                     "lstrip_blocks": "true"}}  # fmt: skip
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2),
                "pgettext": ((1, "c"), 2)}  # fmt: skip
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, mapping, options, keywords=keywords
    ):
        found.add((message if isinstance(message, str) else message[0], context))
    return found


def catalogue(path: Path) -> dict[tuple[str, str | None], object]:
    """Messages by (English, context): one word may be two messages in two contexts."""
    with path.open("rb") as source:
        return {(m.id if isinstance(m.id, str) else m.id[0], m.context): m
                for m in read_po(source) if m.id}  # fmt: skip


def test_the_catalogue_holds_every_message_in_use() -> None:
    known = catalogue(i18n.CATALOGUES / "messages.pot")
    missing = sorted(used_messages() - known.keys())
    assert not missing, f"not in messages.pot (run scripts/i18n): {missing}"


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_every_language_translates_every_message(language: str) -> None:
    wanted = catalogue(i18n.CATALOGUES / "messages.pot").keys()
    po = catalogue(i18n.CATALOGUES / language / "LC_MESSAGES" / "messages.po")
    untranslated, fuzzy, placeholders = [], [], []
    for msgid in sorted(wanted, key=lambda k: (k[0], k[1] or "")):
        message = po.get(msgid)
        strings = [] if message is None else _strings(message.string)  # type: ignore[attr-defined]
        if not strings or not all(strings):
            untranslated.append(msgid)
            continue
        if message.fuzzy:  # type: ignore[union-attr]
            fuzzy.append(msgid)
        ids = _strings(message.id)  # type: ignore[union-attr]
        if any(_holes(s) != _holes(ids[-1]) for s in strings):
            placeholders.append(msgid)
    assert not untranslated, f"{language}: not translated: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy}"
    assert not placeholders, f"{language}: placeholders differ: {placeholders}"


def _strings(value: object) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [str(value or "")]


def _holes(text: str) -> set[str]:
    return set(re.findall(r"%\([a-z_]+\)s", text))
