"""What changed between two floors, and applying it back.

A delta names, per section, the items set (new items whole, changed items by their changed
fields only) and the ids deleted. It is plain JSON (it travels in the change stream), and
``apply(old, diff(old, new)) == new`` holds for any two floors (a property test checks it),
which is what lets a screen follow the change stream.
"""

from __future__ import annotations

from typing import Any

import msgspec

from wallboard.model.state import SECTIONS, Floor, Section, to_json

Delta = dict[str, Any]


def _index(section: Section[Any], floor: Floor) -> dict[str, Any]:
    return {section.id_of(item): item for item in section.items(floor)}


def _changed_fields(section: Section[Any], before: Any, after: Any) -> dict[str, Any]:
    fields = section.item.__struct_fields__
    return {
        f: to_json(getattr(after, f)) for f in fields if getattr(before, f) != getattr(after, f)
    }


def diff(old: Floor, new: Floor) -> Delta:
    """Only what changed; ``{}`` when nothing did."""
    delta: Delta = {}
    for section in SECTIONS:
        before, after = _index(section, old), _index(section, new)
        changed: dict[str, dict[str, Any]] = {}
        for key, item in after.items():
            previous = before.get(key)
            if previous is None:
                changed[key] = to_json(item)
            elif previous != item:
                changed[key] = _changed_fields(section, previous, item)
        deleted = sorted(k for k in before if k not in after)
        if changed or deleted:
            delta[section.name] = {"set": changed, "del": deleted}
    return delta


def _patched(section: Section[Any], item: Any, fields: dict[str, Any]) -> Any:
    base = to_json(item) if item is not None else {}
    return msgspec.convert({**base, **fields}, section.item)


def apply(floor: Floor, delta: Delta) -> Floor:
    """The floor after ``delta``; sections the delta does not name are kept as they are."""
    lists: dict[str, tuple[Any, ...]] = {}
    for section in SECTIONS:
        change = delta.get(section.name)
        if not change:
            continue
        items = _index(section, floor)
        for key in change.get("del", []):
            items.pop(key, None)
        for key, fields in change.get("set", {}).items():
            items[key] = _patched(section, items.get(key), fields)
        lists[section.name] = section.ordered(items.values())
    return msgspec.structs.replace(floor, **lists) if lists else floor


def touched(delta: Delta) -> dict[str, set[str]]:
    """Per section, the ids that a delta set or deleted."""
    return {
        section.name: set(delta[section.name].get("set", {}))
        | set(delta[section.name].get("del", []))
        for section in SECTIONS
        if section.name in delta
    }
