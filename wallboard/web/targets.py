"""What a supervisor may type where the PBX will dial it: a transfer's target, the phone that
listens to a call, an agent's extension at log-on.

Only what Asterisk dials as it is: digits with ``*`` and ``#`` (``202``, ``*45``), or a channel
name of a technology and a resource (``SIP/202``, ``PJSIP/agent-7``). Anything else (spaces,
a dial string with options, an ``&`` to ring several) is refused before it goes upstream.
"""

from __future__ import annotations

import re
from typing import Any

from wallboard.web.errors import Invalid

MAX_TARGET = 40
DIGITS = re.compile(r"[0-9*#]{1,40}")
CHANNEL = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}/[A-Za-z0-9][A-Za-z0-9._-]{0,38}")


def dialable(value: Any, what: str = "target") -> str:
    """``value`` as a target the PBX may dial; ``Invalid`` naming ``what`` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{what} is required: digits, * or #, or a channel such as SIP/202")
    text = value.strip()
    if len(text) > MAX_TARGET or not (DIGITS.fullmatch(text) or CHANNEL.fullmatch(text)):
        raise Invalid(
            f"{what} {text[:MAX_TARGET]!r} cannot be dialled: use digits, * or #, "
            "or a channel such as SIP/202"
        )
    return text
