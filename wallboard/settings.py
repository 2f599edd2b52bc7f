"""The one configuration object, read once from the environment (prefix ``WALLBOARD_``)."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    # Restrict supervisors to the agents they supervise (from QueueMetrics' configuration).
    only_supervised: bool = False
    session_ttl: float = Field(default=8 * 3600, gt=0)
    auth_cache: int = Field(default=60, ge=0)
    login_failures: int = Field(default=5, gt=0)
    actions_per_minute: int = Field(default=30, gt=0)
    broadcast_max_length: int = Field(default=500, gt=0)
    message_ttl: float = Field(default=600, gt=0)
    action_confirm_timeout: float = Field(default=20, gt=0)

    keepalive: float = Field(default=15.0, gt=0)
    client_queue_size: int = 256
    # Seconds one write to an SSE client may block (its socket full) before it is cut off.
    send_timeout: float = Field(default=30.0, gt=0)
    mask_callers: bool = False
    frame_ancestors: str = "'none'"

    # Logs: "text" for people, "json" for log shippers (see docs/deploy.md).
    log_format: Literal["text", "json"] = "text"
    log_level: str = "info"

    @field_validator("day_start")
    @classmethod
    def _day_start(cls, value: str) -> str:
        hours, sep, minutes = value.partition(":")
        if not (sep and hours.isdigit() and minutes.isdigit()):
            raise ValueError("day_start must be HH:MM, e.g. 06:00")
        if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
            raise ValueError("day_start must be a time of day between 00:00 and 23:59")
        return value

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
