from __future__ import annotations

import pytest

from wallboard.qm.config import (
    display_name,
    parse_agent_queues,
    parse_agents,
    parse_pause_codes,
    parse_users,
)
from wallboard.qm.errors import QMProtocolError, QMRefused

GUIDE_AGENT = {
    "group_name": "Default", "PK_ID": "71", "location": "1", "group_by": "1",
    "descr_agente": "John Doe (101)", "chiave_agente": "", "loc_name": "Main", "vnc_url": "",
    "group_icon": "default.png", "real_name": "Super Visor", "supervised_by": "41",
    "current_terminal": "", "nome_agente": "agent/101", "xmpp_address": "agent101@chatserver",
}  # fmt: skip


def test_agent_editor_record_of_the_guide() -> None:
    info = parse_agents([GUIDE_AGENT])["agent/101"]
    assert (info.name, info.group, info.location, info.supervisor_id) == (
        "John Doe", "Default", "Main", "41",
    )  # fmt: skip


def test_single_record_with_decoded_fields() -> None:
    record = {"nome_agente": "Agent/7", "descr_agente": "Ann", "group_by__DECODED": "Team A",
              "location__DECODED": "Rome", "supervised_by__DECODED": "demosupervisor"}  # fmt: skip
    info = parse_agents(record)["agent/7"]
    assert (info.name, info.group, info.location, info.supervisor) == (
        "Ann", "Team A", "Rome", "demosupervisor",
    )  # fmt: skip


def test_display_name_falls_back_on_the_code() -> None:
    assert display_name("(101)", "agent/101") == "agent/101"
    assert display_name("Jane (Support) (7)", "a") == "Jane (Support)"


def test_users() -> None:
    assert parse_users([{"PK_ID": "41", "login": "demosupervisor"}]) == {"41": "demosupervisor"}
    with pytest.raises(QMProtocolError):
        parse_users("nope")


def test_an_editor_refusal_answered_with_http_200_says_why() -> None:
    with pytest.raises(QMRefused, match="the user editor refused: User robot lacks key"):
        parse_users({"error": "User robot lacks key USRADMIN"})


def test_agent_queues_in_both_formats() -> None:
    classic = {
        "output": [
            ["Agent/101", "Q1", "Queue 1", "0"],
            ["Agent/101", "Q3 Q4", "Monitor 3 & 4", "1"],
        ]
    }
    assert parse_agent_queues(classic) == {"Q1": "Queue 1"}
    simple = {"output": [{"Level": "0", "Queue name": "Sales", "Agent": "a", "Queue": "300"}]}
    assert parse_agent_queues(simple) == {"300": "Sales"}


def test_pause_codes_of_the_guide_with_or_without_title_row() -> None:
    rows = [["Agent/101", "03", "Lunch break", "PNB"], ["Agent/101", "17", "E-mail", "PB"]]
    expected = {"03": ("Lunch break", "PNB"), "17": ("E-mail", "PB")}
    assert parse_pause_codes({"output": rows}) == expected
    titled = [["Agent", "Code", "Description", "Type"], *rows]
    assert parse_pause_codes({"output": titled}) == expected
    simple = [{"Type": "PNB", "Description": "Lunch break", "Pause code": "03", "Agent": "a"}]
    assert parse_pause_codes({"output": simple}) == {"03": ("Lunch break", "PNB")}
