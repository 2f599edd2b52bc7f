"""QueueMetrics' configuration as the wallboard needs it: who agents are, queue names, pause
reasons. Raw blocks carry only codes; these answers put names to them.

Pure parsers of the ``agent`` and ``user`` editors (``jsonEditorApi.do``), ``QmAgentQueues`` and
``QmAgentPCodes``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallboard.qm.errors import QMProtocolError, QMRefused
from wallboard.qm.wire import clean_cell, find_block

PAUSE_TYPES = {"PB", "PNB", "NPB", "NPNB"}
_NUMBER_SUFFIX = re.compile(r"\s*\(\s*[^()]*\)\s*$")


@dataclass(frozen=True, slots=True)
class AgentInfo:
    code: str
    name: str
    group: str
    location: str
    supervisor_id: str
    supervisor: str = ""
    record_id: str = ""


@dataclass(frozen=True, slots=True)
class Roster:
    """The agents of the configuration, and why their supervisors' logins are missing when
    QueueMetrics would not give them (empty when it did)."""

    agents: dict[str, AgentInfo]
    supervisors_missing: str = ""


def _records(payload: Any, editor: str) -> list[Mapping[str, Any]]:
    if isinstance(payload, Mapping):
        if set(payload) == {"error"}:
            # An editor that refuses with HTTP 200 says why in a lone "error" item.
            raise QMRefused(f"the {editor} editor refused: {clean_cell(payload['error'])}")
        payload = [payload]
    if not isinstance(payload, list) or not all(isinstance(r, Mapping) for r in payload):
        raise QMProtocolError(f"the {editor} editor did not answer a list of records")
    return payload


def display_name(description: str, code: str) -> str:
    """``John Doe (101)`` → ``John Doe``: the suffix only repeats the agent's number."""
    name = _NUMBER_SUFFIX.sub("", description).strip()
    return name or code


def parse_agents(payload: Any) -> dict[str, AgentInfo]:
    agents = {}
    for record in _records(payload, "agent"):
        code = clean_cell(record.get("nome_agente")).lower()
        if not code:
            continue
        supervisor = clean_cell(record.get("supervised_by__DECODED"))
        agents[code] = AgentInfo(
            code=code,
            name=display_name(clean_cell(record.get("descr_agente")), code),
            group=clean_cell(record.get("group_name") or record.get("group_by__DECODED")),
            location=clean_cell(record.get("loc_name") or record.get("location__DECODED")),
            supervisor_id=clean_cell(record.get("supervised_by")),
            supervisor="" if supervisor == "-" else supervisor,
            record_id=clean_cell(record.get("PK_ID") or record.get("id_agente")),
        )
    return agents


def parse_users(payload: Any) -> dict[str, str]:
    """User id → login, to turn an agent's ``supervised_by`` into a supervisor's login."""
    users = {}
    for record in _records(payload, "user"):
        pk = clean_cell(record.get("PK_ID") or record.get("user_id"))
        login = clean_cell(record.get("login"))
        if pk and login:
            users[pk] = login
    return users


def _ordered(row: Mapping[str, Any], columns: tuple[str, ...]) -> list[str]:
    """An object row (simple format, whose key order is not kept) as cells in the documented
    order. Each column is the title equal to its name, else the one that contains it; the row's
    own order is the fallback."""
    by_title = {k.strip().lower(): k for k in row}
    keys = []
    for name in columns:
        key = by_title.get(name) or next(
            (k for t, k in by_title.items() if name in t and k not in keys), None
        )
        if key is None or key in keys:
            return [clean_cell(v) for v in row.values()]
        keys.append(key)
    return [clean_cell(row[k]) for k in keys]


def _output_rows(payload: Any, columns: tuple[str, ...]) -> list[list[str]]:
    if not isinstance(payload, Mapping):
        raise QMProtocolError("QueueMetrics' answer is not a JSON object")
    block = find_block(payload, "output")
    if isinstance(block, list) and all(isinstance(r, Mapping) for r in block):
        return [_ordered(r, columns) for r in block]
    if not isinstance(block, list) or not all(isinstance(r, list) for r in block):
        raise QMProtocolError("the output block is not a table")
    return [[clean_cell(c) for c in row] for row in block]


def parse_agent_queues(payload: Any) -> dict[str, str]:
    """Queue code → the name QueueMetrics shows, from ``QmAgentQueues``' output rows."""
    names: dict[str, str] = {}
    for row in _output_rows(payload, ("agent", "queue", "queue name", "level")):
        if len(row) < 3 or (len(row) > 3 and not row[3].isdigit()):
            continue  # a title row, if this QueueMetrics sends one
        codes = [c for c in re.split(r"[\s|]+", row[1]) if c]
        if len(codes) == 1 and row[2]:
            names[codes[0]] = row[2]
    return names


def parse_pause_codes(payload: Any) -> dict[str, tuple[str, str]]:
    """Pause code → (description, type) from ``QmAgentPCodes``; codes kept as strings."""
    codes: dict[str, tuple[str, str]] = {}
    for row in _output_rows(payload, ("agent", "code", "description", "type")):
        if len(row) < 4 or row[3].upper() not in PAUSE_TYPES:
            continue  # a title row, if this QueueMetrics sends one
        codes[row[1]] = (row[2], row[3].upper())
    return codes
