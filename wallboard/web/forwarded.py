"""The client's address and scheme behind a reverse proxy, believed only from trusted proxies.

A proxy appends the address it received the request from to ``X-Forwarded-For``, so the
list reads client, proxies..., and only its right-hand end is written by machines we trust.
Walking it from the right, the first address that is not a trusted proxy is the client's; what
lies left of it anyone could have written. From any other peer the headers are ignored: a
forged ``X-Forwarded-For`` must neither dodge per-address limits nor fake HTTPS.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network

from starlette.types import ASGIApp, Receive, Scope, Send


class TrustedProxies:
    def __init__(self, app: ASGIApp, networks: Iterable[IPv4Network | IPv6Network]) -> None:
        self.app = app
        self.networks = tuple(networks)

    def trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and self.networks and self.trusted(client[0]):
            scope = self._forwarded(scope)
        await self.app(scope, receive, send)

    def _forwarded(self, scope: Scope) -> Scope:
        values: dict[bytes, list[str]] = {b"x-forwarded-for": [], b"x-forwarded-proto": []}
        for name, value in scope["headers"]:
            if name in values:
                values[name].append(value.decode("latin-1"))
        hops = [h.strip() for h in ",".join(values[b"x-forwarded-for"]).split(",") if h.strip()]
        changed = dict(scope)
        if hops:
            client = next((h for h in reversed(hops) if not self.trusted(h)), hops[0])
            changed["client"] = (client, 0)
        protos = [p.strip().lower() for p in ",".join(values[b"x-forwarded-proto"]).split(",")]
        # The proto our own proxy (the last hop) saw is the one that counts.
        if protos and protos[-1] in ("http", "https"):
            changed["scheme"] = protos[-1]
        return changed
