"""Benchmark 6: what updates cost a TV's browser, with 500 agent tiles.

A web process follows a Redis prefix fed by the injector (500 agents). Main-thread time comes
from CDP ``Performance.getMetrics`` (TaskDuration, ScriptDuration, LayoutDuration,
RecalcStyleDuration): over a window of updates, minus the same page's idle cost (its clock
ticks once a second) over an equal window, divided by the updates the page received. Memory:
updates at a high rate for minutes ("an hour compressed"), the JS heap and DOM node count
sampled after a forced GC (``HeapProfiler.collectGarbage``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from bench.inject import Injector
from bench.product import CHROMIUM_FLAGS
from tests.harness import ROOT, Stack
from wallboard.model.state import Floor

METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
COUNTER = (
    "window.__updates = 0;"
    "document.addEventListener('htmx:sseMessage', () => { window.__updates += 1; });"
)


async def metrics(cdp: Any) -> dict[str, float]:
    answer = await cdp.send("Performance.getMetrics")
    return {m["name"]: float(m["value"]) for m in answer["metrics"]}


async def window(
    cdp: Any, page: Any, seconds: float, injector: Injector
) -> tuple[dict[str, float], int, int]:
    """Main-thread time over a window; the SSE messages the page got, and the changes sent."""
    before, count0 = await metrics(cdp), await page.evaluate("window.__updates")
    seq0 = injector.seq
    await asyncio.sleep(seconds)
    after, count1 = await metrics(cdp), await page.evaluate("window.__updates")
    return {k: after[k] - before[k] for k in METRICS}, int(count1 - count0), injector.seq - seq0


async def heap(cdp: Any) -> dict[str, float]:
    await cdp.send("HeapProfiler.collectGarbage")
    await cdp.send("HeapProfiler.collectGarbage")
    m = await metrics(cdp)
    return {
        "heap_mb": m["JSHeapUsedSize"] / 2**20,
        "nodes": m["Nodes"],
        "listeners": m.get("JSEventListeners", 0),
    }


async def run(
    stack: Stack,
    state: Floor,
    chromium: str,
    rate: float,
    cost_window: float,
    soak: float,
    sample_every: float,
    soak_rate_s: float,
    cwd: Path = ROOT,
) -> dict[str, Any]:
    """``cwd``: the checkout whose web process (and so whose page) is measured; ``soak=0``
    measures the cost alone."""
    from playwright.async_api import async_playwright

    assert stack.redis is not None
    prefix = f"bench-browser-{int(time.time())}:"
    injector = Injector(stack.redis.url, prefix, state)
    await injector.start()
    web = stack.web(cwd=cwd, WALLBOARD_REDIS_PREFIX=prefix, WALLBOARD_POLL_INTERVAL="60")
    result: dict[str, Any] = {"agents": len(injector.state.agents), "rate": rate}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            try:
                page = await browser.new_page(
                    viewport={"width": 1920, "height": 1080}, bypass_csp=True
                )
                await page.add_init_script(COUNTER)
                await page.goto(f"{web.url}/wallboard")
                await page.wait_for_function("window.__updates > 0", timeout=15000)
                cdp = await page.context.new_cdp_session(page)
                await cdp.send("Performance.enable")
                tiles = await page.evaluate("document.querySelectorAll('.agent').length")
                result["tiles"] = tiles
                await asyncio.sleep(1.0)
                idle, _, _ = await window(cdp, page, cost_window, injector)
                feeding = asyncio.create_task(injector.run(rate, cost_window + 1))
                await asyncio.sleep(0.5)
                busy, messages, updates = await window(cdp, page, cost_window, injector)
                await feeding
                # Per change: each change also brings a freshness event (fetched_at moved).
                per_update = {
                    k: max(0.0, busy[k] - idle[k]) / max(1, updates) * 1000 for k in METRICS
                }
                result.update(
                    updates=updates,
                    messages=messages,
                    idle_ms_per_s={k: idle[k] / cost_window * 1000 for k in METRICS},
                    per_update_ms=per_update,
                    raw_per_update_ms=busy["TaskDuration"] / max(1, updates) * 1000,
                )
                if not soak:
                    return result
                samples = [{"t": 0.0, **(await heap(cdp))}]
                soak_rate = soak_rate_s
                feeding = asyncio.create_task(injector.run(soak_rate, soak))
                started = time.monotonic()
                while not feeding.done():
                    await asyncio.sleep(
                        min(sample_every, max(0.1, soak - (time.monotonic() - started)))
                    )
                    samples.append({"t": time.monotonic() - started, **(await heap(cdp))})
                await feeding
                samples.append({"t": time.monotonic() - started, **(await heap(cdp))})
                await asyncio.sleep(10.0)  # the page drains what it has not processed yet
                samples.append({"t": time.monotonic() - started, **(await heap(cdp))})
                result.update(
                    soak_s=soak,
                    soak_rate=soak_rate,
                    soak_updates=injector.seq,
                    samples=samples,
                )
            finally:
                await browser.close()
    finally:
        stack.remove(web)
        with contextlib.suppress(Exception):
            await injector.close()
    return result
