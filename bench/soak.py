"""A bounded soak: many SSE clients on one web process, the simulator at a high event rate, an
action every second. After a warm-up, the web's memory (RSS) and asyncio task count must stay
flat (under 5 % growth between two later samples), nothing may fail, and at the end every
client's page must equal the snapshot (and what a new client is shown).

    .venv/bin/python bench/soak.py --seconds 300 --clients 1000

Prints one JSON line with the figures; exits 1 when a check fails. CI runs it for 60 s from
``tests/reliability/test_soak.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.harness import Proc, Stack, raise_nofile, rss_bytes
from tests.reliability.sse import Client, full_page, snapshot_agents, stop_all

SUPERVISOR = ("demosupervisor", "demo")
GROWTH_LIMIT = 0.05
TASKS = re.compile(rb"^wallboard_asyncio_tasks (\S+)$", re.M)


def web_figures(http: httpx.Client, web: Proc) -> dict[str, float]:
    text = http.get(f"{web.url}/metrics").content
    found = TASKS.search(text)
    return {"rss_mb": rss_bytes(web.pid) / 2**20, "tasks": float(found[1]) if found else -1}


def act(http: httpx.Client, sim: Proc, web: Proc, n: int) -> int:
    """One action: a broadcast or a pause toggled on a logged-on agent; the HTTP status."""
    if n % 2 == 0:
        body = {"text": f"soak {n}", "everyone": True}
        return http.post(f"{web.url}/api/broadcast", json=body, auth=SUPERVISOR).status_code
    state = http.get(f"{sim.url}/sim/state").json()
    agent = next((a for a in state["agents"] if a["logged_queues"]), None)
    if agent is None:
        return 200
    if agent["state"] == "paused":
        path, body = "unpause", {"agent": agent["agent"]}
    else:
        path, body = "pause", {"agent": agent["agent"], "pause_code": agent["pause_codes"][0]}
    return http.post(f"{web.url}/api/actions/{path}", json=body, auth=SUPERVISOR).status_code


@dataclass
class Activity:
    """What the supervisor's side did while the clients listened: statuses, errors, samples."""

    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    samples: list[dict[str, float]] = field(default_factory=list)


def supervise(sim: Proc, web: Proc, seconds: float) -> Activity:
    """An action a second for ``seconds``, and the web's figures after a warm-up and twice
    later. On a thread of its own: the clients' event loop, busy parsing a few thousand events a
    second on a shared core, must not make the product's answers look late."""
    done = Activity()
    # A new connection per request: a kept-alive one can be closed by the server as it is
    # reused, which would count as an error of ours rather than of the product.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(timeout=10, limits=limits) as http:
        started = time.monotonic()
        marks = [seconds * f for f in (0.25, 0.625, 1.0)]  # warm-up, then two samples
        for n in itertools.count():
            elapsed = time.monotonic() - started
            if elapsed >= seconds:
                break
            if marks and elapsed >= marks[0]:
                marks.pop(0)
                done.samples.append({"at_s": round(elapsed, 1), **web_figures(http, web)})
            try:
                status = act(http, sim, web, n)
                done.statuses[status] = done.statuses.get(status, 0) + 1
            except httpx.HTTPError as exc:
                done.errors.append(repr(exc))
            time.sleep(max(0.0, started + n + 1 - time.monotonic()))  # pacing the load
        elapsed = time.monotonic() - started
        done.samples.append({"at_s": round(elapsed, 1), **web_figures(http, web)})
    return done


async def soak(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    sim = stack.simulator("--speed", str(args.speed), agents=args.agents, queues=args.queues)
    # The poller's and the web's pace, for both.
    stack.env.update(WALLBOARD_POLL_INTERVAL=str(args.interval), WALLBOARD_STATS_INTERVAL="5")
    stack.poller()
    web = stack.web(
        WALLBOARD_ACTIONS_PER_MINUTE="100000",
        WALLBOARD_KEEPALIVE="5",
        WALLBOARD_CLIENT_QUEUE_SIZE="256",
        # Every client comes from this one address: lift the cap on streams per address.
        WALLBOARD_SSE_PER_ADDRESS=str(args.clients + 100),
    )
    assert web.port
    async with httpx.AsyncClient(timeout=10) as http:
        deadline = time.monotonic() + 30
        while not (await http.get(f"{web.url}/api/snapshot")).json()["agents"]:
            assert time.monotonic() < deadline, "no data from the poller"
            await asyncio.sleep(0.1)

        stop = asyncio.Event()
        clients = [Client([web.port], retry_s=1.0) for _ in range(args.clients)]
        tasks = []
        for first in range(0, len(clients), 100):
            tasks += [asyncio.create_task(c.run(stop)) for c in clients[first : first + 100]]
            await asyncio.sleep(0.05)  # a burst of a thousand SYNs overflows the listen backlog
        activity = await asyncio.to_thread(supervise, sim, web, args.seconds)

        # Settle: no more events upstream, then every client must catch up with the snapshot.
        await http.post(f"{sim.url}/sim/auto", json={"enabled": False})
        settle = time.monotonic() + 30
        mismatched = len(clients)
        while time.monotonic() < settle:
            snap = (await http.get(f"{web.url}/api/snapshot")).json()
            expected = (await asyncio.to_thread(full_page, web.port)).data()
            mismatched = sum(
                1
                for c in clients
                if c.last_id != snap["version"]
                or c.page.data() != expected
                or c.page.agent_states() != snapshot_agents(snap)
            )
            if not mismatched:
                break
            await asyncio.sleep(0.5)
        stop.set()
        await stop_all(tasks)

    samples, statuses = activity.samples, activity.statuses
    later = samples[-2:]
    growth = {
        k: (later[1][k] - later[0][k]) / later[0][k] if later[0][k] > 0 else 0.0
        for k in ("rss_mb", "tasks")
    }
    errors = [e for c in clients for e in c.errors] + activity.errors
    server_errors = sum(v for k, v in statuses.items() if k >= 500)
    result = {
        "seconds": args.seconds,
        "clients": args.clients,
        "connected_at_end": sum(1 for c in clients if c.connects),
        "events": sum(c.events for c in clients),
        "reconnects": sum(max(0, c.connects - 1) for c in clients),
        "dropped_or_ended": sum(c.endings for c in clients),
        "actions": statuses,
        "errors": errors[:10],
        "samples": samples,
        "growth": {k: round(v, 4) for k, v in growth.items()},
        "mismatched_clients": mismatched,
    }
    result["ok"] = (
        not errors
        and not server_errors
        and result["dropped_or_ended"] == 0
        and mismatched == 0
        and all(v < GROWTH_LIMIT for v in growth.values())
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--queues", type=int, default=4)
    parser.add_argument("--speed", type=float, default=5.0, help="simulated time per real second")
    parser.add_argument("--interval", type=float, default=0.5, help="poll interval, seconds")
    args = parser.parse_args()
    raise_nofile()
    with (
        tempfile.TemporaryDirectory(prefix="wallboard-soak-") as tmp,
        Stack.with_own_redis(Path(tmp), many_files=True) as stack,
    ):
        try:
            result = asyncio.run(soak(stack, args))
        except BaseException:
            print(stack.logs(), file=sys.stderr)
            raise
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
