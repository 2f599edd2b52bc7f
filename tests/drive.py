"""Driving the running product from outside, as tests and benchmarks do: the simulator's
control API (``/sim/...``) and the web's snapshot (``/api/snapshot``)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness import Proc


def _sim_url(sim: Proc, path: str) -> str:
    return f"{sim.url}/sim/{path.lstrip('/')}"


def _answer(response: httpx.Response) -> Any:
    response.raise_for_status()
    return response.json() if response.content else None


def control(sim: Proc, method: str, path: str, **kw: Any) -> Any:
    """One request to the simulator's control API; its JSON answer (None when empty)."""
    return _answer(httpx.request(method, _sim_url(sim, path), timeout=10, **kw))


async def control_async(sim: Proc, method: str, path: str, **kw: Any) -> Any:
    """``control`` for async code: the event loop keeps running during the request."""
    async with httpx.AsyncClient(timeout=10) as client:
        return _answer(await client.request(method, _sim_url(sim, path), **kw))


def snapshot(web: Proc, **params: str) -> dict[str, Any]:
    response = httpx.get(f"{web.url}/api/snapshot", params=params, timeout=10)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def agent_in(snap: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((a for a in snap["agents"] if a["agent"] == code), None)


def quiet(sim: Proc) -> dict[str, Any]:
    """Stop the simulator's random events and end every call, so that the caller drives the
    floor; the simulator's state then."""
    control(sim, "POST", "auto", json={"enabled": False})
    for call in control(sim, "GET", "state")["calls"]:
        control(sim, "DELETE", f"calls/{call['callid']}")
    state: dict[str, Any] = control(sim, "GET", "state")
    return state


def agent_change(state: str, pause_code: str = "") -> dict[str, str]:
    """The simulator's body for putting an agent in ``state`` (paused with ``pause_code``)."""
    return {"state": state, **({"pause_code": pause_code} if pause_code else {})}


def set_agent(sim: Proc, code: str, state: str, pause_code: str = "") -> None:
    control(sim, "POST", f"agents/{code}", json=agent_change(state, pause_code))
