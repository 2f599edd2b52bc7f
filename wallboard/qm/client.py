"""An async QueueMetrics client over httpx: one method per call the wallboard makes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import msgspec

from wallboard.qm.config import (
    AgentInfo,
    Roster,
    parse_agent_queues,
    parse_agents,
    parse_pause_codes,
    parse_users,
)
from wallboard.qm.errors import (
    QMActionRefused,
    QMAuthError,
    QMError,
    QMProtocolError,
    QMUnavailable,
)
from wallboard.qm.realtime import AGENTS_BLOCK, CALLS_BLOCK, Realtime, parse_realtime
from wallboard.qm.users import Profile, UserInfo, parse_auth, parse_profile
from wallboard.qm.wire import check_result

if TYPE_CHECKING:  # only its fields are read: the settings import the model, which imports qm
    from wallboard.settings import Settings

_JSON = msgspec.json.Decoder()
_HEADERS = {
    "Accept": "application/json",
    # Loway's own client sends a curl-like agent: strict proxies in front of QM let it through.
    "User-Agent": "curl/8 (wallboard)",
}


@dataclass(frozen=True, slots=True)
class Answer:
    """A decoded answer with what the HTTP layer told us about QueueMetrics' clock."""

    payload: Any
    clock_offset: float | None
    elapsed: float


def _query(params: list[tuple[str, str]]) -> str:
    # Tomcat 8+ answers 400 to a raw "|": encode everything, pipes as %7C.
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)


def _clock_offset(response: httpx.Response, sent: float, received: float) -> float | None:
    """QueueMetrics' clock minus ours, from its Date header (one-second resolution)."""
    header = response.headers.get("date")
    if not header:
        return None
    try:
        theirs = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return None
    # The header is truncated to the second: its true value lies in [t, t + 1).
    return theirs + 0.5 - (sent + received) / 2


class QMClient:
    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        max_bytes: int = 16 * 1024 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_bytes = max_bytes
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._http = httpx.AsyncClient(
            auth=(user, password), timeout=timeout, headers=_HEADERS, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> QMClient:
        """The robot's client, as every process that talks to QueueMetrics builds it."""
        return cls(
            settings.qm_url,
            settings.qm_user,
            settings.qm_password.get_secret_value(),
            connect_timeout=settings.qm_connect_timeout,
            read_timeout=settings.read_timeout_s,
            max_bytes=settings.qm_max_response_bytes,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> QMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send(self, request: httpx.Request, auth: tuple[str, str] | None = None) -> Answer:
        if not self.base_url:
            raise QMUnavailable("QueueMetrics is not configured (WALLBOARD_QM_URL is empty)")
        sent = time.time()
        try:
            if auth is None:
                response = await self._http.send(request, stream=True)
            else:
                response = await self._http.send(request, stream=True, auth=auth)
        except httpx.TimeoutException as exc:
            raise QMUnavailable(
                f"QueueMetrics did not answer in time ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            raise QMUnavailable(f"cannot reach QueueMetrics: {exc}") from None
        try:
            body = await self._read_limited(response)
        finally:
            await response.aclose()
        received = time.time()
        self._check_status(response, body)
        payload = self._decode(response, body)
        return Answer(payload, _clock_offset(response, sent, received), received - sent)

    async def _read_limited(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise QMProtocolError(f"answer larger than {self.max_bytes} bytes")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise QMUnavailable("QueueMetrics stopped answering mid-response") from None
        except httpx.HTTPError as exc:
            raise QMUnavailable(f"connection to QueueMetrics broke: {exc}") from None
        return b"".join(chunks)

    @staticmethod
    def _check_status(response: httpx.Response, body: bytes) -> None:
        status = response.status_code
        if status == 401:
            raise QMAuthError("QueueMetrics refused the login (HTTP 401)")
        if status == 403:
            raise QMAuthError("QueueMetrics refused this user the request (HTTP 403)")
        if status >= 500:
            raise QMUnavailable(f"QueueMetrics answered HTTP {status}")
        if status != 200:
            raise QMProtocolError(f"QueueMetrics answered HTTP {status}")

    @staticmethod
    def _decode(response: httpx.Response, body: bytes) -> Any:
        try:
            return _JSON.decode(body)  # twice as fast as json.loads on a big real-time answer
        except msgspec.DecodeError:
            pass
        try:  # what msgspec refuses and Python's reader takes (NaN, a byte-order mark, UTF-16)
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass
        head = body[:2000].decode("utf-8", "replace").lower()
        if "<html" in head or "<!doctype" in head:
            if "password" in head and ("login" in head or "j_security" in head):
                raise QMAuthError("QueueMetrics answered with its login page")
            raise QMProtocolError("QueueMetrics answered with an HTML page instead of JSON")
        raise QMProtocolError("QueueMetrics' answer is not valid JSON")

    async def stats_api(
        self,
        method: str,
        params: list[tuple[str, str]],
        *,
        auth: tuple[str, str] | None = None,
        result_required: bool = True,
    ) -> Answer:
        """A ``{method}/jsonStatsApi.do`` call, POSTed as a form; ``result`` must be OK."""
        request = self._http.build_request(
            "POST",
            f"{self.base_url}/{method}/jsonStatsApi.do",
            content=_query(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = await self._send(request, auth)
        if result_required or (isinstance(answer.payload, dict) and "result" in answer.payload):
            check_result(answer.payload)
        return answer

    async def authenticate(self, user: str, password: str) -> UserInfo:
        """``QmAuth`` with the user's own login (each success counts as a logon in QM)."""
        answer = await self.stats_api("QmAuth", [], auth=(user, password), result_required=False)
        return parse_auth(answer.payload)

    async def profile(self, login: str) -> Profile:
        """``QmAuthenticate`` for another user (``deferred=``), with the robot login: who they
        are and their live keys now, without their password (the robot needs USRADMIN too)."""
        answer = await self.stats_api("QmAuthenticate", [("deferred", login)])
        return parse_profile(answer.payload, login)

    async def broadcast(self, text: str, **targets: str) -> Any:
        """``QmBroadcastMsg``; its answer is not documented: any JSON without a failed result
        counts as sent."""
        params = [("text", text)] + [(k, v) for k, v in targets.items() if v]
        return (await self.stats_api("QmBroadcastMsg", params, result_required=False)).payload

    async def is_up(self) -> bool:
        """``sysup.jsp``: QueueMetrics runs and reaches its database."""
        request = self._http.build_request("GET", f"{self.base_url}/sysup.jsp")
        try:
            answer = await self._send(request, auth=("", ""))
        except QMError:
            return False
        return "QMUP" in json.dumps(answer.payload)

    async def realtime(self, queues: list[str]) -> tuple[Realtime, Answer]:
        params = [("queues", "|".join(queues)), ("jsonFormat", "simple")]
        params += [("block", AGENTS_BLOCK), ("block", CALLS_BLOCK)]
        answer = await self.stats_api("QmRealtime", params)
        return parse_realtime(answer.payload), answer

    async def agent_queues(self, agent: str) -> dict[str, str]:
        answer = await self.stats_api("QmAgentQueues", [("agent", agent)])
        return parse_agent_queues(answer.payload)

    async def pause_codes(self, agent: str) -> dict[str, tuple[str, str]]:
        answer = await self.stats_api("QmAgentPCodes", [("agent", agent)])
        return parse_pause_codes(answer.payload)

    async def agents(self, supervisors_from: str = "users") -> Roster:
        """Agents from the configuration. Supervisors' logins come from the ``user`` editor
        (one request), or from each agent's own record (``supervised_by__DECODED``, one
        request per agent): which one a QueueMetrics fills is not confirmed, hence the choice."""
        agents = parse_agents(await self.editor("agent"))
        if supervisors_from == "record":
            return Roster(await self._supervisors_from_records(agents))
        if not any(a.supervisor_id and not a.supervisor for a in agents.values()):
            return Roster(agents)
        try:
            users = parse_users(await self.editor("user"))
        except QMUnavailable:
            raise  # a passing failure: the whole refresh is tried again soon
        except QMError as exc:
            # A robot without the right to read users, or a QueueMetrics without that editor:
            # names, groups and locations from the agent editor are good all the same.
            return Roster(agents, f"the user editor is refused: {exc.message}")
        return Roster(
            {
                code: replace(a, supervisor=a.supervisor or users.get(a.supervisor_id, ""))
                for code, a in agents.items()
            }
        )

    async def _supervisors_from_records(self, agents: dict[str, AgentInfo]) -> dict[str, AgentInfo]:
        records = [await self.editor("agent", a.record_id) for a in agents.values() if a.record_id]
        decoded = {c: a for r in records for c, a in parse_agents(r).items()}
        return {
            code: replace(a, supervisor=decoded[code].supervisor if code in decoded else "")
            for code, a in agents.items()
        }

    async def editor(self, editor: str, record: str | None = None) -> Any:
        path = f"{editor}/{record}/jsonEditorApi.do" if record else f"{editor}/jsonEditorApi.do"
        request = self._http.build_request("GET", f"{self.base_url}/{path}")
        return (await self._send(request)).payload

    async def pbx_action(self, body: dict[str, Any]) -> dict[str, Any]:
        """A PBX action; OK only means it was queued to the PBX, not that it happened."""
        request = self._http.build_request(
            "POST", f"{self.base_url}/qm_jsonsvc_do_pbxactions.do", json=body
        )
        payload = (await self._send(request)).payload
        if not isinstance(payload, dict):
            raise QMProtocolError("the PBX action answer is not a JSON object")
        status = str(payload.get("resultStatus", ""))
        if not status.upper().startswith("OK"):
            raise QMActionRefused(status or "QueueMetrics gave no resultStatus")
        return payload


__all__ = ["Answer", "QMClient", "QMError"]
