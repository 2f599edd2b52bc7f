"""What every QueueMetrics call shares: counting, latency, strict encoding, faults, auth.

Every endpoint under /queuemetrics/ is a `QmEndpoint`: serving a request counts it, applies
the latency knob, strict encoding and the active faults, checks Basic auth and the key, then
runs the endpoint's handler with a parsed `Ctx`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from wallboard.simulator import wire
from wallboard.simulator.config import Config, User
from wallboard.simulator.faults import HTML_500, HTML_502, malformed
from wallboard.simulator.simulation import Simulation

# How QueueMetrics splits a list of queues: by pipes or blanks.
QUEUE_SPLIT = re.compile(r"[|\s]+")

HTML_400 = "<html><body><h1>HTTP Status 400 - Bad Request</h1></body></html>"
HTML_401 = "<html><body><h1>HTTP Status 401 - Unauthorized</h1></body></html>"
HTML_403 = "<html><body><h1>HTTP Status 403 - Forbidden</h1></body></html>"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, media_type="application/json")


@dataclass
class Ctx:
    """One QueueMetrics request, parsed."""

    sim: Simulation
    request: Request
    params: list[tuple[str, str]]
    simple: bool
    started: float
    user: User | None = None
    login: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cfg(self) -> Config:
        return self.sim.config

    def param(self, name: str) -> str:
        """First non-blank value; QM reads a missing parameter as blank and vice versa."""
        return next((v.strip() for k, v in self.params if k == name and v.strip()), "")

    def params_all(self, name: str) -> list[str]:
        return [v.strip() for k, v in self.params if k == name and v.strip()]

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)

    def ok(self, blocks: dict[str, Any], modelled_ms: int = 0) -> Response:
        """A successful answer; `modelled_ms` adds the work a real QueueMetrics would do."""
        result = wire.result(self.cfg, self.elapsed_ms() + modelled_ms, self.simple)
        return json_response({"result": result, **blocks})

    def fail(self, message: str) -> Response:
        """A failed jsonStatsApi call: HTTP 200 and a result block whose Status is not OK."""
        return json_response(
            {"result": wire.result(self.cfg, self.elapsed_ms(), self.simple, error=message)}
        )


Handler = Callable[[Ctx], Awaitable[Response]]


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, sep, password = base64.b64decode(token.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (login, password) if sep else None


def unauthorized() -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="QueueMetrics"'}
    return HTMLResponse(HTML_401, 401, headers=headers)


@dataclass(frozen=True)
class QmEndpoint:
    """One QueueMetrics call: its name (as faults and the request log know it), its handler,
    the key it needs (None: any valid user), its kind ("stats", "editor" or "pbx": how a
    refusal looks) and whether its handler checks the credentials itself."""

    name: str
    handler: Handler
    key: str | None = "ROBOT"
    kind: str = "stats"
    own_auth: bool = False

    async def serve(self, sim: Simulation, request: Request) -> Response:
        creds = basic_credentials(request)
        entry = {
            "endpoint": self.name,
            "method": request.method,
            "path": request.url.path,
            "query": request.scope.get("query_string", b"").decode("latin-1"),
            "user": creds[0] if creds else "",
            "time": sim.qm_now(),
        }
        sim.requests.begin(self.name, entry)
        try:
            response = await self._serve(sim, request, creds)
            entry["status"] = response.status_code
            return response
        finally:
            sim.requests.end(self.name)

    async def _serve(
        self, sim: Simulation, request: Request, creds: tuple[str, str] | None
    ) -> Response:
        started = time.monotonic()
        sim.tick()
        cfg = sim.config
        if cfg.latency_ms and await sim.wait_or_shutdown(cfg.latency_ms / 1000):
            return Response("shutting down", 503)
        if cfg.strict_encoding and b"|" in request.scope.get("query_string", b""):
            return HTMLResponse(HTML_400, 400)
        faults = sim.faults.draw(self.name)
        modes = {f.mode for f in faults}
        for f in faults:
            if f.mode in ("latency", "timeout") and await sim.wait_or_shutdown(f.seconds):
                return Response("shutting down", 503)
            if f.mode == "timeout":
                return HTMLResponse("<html><body>504 Gateway Time-out</body></html>", 504)
        if "unauthorized" in modes:
            return unauthorized()
        if "http_500" in modes:
            return HTMLResponse(HTML_500, 500)
        if "html_error" in modes:
            return HTMLResponse(HTML_502, 502)
        params = list(request.query_params.multi_items())
        if request.method == "POST" and self.kind != "pbx":
            ctype = request.headers.get("content-type", "")
            if ctype.startswith("application/x-www-form-urlencoded"):
                body = (await request.body()).decode("utf-8", "replace")
                params += parse_qsl(body, keep_blank_values=True)
        simple = not sim.config.classic_only and any(
            k == "jsonFormat" and v.strip().lower() == "simple" for k, v in params
        )
        ctx = Ctx(sim, request, params, simple, started)
        user = self._authenticate(sim, creds)
        ctx.login = creds[0] if creds else ""
        ctx.user = user
        if self.kind == "pbx":
            # Every action body that arrives is kept, refused ones included.
            raw = (await request.body()).decode("utf-8", "replace")
            ctx.extra["record"] = sim.record_action(ctx.login, raw)
        if user is None and not self.own_auth:
            return await self._refuse(ctx, "Authentication failed", 401)
        if user is not None and self.key and not user.holds(self.key):
            return await self._refuse(ctx, f"User '{user.login}' lacks key {self.key}", 403)
        response = await self.handler(ctx)
        sim.tick()
        if "status_not_ok" in modes:
            return await self._refuse(ctx, "Simulated failure", 200)
        if "malformed_json" in modes:
            return Response(malformed(bytes(response.body)), 200, media_type="application/json")
        return response

    @staticmethod
    def _authenticate(sim: Simulation, creds: tuple[str, str] | None) -> User | None:
        if creds is None:
            return None
        user = sim.config.user(creds[0])
        if user is None or not user.enabled or user.password != creds[1]:
            return None
        return user

    async def _refuse(self, ctx: Ctx, message: str, status: int) -> Response:
        """Bad credentials or a missing key: an HTTP error, or HTTP 200 with a failure."""
        record = ctx.extra.get("record")
        if record is not None and status != 200:
            record["authorized"] = False
            record["resultStatus"] = message
        if status != 200 and ctx.cfg.auth_fail == "401":
            return unauthorized() if status == 401 else HTMLResponse(HTML_403, 403)
        if self.kind == "pbx":
            body = await _json_object(ctx.request)
            return json_response({**body, "resultStatus": f"{ctx.cfg.ko_prefix}: {message}"})
        if self.kind == "editor":
            return json_response({"error": message})
        return ctx.fail(message)


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
