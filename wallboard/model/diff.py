"""What changed between two states, and applying it back.

A delta names, per section, the items set (new items whole, changed items by their changed
fields only) and the ids deleted. ``apply(old, diff(old, new)) == new`` holds for any two states
(a property test checks it), which is what lets a screen follow the change stream.
"""

from __future__ import annotations

import copy
from typing import Any

from wallboard.model.derive import ID_FIELD, SECTIONS, State, ordered

Delta = dict[str, Any]


def _index(state: State, section: str) -> dict[str, dict[str, Any]]:
    key = ID_FIELD[section]
    return {str(item[key]): item for item in state.get(section, [])}


def diff(old: State, new: State) -> Delta:
    """Only what changed; ``{}`` when nothing did."""
    delta: Delta = {}
    for section in SECTIONS:
        before, after = _index(old, section), _index(new, section)
        changed: dict[str, dict[str, Any]] = {}
        for key, item in after.items():
            previous = before.get(key)
            if previous is None:
                changed[key] = item
                continue
            fields = {f: v for f, v in item.items() if previous.get(f, object()) != v}
            if fields:
                changed[key] = fields
        deleted = sorted(k for k in before if k not in after)
        if changed or deleted:
            delta[section] = {"set": changed, "del": deleted}
    return delta


def apply(state: State, delta: Delta) -> State:
    result: State = {}
    for section in SECTIONS:
        items = _index(state, section)
        change = delta.get(section)
        if change:
            items = {k: dict(v) for k, v in items.items()}
            for key in change.get("del", []):
                items.pop(key, None)
            for key, fields in change.get("set", {}).items():
                items.setdefault(key, {}).update(copy.deepcopy(fields))
        result[section] = ordered(section, items.values())
    return result


def touched(delta: Delta) -> dict[str, set[str]]:
    """Per section, the ids that a delta set or deleted."""
    return {
        section: set(delta[section].get("set", {})) | set(delta[section].get("del", []))
        for section in SECTIONS
        if section in delta
    }
