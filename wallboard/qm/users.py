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
