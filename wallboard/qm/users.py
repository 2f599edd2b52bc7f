"""Who a QueueMetrics user is, from ``QmAuth``: the wallboard keeps no user database of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallboard.qm.errors import QMAuthError, QMProtocolError
from wallboard.qm.wire import find_block, key_values


@dataclass(frozen=True, slots=True)
class UserInfo:
    user: str
    full_name: str
    user_class: str
    keys: frozenset[str]
    master: bool

    def holds(self, key: str) -> bool:
        """The master key passes every key check."""
        return self.master or key in self.keys


def parse_auth(payload: Any) -> UserInfo:
    if not isinstance(payload, dict):
        raise QMProtocolError("QueueMetrics' answer is not a JSON object")
    items = {k.lower(): v for k, v in key_values(find_block(payload, "auth"), "auth").items()}
    if items.get("status", "").upper() != "OK":
        raise QMAuthError("QueueMetrics refused the login")
    return UserInfo(
        user=items.get("username", ""),
        full_name=items.get("fullname", ""),
        user_class=items.get("class", ""),
        keys=frozenset(items.get("keys", "").split()),
        master=items.get("masterkey", "") in ("1", "true", "TRUE"),
    )


@dataclass(frozen=True, slots=True)
class Profile:
    """Another user as QueueMetrics sees them now (``QmAuthenticate`` with ``deferred=``)."""

    user: str
    full_name: str
    keys: frozenset[str]
    enabled: bool


def parse_profile(payload: Any, login: str) -> Profile:
    """The ``output`` block of attribute/value rows; names are case-insensitive and blank
    attributes may be missing. A user QueueMetrics does not return counts as disabled."""
    if not isinstance(payload, dict):
        raise QMProtocolError("QueueMetrics' answer is not a JSON object")
    items = {k.lower(): v for k, v in key_values(find_block(payload, "output"), "output").items()}
    found = items.get("user.login", "")
    return Profile(
        user=found or login,
        full_name=items.get("user.real_name", ""),
        keys=frozenset(items.get("user.keys", "").split()),
        enabled=bool(found) and items.get("user.enabled", "true").lower() not in ("false", "0"),
    )
