"""Benchmarks on the whole product (simulator → poller → Redis → web → screens):

1. upstream load: what QueueMetrics (the simulator) receives with 1…1,000 screens, ours against
   every screen polling QmRealtime itself every 5 s;
3. end-to-end latency: a change in the simulator → the DOM updated in Chromium;
4. bytes per change: one agent changing on a 200-agent board, SSE against a page refresh.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

import httpx

from bench.common import pct
from bench.fanout import LoadClient
from bench.floor import REALTIME_BODY
from tests.browser.chromium import FLAGS
from tests.drive import agent_change, control_async
from tests.harness import ROBOT, Proc, Stack, cpu_seconds
from wallboard.web.fragments import dom_id

NAIVE_PERIOD_S = 5.0  # QueueMetrics' own real-time page refreshes every 5 s by default


def realtime_count(requests: dict[str, Any]) -> tuple[int, int]:
    endpoints = requests["endpoints"]
    realtime = int(endpoints.get("QmRealtime", {}).get("count", 0))
    return realtime, sum(int(e["count"]) for e in endpoints.values())


async def upstream_ours(
    simulator: Proc, web: Proc, screens: int, window: float, interval: float
) -> dict[str, Any]:
    load, ready = await LoadClient.start([f"127.0.0.1:{web.port}"], screens, "/events?view=tv")
    try:
        await asyncio.sleep(1.0)
        await control_async(simulator, "POST", "requests/reset")
        cpu0, started = cpu_seconds(simulator.pid), time.monotonic()
        await asyncio.sleep(window)
        counts = await control_async(simulator, "GET", "requests")
        elapsed = time.monotonic() - started
        sim_cpu = (cpu_seconds(simulator.pid) - cpu0) / elapsed * 100
    finally:
        await load.close()
    realtime, total = realtime_count(counts)
    return {
        "screens": screens,
        "connected": ready["connected"],
        "window_s": elapsed,
        "realtime": realtime,
        "total": total,
        "per_min": realtime * 60 / elapsed,
        "total_per_min": total * 60 / elapsed,
        "expected_per_min": 60 / interval,
        "sim_cpu_pct": sim_cpu,
    }


async def upstream_naive(simulator: Proc, screens: int, window: float) -> dict[str, Any]:
    """``screens`` screens, each polling QmRealtime every 5 s from a random phase."""
    url = f"{simulator.url}/queuemetrics/QmRealtime/jsonStatsApi.do"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=screens, max_keepalive_connections=screens)
    deadline = time.monotonic() + window + 1.0

    async def screen(client: httpx.AsyncClient, phase: float) -> None:
        nonlocal failures
        await asyncio.sleep(phase)
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                response = await client.post(url, content=REALTIME_BODY, headers=headers)
                response.raise_for_status()
                latencies.append(time.monotonic() - started)
            except httpx.HTTPError:
                failures += 1
            await asyncio.sleep(max(0.0, started + NAIVE_PERIOD_S - time.monotonic()))

    rng = random.Random(7)
    async with httpx.AsyncClient(auth=ROBOT, limits=limits, timeout=30) as client:
        await control_async(simulator, "POST", "requests/reset")
        cpu0, started = cpu_seconds(simulator.pid), time.monotonic()
        tasks = [
            asyncio.create_task(screen(client, rng.uniform(0, NAIVE_PERIOD_S)))
            for _ in range(screens)
        ]
        await asyncio.sleep(window)
        counts = await control_async(simulator, "GET", "requests")
        elapsed = time.monotonic() - started
        sim_cpu = (cpu_seconds(simulator.pid) - cpu0) / elapsed * 100
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    realtime, _ = realtime_count(counts)
    return {
        "screens": screens,
        "window_s": elapsed,
        "realtime": realtime,
        "per_min": realtime * 60 / elapsed,
        "offered_per_min": screens * 60 / NAIVE_PERIOD_S,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "failures": failures,
        "sim_cpu_pct": sim_cpu,
    }


def change(state: str) -> dict[str, str]:
    """The simulator's body for one agent's change (a pause has code 10)."""
    return agent_change(state, "10" if state == "paused" else "")


def free_agent(state: dict[str, Any]) -> str:
    agents = [a for a in state["agents"] if a.get("state") == "available"]
    return str(sorted(agents, key=lambda a: a["agent"])[0]["agent"])


async def bytes_per_change(simulator: Proc, web: Proc, agent: str, samples: int) -> dict[str, Any]:
    """Bytes of the SSE event carrying one agent's change, against a full page refresh."""
    target = dom_id("agents", agent).encode()
    events: list[tuple[float, bytes]] = []
    async with httpx.AsyncClient(timeout=None) as client:
        page = await client.get(f"{web.url}/wallboard")
        page_bytes = len(page.content)
        page_wire = page_bytes + sum(len(k) + len(v) + 4 for k, v in page.headers.raw) + 17
        snapshot = await client.get(f"{web.url}/api/snapshot")
        answer = await client.post(
            f"{simulator.url}/queuemetrics/QmRealtime/jsonStatsApi.do",
            content=REALTIME_BODY,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=ROBOT,
        )
        static = 0
        for asset in ("/static/wallboard.css", "/static/wallboard.js"):
            static += len((await client.get(f"{web.url}{asset}")).content)

        async def follow() -> None:
            async with client.stream("GET", f"{web.url}/events?view=tv") as response:
                buffer = b""
                async for chunk in response.aiter_raw():
                    buffer += chunk
                    while b"\r\n\r\n" in buffer:
                        event, buffer = buffer.split(b"\r\n\r\n", 1)
                        events.append((time.time(), event + b"\r\n\r\n"))

        reader = asyncio.create_task(follow())
        await asyncio.sleep(2.0)
        sizes: list[int] = []
        whole: list[int] = []
        tiles: list[int] = []
        state = "paused"
        for _ in range(samples):
            mark = len(events)
            body = change(state)
            await control_async(simulator, "POST", f"agents/{agent}", json=body)
            deadline = time.monotonic() + 10
            found = None
            while found is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
                found = next((e for _, e in events[mark:] if target in e), None)
            if found is not None:
                # The poll's freshness line rides in the same message (at its end); it is
                # sent every poll, change or none, so it is not the change's cost.
                line = found.find(FRESHNESS)
                sizes.append(line + len(b"\r\n\r\n") if line > 0 else len(found))
                whole.append(len(found))
                start = found.rfind(b"<div", 0, found.index(target))
                tiles.append(found.index(b"</div>", start) + 6 - start)
            state = "available" if state == "paused" else "paused"
            await asyncio.sleep(0.5)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    beats = [len(e) for _, e in events if FRESHNESS in e and target not in e]
    return {
        "agents": len(snapshot.json()["agents"]),
        "event_bytes": statistics.median(sizes) if sizes else float("nan"),
        "event_max": max(sizes) if sizes else float("nan"),
        "event_p95": pct([float(n) for n in sizes], 95) if sizes else float("nan"),
        "samples": len(sizes),
        "message_bytes": statistics.median(whole) if whole else float("nan"),
        "tile_bytes": statistics.median(tiles) if tiles else float("nan"),
        "beat_bytes": statistics.median(beats) if beats else float("nan"),
        "page_bytes": page_bytes,
        "page_wire": page_wire,
        "static_bytes": static,
        "snapshot_bytes": len(snapshot.content),
        "realtime_bytes": len(answer.content),
    }


FRESHNESS = b'<div id="freshness"'

OBSERVER = """
(id) => {
  window.__bench = {state: null, at: 0};
  const look = () => {
    const el = document.getElementById(id);
    const s = el ? el.getAttribute("data-state") : null;
    if (s !== window.__bench.state) { window.__bench = {state: s, at: Date.now()}; }
  };
  look();
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"]});
}
"""


async def end_to_end(
    stack: Stack,
    simulator: Proc,
    web: Proc,
    agent: str,
    intervals: tuple[float, ...],
    samples: int,
    chromium: str,
) -> list[dict[str, Any]]:
    from playwright.async_api import async_playwright

    rows = []
    element = dom_id("agents", agent)
    rng = random.Random(3)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            for interval in intervals:
                poller = stack.poller(
                    WALLBOARD_POLL_INTERVAL=str(interval), WALLBOARD_STATS_ENABLED="false"
                )
                try:
                    page = await browser.new_page(
                        viewport={"width": 1920, "height": 1080}, bypass_csp=True
                    )
                    await page.goto(f"{web.url}/wallboard")
                    await page.wait_for_function(f"document.getElementById('{element}')")
                    await page.evaluate(OBSERVER, element)
                    await asyncio.sleep(max(2.0, 2 * interval))  # the new poller has the lease
                    latencies: list[float] = []
                    state = "paused"
                    for _ in range(samples):
                        await asyncio.sleep(rng.uniform(0, interval))  # any phase of the poll
                        body = change(state)
                        sent = time.time()
                        await control_async(simulator, "POST", f"agents/{agent}", json=body)
                        await page.wait_for_function(
                            f"window.__bench.state === '{state}'", timeout=(interval + 10) * 1000
                        )
                        seen = await page.evaluate("window.__bench.at")
                        latencies.append(seen / 1000 - sent)
                        state = "available" if state == "paused" else "paused"
                    await page.close()
                finally:
                    stack.remove(poller)
                    await asyncio.sleep(0.5)
                rows.append(
                    {
                        "interval": interval,
                        "samples": len(latencies),
                        "p50": pct(latencies, 50),
                        "p95": pct(latencies, 95),
                        "max": max(latencies),
                    }
                )
        finally:
            await browser.close()
    return rows


# Precise memory figures for the browser benchmark.
CHROMIUM_FLAGS = [*FLAGS, "--enable-precise-memory-info"]
