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
    def trend(self) -> str:
        """The last hour per queue (hash: queue -> points), for the trend widget."""
        return f"{self.prefix}insights:trend"

    @property
    def pauses(self) -> str:
        """Today's ended pauses per agent (one JSON record), for the agents' day."""
        return f"{self.prefix}insights:pauses"

    @property
    def boards(self) -> str:
        return f"{self.prefix}boards"

    @property
    def playlists(self) -> str:
        return f"{self.prefix}playlists"

    @property
    def boards_rev(self) -> str:
        """Incremented by every write of a board or playlist: web processes watch it."""
        return f"{self.prefix}boards:rev"

    @property
    def links(self) -> str:
        """The display links of boards (a hash, id → JSON without the token)."""
        return f"{self.prefix}links"

    @property
    def links_by_digest(self) -> str:
        """The keyed digest of each link's cookie → the link's id (a hash)."""
        return f"{self.prefix}links:digests"

    @property
    def links_rev(self) -> str:
        """Incremented by every link created or revoked: web processes watch it."""
        return f"{self.prefix}links:rev"

    @property
    def alerts_open(self) -> str:
        return f"{self.prefix}alerts:open"

    @property
    def alerts_history(self) -> str:
        return f"{self.prefix}alerts:history"

    @property
    def alerts_rev(self) -> str:
        return f"{self.prefix}alerts:rev"

    @property
    def alerts_stats(self) -> str:
        return f"{self.prefix}alerts:stats"

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

    def user_sessions(self, user: str) -> str:
        """The ids of one user's sessions (a set), so that all of them can be ended at once."""
        return f"{self.prefix}sessions-of:{user}"

    def login_known(self, user: str, address: str) -> str:
        """Set when the user logged in from that address: their own, not an attacker's."""
        return f"{self.prefix}login-known:{user}|{address}"

    def pause_codes(self, agent: str) -> str:
        return f"{self.prefix}pcodes:{agent}"

    def auth_cache(self, digest: str) -> str:
        return f"{self.prefix}authcache:{digest}"

    def rate(self, name: str, who: str) -> str:
        return f"{self.prefix}rate:{name}:{who}"

    @property
    def screens(self) -> str:
        """Every known screen's id, scored by when it was last seen (a sorted set)."""
        return f"{self.prefix}screens"

    def screen(self, screen_id: str) -> str:
        """One screen's record (a hash): name, what it shows, its device, its last command."""
        return f"{self.prefix}screen:{screen_id}"

    @property
    def screens_rev(self) -> str:
        """Incremented by every command to a screen: web processes watch it."""
        return f"{self.prefix}screens:rev"

    def pairing(self, code: str) -> str:
        """A pairing code shown on a new TV → the screen's id, for 15 minutes."""
        return f"{self.prefix}pairing:{code}"
