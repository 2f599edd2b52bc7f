"""One spelling of a user name for everything we count or index by it (rate limits, sessions,
who supervises whom): QueueMetrics may accept ``Sue``, ``sue`` and `` sue `` as one login, so
an attacker must not get a fresh count by changing the case."""

from __future__ import annotations


def normalise_user(name: str) -> str:
    return name.strip().casefold()
