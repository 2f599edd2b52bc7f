"""QueueMetrics' JSON answers, classic or simple, decoded into rows keyed by column title.

QueueMetrics before 23.09 ignores ``jsonFormat=simple``, so the format is told from the shape of
the answer, never from what was asked. Titles are looked up by name: column order changes
between versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from wallboard.qm.errors import QMAuthError, QMProtocolError, QMRefused

Row = dict[str, str]

_NBSP = "&nbsp;"
_NO_TIME = frozenset({"", "0", "-"})
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
# How QueueMetrics words a refused login or a missing key when it answers HTTP 200 with a failed
# result (which some versions do): such a refusal is an auth error, not a bad request.
_AUTH_WORDS = re.compile(r"auth|login|password|credential|\bkey\b|permission|denied", re.I)


def clean_cell(value: Any) -> str:
    """A cell as a string, with the ways QueueMetrics writes "empty" folded into ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        raise QMProtocolError(f"unexpected cell value {value!r}")
    text = value.replace(_NBSP, " ").strip()
    return text


def clean_title(title: Any) -> str:
    if not isinstance(title, str):
        raise QMProtocolError(f"column title is not text: {title!r}")
    return title.replace(_NBSP, " ").strip()


def find_block(payload: Mapping[str, Any], name: str) -> Any:
    """The block called ``name``, whatever the casing of its ``...DO.`` prefix.

    QueueMetrics echoes the key as it was asked (``RealtimeDO`` or ``RealTimeDO``); the part
    after the prefix is case-sensitive, so only the prefix is compared without case.
    """
    prefix, _, rest = name.rpartition(".")
    for key, value in payload.items():
        k_prefix, _, k_rest = key.rpartition(".")
        if k_rest == rest and k_prefix.lower() == prefix.lower():
            return value
    raise QMProtocolError(f"block {name!r} missing from QueueMetrics' answer")


def table(block: Any, name: str) -> list[Row]:
    """Rows of a tabular block as title → cell, from either format."""
    if not isinstance(block, list):
        raise QMProtocolError(f"block {name!r} is not a list")
    if not block:
        return []
    if all(isinstance(row, Mapping) for row in block):
        return [{clean_title(k): clean_cell(v) for k, v in row.items()} for row in block]
    if not all(isinstance(row, list) for row in block):
        raise QMProtocolError(f"block {name!r} mixes rows of different shapes")
    titles = [clean_title(t) for t in block[0]]
    rows: list[Row] = []
    for number, raw in enumerate(block[1:], start=1):
        if len(raw) > len(titles):
            raise QMProtocolError(f"block {name!r} row {number} has more cells than titles")
        cells = [clean_cell(c) for c in raw] + [""] * (len(titles) - len(raw))
        rows.append(dict(zip(titles, cells, strict=True)))
    return rows


class Columns:
    """A tabular block, either format, read by column: ``table`` without a dict per row.

    It refuses what ``table`` refuses, with the same errors in the same order; then only the
    columns asked for are cleaned. Rows of text cells are kept as they came (the common case);
    the others are cleaned whole first, as ``table`` cleans them (cleaning twice changes
    nothing).
    """

    __slots__ = ("_index", "_rows", "titles")

    def __init__(self, block: Any, name: str) -> None:
        if not isinstance(block, list):
            raise QMProtocolError(f"block {name!r} is not a list")
        self.titles: list[str] = []  # those of the first row, as ``table`` gives them
        self._rows: list[Any] = []  # records (title → cell) or lists of cells
        self._index: dict[str, int] | None = None  # title → place in a list; None for records
        if not block:
            return
        if all(isinstance(row, Mapping) for row in block):
            self._read_records(block)
        elif all(isinstance(row, list) for row in block):
            self._read_lists(block, name)
        else:
            raise QMProtocolError(f"block {name!r} mixes rows of different shapes")

    def _read_records(self, block: list[Mapping[Any, Any]]) -> None:
        first = block[0].keys()
        clean = all(isinstance(k, str) and clean_title(k) == k for k in first)
        for row in block:
            if not (clean and row.keys() == first and _all_text(row.values())):
                row = {clean_title(k): clean_cell(v) for k, v in row.items()}
            self._rows.append(row)
        self.titles = list(self._rows[0])

    def _read_lists(self, block: list[list[Any]], name: str) -> None:
        titles = [clean_title(t) for t in block[0]]
        width = len(titles)
        for number, raw in enumerate(block[1:], start=1):
            if len(raw) > width:
                raise QMProtocolError(f"block {name!r} row {number} has more cells than titles")
            if not _all_text(raw):
                raw = [clean_cell(c) for c in raw]
            if len(raw) < width:
                raw = raw + [""] * (width - len(raw))
            self._rows.append(raw)
        # A title written twice keeps its last cell, as in a dict of the row.
        self._index = {t: i for i, t in enumerate(titles)}
        if self._rows:
            self.titles = list(self._index)

    def __len__(self) -> int:
        return len(self._rows)

    def column(self, title: str | None) -> list[str]:
        """The cells under ``title``, cleaned; ``""`` where a row has none."""
        if title is not None and self._index is None:
            return [row.get(title, "").replace(_NBSP, " ").strip() for row in self._rows]
        at = self._index.get(title) if title is not None and self._index else None
        if at is None:
            return [""] * len(self._rows)
        return [row[at].replace(_NBSP, " ").strip() for row in self._rows]


def _all_text(cells: Iterable[Any]) -> bool:
    """Whether every cell is a string (``str.join`` checks it, in C)."""
    try:
        "".join(cells)
    except TypeError:
        return False
    return True


def key_values(block: Any, name: str) -> dict[str, str]:
    """A key/value block (``result``, ``auth``): pairs in classic, one object in simple."""
    if isinstance(block, Mapping):
        return {clean_title(k): clean_cell(v) for k, v in block.items()}
    if isinstance(block, list) and len(block) == 1 and isinstance(block[0], Mapping):
        return key_values(block[0], name)
    if isinstance(block, list) and all(isinstance(r, list) and len(r) >= 2 for r in block):
        return {clean_title(r[0]): clean_cell(r[1]) for r in block}
    raise QMProtocolError(f"block {name!r} is not a key/value block")


def check_result(payload: Any) -> dict[str, str]:
    """The ``result`` block; a Status other than OK becomes ``QMRefused`` with its Description."""
    if not isinstance(payload, Mapping):
        raise QMProtocolError("QueueMetrics' answer is not a JSON object")
    if "result" not in payload:
        raise QMProtocolError("QueueMetrics' answer has no result block")
    result = key_values(payload["result"], "result")
    status = result.get("Status", "")
    if status.upper() != "OK":
        description = result.get("Description") or status or "no description"
        message = f"QueueMetrics answered {status or 'no status'}: {description}"
        if _AUTH_WORDS.search(description):
            raise QMAuthError(message)
        raise QMRefused(message)
    return result


def epoch(row: Row, column: str) -> int | None:
    """A timestamp cell: ``""`` and ``"0"`` mean none; anything else must be a number."""
    return epoch_of(row.get(column, ""), column)


def epoch_of(value: str, column: str) -> int | None:
    """The timestamp in a cell of ``column`` (named if it is not one)."""
    if value in _NO_TIME:
        return None
    if value.isdecimal() and len(value) < 16:  # what ``float`` holds exactly: the usual case
        return int(value)
    if not _NUMBER.match(value):
        raise QMProtocolError(f"column {column!r}: {value!r} is not an epoch time")
    return int(float(value))


def integer(row: Row, column: str) -> int | None:
    value = row.get(column, "")
    if value in ("", "-"):
        return None
    if not _NUMBER.match(value):
        raise QMProtocolError(f"column {column!r}: {value!r} is not a number")
    return int(float(value))
