"""Every Redis key the wallboard uses, all under one configurable prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "wallboard:"

    @property
    def snapshot(self) -> str:
        return f"{self.prefix}snapshot"

    @property
    def meta(self) -> str:
        return f"{self.prefix}meta"

    @property
    def changes(self) -> str:
        return f"{self.prefix}changes"

    @property
    def lease(self) -> str:
        return f"{self.prefix}poller:lease"

    @property
    def epoch(self) -> str:
        return f"{self.prefix}poller:epoch"

    @property
    def directory(self) -> str:
        return f"{self.prefix}directory"

    @property
    def today(self) -> str:
        return f"{self.prefix}today"

    @property
    def today_calls(self) -> str:
        return f"{self.prefix}today:calls"

    @property
    def audit(self) -> str:
        return f"{self.prefix}audit"

    @property
    def messages(self) -> str:
        return f"{self.prefix}messages"

    @property
    def poller_metrics(self) -> str:
        """The index of the pollers' figures; each poller's hash is ``poller_figures(id)``."""
        return f"{self.prefix}poller:metrics"

    def poller_figures(self, identity: str) -> str:
        return f"{self.prefix}poller:metrics:{identity}"

    def session(self, sid: str) -> str:
        return f"{self.prefix}session:{sid}"

    def pause_codes(self, agent: str) -> str:
        return f"{self.prefix}pcodes:{agent}"

    def auth_cache(self, digest: str) -> str:
        return f"{self.prefix}authcache:{digest}"

    def rate(self, name: str, who: str) -> str:
        return f"{self.prefix}rate:{name}:{who}"
