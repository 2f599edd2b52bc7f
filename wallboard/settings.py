"""The one configuration object, read once from the environment (prefix ``WALLBOARD_``)."""

from __future__ import annotations

import ipaddress
import json
import string
from datetime import time
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wallboard.model.alerts import DEFAULTS, Thresholds, merged
from wallboard.model.today import Targets, parse_targets
from wallboard.store.connection import check_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WALLBOARD_", env_file=".env", extra="ignore")

    qm_url: str = ""
    qm_user: str = ""
    qm_password: SecretStr = SecretStr("")
    queues: str = "*"
    poll_interval: float = Field(default=3.0, gt=0)
    qm_connect_timeout: float = Field(default=3.0, gt=0)
    # Kept under half the lease TTL so that a slow answer never costs the lease.
    qm_read_timeout: float | None = None
    qm_max_response_bytes: int = 16 * 1024 * 1024
    backoff_cap: float = Field(default=30.0, gt=0)
    lease_ttl: float | None = None

    directory_refresh: float = Field(default=300.0, gt=0)
    # Where supervisors' logins come from: the user editor (one request) or each agent's record.
    supervisors_from: Literal["users", "record"] = "users"
    # Names for queues QueueMetrics cannot name: "300=Sales|301=Support".
    queue_names: str = ""

    # Alert thresholds, JSON: {"*": {"waiting": [3, 6]}, "300": {...}}; merged over the defaults
    # and over the file's, if any (see README).
    thresholds: str = ""
    thresholds_file: str = ""

    # Today's figures (QmStats), see docs/figures.md.
    stats_enabled: bool = True
    qm_timezone: str = "UTC"
    day_start: str = "00:00"
    stats_interval: float = Field(default=60.0, gt=0)
    stats_max_interval: float = Field(default=900.0, gt=0)
    stats_reconcile: float = Field(default=900.0, gt=0)
    stats_timeout: float = Field(default=30.0, gt=0)
    sl_target_s: float = Field(default=20.0, ge=0)
    sl_target_pct: float = Field(default=80.0, ge=0, le=100)
    short_abandon_s: float = Field(default=5.0, ge=0)
    # Per queue "seconds/percent/short-abandon seconds": "300=20/80/5|301=30/90/5".
    queue_targets: str = ""
    exclude_short_abandons: bool = False
    sl_basis: Literal["offered", "answered"] = "offered"
    qm_tststart: Literal["enter", "answer"] = "enter"

    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "wallboard:"
    stream_maxlen: int = 1000

    secret_key: SecretStr = SecretStr("")
    tv_token: SecretStr | None = None
    key_view: str = "REALTIME"
    key_pause: str = "RT_PAUSEAGENT"
    key_unpause: str = "RT_UNPAUSEAGENT"
    key_broadcast: str = "BRO_MSG"
    # The other supervisor actions (design §11); the defaults are inferred from the names of
    # QueueMetrics' own real-time page keys, not confirmed: set them to what your site uses.
    key_login: str = "RT_LOGINAGENT"
    key_logout: str = "RT_LOGOFFAGENT"
    key_members: str = "RT_ADDMEMBER"
    key_hangup: str = "RT_HANGUP"
    key_transfer: str = "RT_TRANSFER"
    key_monitor: str = "RT_MONITOR"
    key_text: str = "BRO_MSG"
    # Saved boards and playlists: the key to change them, how many, a file to seed them from.
    key_boards: str = "WALLBOARD_ADD"
    # Alerts: cleared after the figure stays good this long; escalated when red and not
    # acknowledged for this long.
    alert_clear_after: float = Field(default=10.0, ge=0)
    escalate_after: float = Field(default=300.0, gt=0)
    max_boards: int = Field(default=500, gt=0)
    boards_file: str = ""
    # Restrict supervisors to the agents they supervise (from QueueMetrics' configuration).
    only_supervised: bool = False
    session_ttl: float = Field(default=8 * 3600, gt=0)
    auth_cache: int = Field(default=60, ge=0)
    # Failed logins per window (login_window seconds): per user at one address, per address,
    # and per user from addresses it never logged in from (see docs/security.md).
    login_failures: int = Field(default=5, gt=0)
    login_failures_per_address: int = Field(default=20, gt=0)
    login_failures_per_user: int = Field(default=50, gt=0)
    login_window: float = Field(default=900, gt=0)
    # Wrong TV tokens per address and login window.
    token_guesses: int = Field(default=10, gt=0)
    # Largest request body read (forms, JSON), bytes.
    max_body: int = Field(default=16 * 1024, gt=0)
    # Event streams one client address may hold open in one web process.
    sse_per_address: int = Field(default=50, gt=0)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or networks,
    # comma-separated; empty trusts nobody (the peer's own address is the client's).
    trusted_proxies: str = ""
    actions_per_minute: int = Field(default=30, gt=0)
    broadcast_max_length: int = Field(default=500, gt=0)
    message_ttl: float = Field(default=600, gt=0)
    action_confirm_timeout: float = Field(default=20, gt=0)

    keepalive: float = Field(default=15.0, gt=0)
    client_queue_size: int = 256
    # Distinct views (page and filters) one web process renders changes for; each costs a
    # render per change, so an unbounded number of filter strings could exhaust it.
    max_views: int = Field(default=200, gt=0)
    # Seconds one write to an SSE client may block (its socket full) before it is cut off.
    send_timeout: float = Field(default=30.0, gt=0)
    # The web process freezes what survives a full garbage collection out of the next ones'
    # scans (false: Python's collector as it is), and collects all every gc_sweep seconds
    # (wallboard/web/heap.py).
    gc_freeze: bool = True
    gc_sweep: float = Field(default=3600.0, gt=0)
    mask_callers: bool = False
    frame_ancestors: str = "'none'"

    # Logs: "text" for people, "json" for log shippers (see docs/deploy.md).
    log_format: Literal["text", "json"] = "text"
    log_level: str = "info"

    _thresholds: Thresholds = PrivateAttr()
    _targets: dict[str, Targets] = PrivateAttr()

    @model_validator(mode="after")
    def _parse_compound(self) -> Settings:
        """Settings that hold JSON or lists of their own are parsed here, once, so that a bad
        value stops ``web`` and ``poller`` at start with the reason."""
        self._thresholds = _load_thresholds(self.thresholds, self.thresholds_file)
        try:
            self._targets = parse_targets(self.queue_targets, self.default_targets)
        except ValueError as exc:
            raise ValueError(f"WALLBOARD_QUEUE_TARGETS: {exc}") from None
        return self

    @field_validator("day_start")
    @classmethod
    def _day_start(cls, value: str) -> str:
        hours, sep, minutes = value.partition(":")
        if not (sep and hours.isdigit() and minutes.isdigit()):
            raise ValueError("day_start must be HH:MM, e.g. 06:00")
        if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
            raise ValueError("day_start must be a time of day between 00:00 and 23:59")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("tv_token")
    @classmethod
    def _tv_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if token_bits(value.get_secret_value()) < 128:
            raise ValueError(
                "tv_token is too short to resist guessing: at least 128 bits, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        for part in _split_commas(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: {part!r} is no address or network") from None
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(p, strict=False) for p in _split_commas(self.trusted_proxies)
        )

    @field_validator("qm_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone {value!r} (an IANA name, e.g. Europe/Rome)"
            raise ValueError(message) from None
        return value

    @property
    def alert_thresholds(self) -> Thresholds:
        """The defaults, then the thresholds file, then ``WALLBOARD_THRESHOLDS``."""
        return self._thresholds

    @property
    def default_targets(self) -> Targets:
        return Targets(self.sl_target_s, self.sl_target_pct, self.short_abandon_s)

    @property
    def queue_target_map(self) -> dict[str, Targets]:
        return self._targets

    @property
    def day_start_time(self) -> time:
        hours, _, minutes = self.day_start.partition(":")
        return time(int(hours), int(minutes))

    @property
    def queue_list(self) -> list[str]:
        """The watched queues; ``["*"]`` for all."""
        parts = [q.strip() for q in self.queues.split("|") if q.strip()]
        return parts or ["*"]

    @property
    def queue_name_map(self) -> dict[str, str]:
        pairs = (p.split("=", 1) for p in self.queue_names.split("|") if "=" in p)
        return {code.strip(): name.strip() for code, name in pairs if code.strip()}

    @property
    def lease_ttl_s(self) -> float:
        return self.lease_ttl if self.lease_ttl is not None else max(3 * self.poll_interval, 3.0)

    @property
    def read_timeout_s(self) -> float:
        wanted = self.qm_read_timeout if self.qm_read_timeout is not None else 10.0
        return min(wanted, self.lease_ttl_s * 0.45)

    @property
    def stale_after_s(self) -> float:
        """Data older than this is stale: about two poll intervals, plus the read timeout slack."""
        return 2 * self.poll_interval + 1.0


def _split_commas(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def token_bits(token: str) -> float:
    """What a token is worth against guessing, judged by its length and the alphabet it draws
    from: hex digits carry 4 bits a character, URL-safe base64 6, anything wider about 6.5."""
    if all(c in string.hexdigits for c in token):
        per_char = 4.0
    elif all(c in string.ascii_letters + string.digits + "-_" for c in token):
        per_char = 6.0
    else:
        per_char = 6.5
    return len(token) * per_char


def _json_setting(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} is not valid JSON: {exc}") from None


def _load_thresholds(from_env: str, path: str) -> Thresholds:
    from_file = None
    if path:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise ValueError(f"WALLBOARD_THRESHOLDS_FILE: cannot read {path}: {exc}") from None
        from_file = _json_setting(f"WALLBOARD_THRESHOLDS_FILE ({path})", text)
    env = _json_setting("WALLBOARD_THRESHOLDS", from_env) if from_env.strip() else None
    # Each source checked on its own first, so that the message names the one at fault.
    for name, layer in ((f"WALLBOARD_THRESHOLDS_FILE ({path})", from_file),
                        ("WALLBOARD_THRESHOLDS", env)):  # fmt: skip
        try:
            Thresholds.parse(merged(layer))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{name}: {exc}") from None
    try:
        return Thresholds.parse(merged(DEFAULTS, from_file, env))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"alert thresholds: {exc}") from None
