"""What may be dialled: digits with * and #, or a channel name; nothing else."""

from __future__ import annotations

import pytest

from wallboard.web.errors import Invalid
from wallboard.web.targets import dialable


@pytest.mark.parametrize("value", ["202", "*45", "#", "0039021234567", "SIP/202", "PJSIP/agent-7",
                                   "IAX2/trunk.1", " 202 "])  # fmt: skip
def test_dialable_targets_pass_trimmed(value: str) -> None:
    assert dialable(value) == value.strip()


@pytest.mark.parametrize(
    "value",
    ["", "  ", "202 203", "SIP/202&SIP/203", "SIP/202,30,tT", "Local/202@from-internal",
     "202;x", "/202", "SIP/", "sip 202", "2" * 41, "ext.202", "+39021234567", "SIP/-202"],
)  # fmt: skip
def test_anything_else_is_refused_with_the_reason(value: str) -> None:
    with pytest.raises(Invalid) as refused:
        dialable(value, "extension")
    assert "extension" in refused.value.message and "SIP/202" in refused.value.message


@pytest.mark.parametrize("value", [None, 202, ["202"], {"x": 1}])
def test_what_is_not_text_is_refused(value: object) -> None:
    with pytest.raises(Invalid):
        dialable(value)
