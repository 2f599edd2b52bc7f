"""Knobs for what QueueMetrics leaves unknown or inferred (docs/queuemetrics.md), and users.

Every default reproduces a CONFIRMED fact, or the most likely reading where there is none; the
other values let tests check that the client tolerates each alternative.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_CALL_COLUMNS: tuple[str, ...] = (
    "RT_queue", "RT_callid", "RT_entered", "RT_answered", "RT_stint",
    "RT_agent", "RT_caller", "RT_url", "RT_dnis", "RT_serverId",
)  # fmt: skip

# Knobs limited to a few values; the rest are checked by type only.
CHOICES: dict[str, tuple[str, ...]] = {
    "agent_rows": ("joined", "per_queue"),
    "empty_cell": ("", "&nbsp;"),
    "onpause_format": ("", "tst", "flag"),
    "unknown_block": ("error", "omit", "empty"),
    "auth_fail": ("401", "result_error"),
    "stats_start_means": ("enter", "answer"),
    "user_editor": ("on", "403", "404"),
}


@dataclass
class User:
    login: str
    password: str
    real_name: str
    user_class: str
    keys: str  # space-separated, as QmAuth reports them
    masterkey: bool = False
    email: str = ""
    pk_id: int = 0
    enabled: bool = True

    def holds(self, key: str) -> bool:
        return self.masterkey or key in self.keys.split()


SUPERVISOR_KEYS = (
    "USER REALTIME RT_PAUSEAGENT RT_UNPAUSEAGENT BRO_MSG SUPERVISOR WALLBOARD_ADD"
    " RT_LOGINAGENT RT_LOGOFFAGENT RT_ADDMEMBER RT_HANGUP RT_TRANSFER RT_MONITOR"
)


def default_users() -> list[User]:
    return [
        User("admin", "admin", "Administrator", "ADMIN", "USER USRADMIN", masterkey=True,
             email="admin@example.com", pk_id=1),
        User("robot", "robot", "Robot", "ROBOTS", "ROBOT USRADMIN", pk_id=2),
        User("demosupervisor", "demo", "Demo Supervisor", "SUPERVISORS", SUPERVISOR_KEYS,
             email="demosupervisor@example.com", pk_id=41),
        User("supervisor2", "demo2", "Laura Bianchi", "SUPERVISORS", SUPERVISOR_KEYS,
             email="laura.bianchi@example.com", pk_id=42),
        User("viewer", "viewer", "Wallboard Viewer", "USERS", "USER REALTIME",
             email="viewer@example.com", pk_id=43),
    ]  # fmt: skip


@dataclass
class Config:
    # RtAgentsRaw: one row per agent with its queues joined by ":", or one row per queue.
    agent_rows: str = "joined"
    # The marker of an empty data cell ("0" timestamps are never touched).
    empty_cell: str = ""
    # Titles with stray spaces and "&nbsp;", as some clients' clean-up suggests.
    dirty_titles: bool = False
    # ACB_onPause while paused: always "" (as in Loway's samples), the pause start, or "1".
    onpause_format: str = ""
    # A pbx "pause" without a code is accepted (default.pausecoderequired=false).
    allow_codeless_pause: bool = False
    # Fill ACB_pausetime, ACB_pausesess and ACB_lstCall* (inferred meaning) or leave them "".
    fill_optional_columns: bool = True
    # Show the agent in RtCallsRaw while the call rings it (answered still "0").
    ringing_sets_agent: bool = False
    # Keep a row per earlier queue stint of a transferred call (same caller and DNIS).
    transfer_dupes: bool = True
    # Ignore jsonFormat=simple (servers older than 23.09).
    classic_only: bool = False
    # Random column order on every answer, to catch clients reading by position.
    shuffled_columns: bool = False
    # Extra titles inserted as the second column of both raw blocks.
    extra_columns: list[str] = field(default_factory=list)
    # RtCallsRaw titles in order; unknown titles give empty cells.
    calls_columns: list[str] = field(default_factory=lambda: list(DEFAULT_CALL_COLUMNS))
    # A block name that is not known: failed result, key left out, or an empty block.
    unknown_block: str = "error"
    # result Status on failure, and whether a stack trace item comes with it.
    error_status: str = "ERR"
    error_stacktrace: bool = False
    # Bad credentials: HTTP 401, or HTTP 200 with a failed result (missing key: 403 / result).
    auth_fail: str = "401"
    # A title row on the QmAgentPCodes / QmAgentQueues "output" blocks.
    kv_title_row: bool = False
    # pbxactions refusal prefix: "KO" (Loway's text also prints "K0").
    ko_prefix: str = "KO"
    # Seconds between an OK pbx action and its effect; share of OK actions never applied.
    action_delay_s: float = 1.0
    action_drop_rate: float = 0.0
    # QueueMetrics' clock minus real time: added to every timestamp and to the Date header.
    clock_offset_s: float = 0.0
    # HTTP 400 for a raw "|" in a query string, as Tomcat 8+ does.
    strict_encoding: bool = False
    # Added to every QueueMetrics answer.
    latency_ms: float = 0.0
    # QM's guards against calls whose end event was lost (0 = no limit).
    max_ongoing_wait_s: float = 0.0
    max_ongoing_talk_s: float = 0.0
    # sysup.jsp "state".
    sysup_state: str = "QMUP"
    qm_version: str = "23.09.2"
    # ACB_serverId / RT_serverId (cluster member), "" on a single server.
    server_id: str = ""
    # QmStats: QueueMetrics' time zone, in which `from`/`to` are read.
    time_zone: str = "UTC"
    # What CALLOK_/CALLKO_tstStart holds: the entry time or the answer time (UNKNOWN).
    stats_start_means: str = "enter"
    # Send the tstEnter column (its name is confirmed, its meaning inferred).
    stats_tst_enter: bool = True
    # Disconnection letters: OK "A"/"C" and KO "A" are confirmed, the transfer one is a guess.
    stats_reason_agent: str = "A"
    stats_reason_caller: str = "C"
    stats_reason_transfer: str = "X"
    stats_reason_abandon: str = "A"
    # "Time elapsed (ms)": a fixed part plus a part per call in the window, like the one public
    # data point (109 ms for a queue-day of about 1,500 calls).
    stats_ms_base: float = 5.0
    stats_ms_per_call: float = 0.07
    # Read `queues=*` as every queue (not confirmed for QmStats) rather than a queue named "*".
    stats_star_all: bool = False
    # The user editor: served, refused (HTTP 403, a robot without the right to read users) or
    # missing (HTTP 404, a QueueMetrics without that editor).
    user_editor: str = "on"
    users: list[User] = field(default_factory=default_users)

    def user(self, login: str) -> User | None:
        for u in self.users:
            if u.login == login:
                return u
        return None

    def knobs(self) -> dict[str, Any]:
        """The knobs as JSON-friendly values (users left out: they hold passwords)."""
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "users"
        }

    def updated(self, changes: dict[str, Any]) -> Config:
        """A copy with `changes` applied; ValueError names a bad knob or value."""
        known = {f.name: f for f in dataclasses.fields(self) if f.name != "users"}
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown knob '{name}'")
            current = getattr(self, name)
            if name in ("auth_fail", "user_editor"):
                value = str(value)
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"knob '{name}' takes true or false")
            elif isinstance(current, float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"knob '{name}' takes a number")
                value = float(value)
            elif isinstance(current, list):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"knob '{name}' takes a list of strings")
                value = list(value)
            elif not isinstance(value, str):
                raise ValueError(f"knob '{name}' takes a string")
            if name in CHOICES and value not in CHOICES[name]:
                raise ValueError(f"knob '{name}' takes one of {list(CHOICES[name])}")
            if name == "time_zone" and not _known_zone(value):
                raise ValueError(f"knob 'time_zone': unknown time zone {value!r}")
            if name == "action_drop_rate" and not 0 <= value <= 1:
                raise ValueError("knob 'action_drop_rate' takes a number from 0 to 1")
            values[name] = value
        return dataclasses.replace(self, **values)


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True
