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
