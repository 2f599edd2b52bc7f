"""A QueueMetrics that refuses the user editor, with real processes: the boards still show
every agent's name, and /readyz says that supervisors' logins are missing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.drive import control, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until


def readyz(web: Proc) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{web.url}/readyz", timeout=5).json()
    return body


def test_names_without_the_user_editor(stack: Stack) -> None:
    sim = stack.simulator()
    control(sim, "POST", "faults", json={"config": {"user_editor": "403"}})
    names = {a["agent"]: a["name"] for a in control(sim, "GET", "state")["agents"]}
    stack.poller()
    web = stack.web()

    def named() -> bool:
        agents = snapshot(web)["agents"]
        return bool(agents) and all(a["name"] == names[a["agent"]] for a in agents)

    until(named, timeout=20, what="agents shown by name")
    supervisors = until(lambda: readyz(web).get("supervisors"), what="the directory's state")
    assert supervisors.startswith("unavailable: ") and "HTTP 403" in supervisors
    # Asked with the view key: an anonymous snapshot never holds supervisors' logins anyway.
    full = httpx.get(f"{web.url}/api/snapshot", auth=("demosupervisor", "demo"), timeout=10)
    assert full.status_code == 200, full.text
    agents = full.json()["agents"]
    assert agents and all("supervisor" in a for a in agents)
    assert not any(a["supervisor"] for a in agents)
