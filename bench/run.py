"""Runs every benchmark and writes docs/benchmarks.md. Use ``bench/run`` (``--quick`` for a
shorter run). Loopback only; every process it starts is stopped at the end, even on failure
(and dies with it if it is killed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from msgspec.structs import replace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baseline, boards, browser, fanout, insights, processing, product
from bench.common import machine, versions
from bench.floor import Floor, state_of
from bench.report import write
from tests.browser.chromium import executable
from tests.drive import quiet
from tests.harness import ROOT, Stack, raise_nofile

ALL = "processing,fanout,product,browser,qmstats,boards,insights"
KEYS_OF = {
    "processing": ("processing", "processing_before"),
    "fanout": ("fanout",),
    "product": ("upstream", "bytes", "e2e"),
    "browser": ("browser", "browser_before"),
    "qmstats": ("qmstats",),
    "boards": ("boards",),
    "insights": ("insights",),
}


def chromium_path() -> str | None:
    return executable() or shutil.which("chromium")


async def bench_fanout(
    stack: Stack, quick: bool, log: Any, sizes: tuple[int, ...] = (1000, 2000, 5000, 10000)
) -> list[dict[str, Any]]:
    """Ours on one process, then the bare server writing the same bytes per change to the same
    number of sockets; at 5,000, ours again with Python's garbage collector as it is (the
    freezing of wallboard/web/heap.py off); two processes at 5,000 for scale-out."""
    floor = Floor(200)
    state = state_of(await floor.fetch(), floor.directory)
    window = 8.0 if quick else 15.0
    rows = []
    for webs, clients in [(1, n) for n in sizes] + [(2, 5000)]:
        log(f"fan-out: {clients} clients on {webs} web process(es)")
        row = await fanout.measure(stack, state, clients, webs, window)
        log(fanout_line(row))
        rows.append(row)
        if webs == 1:
            per_change = sum(row["web_sse_bytes"]) / max(1, row["deliveries"])
            bare = await fanout.measure(
                stack, state, clients, 1, window, bare=(int(per_change), row["first_bytes"])
            )
            log("  bare: " + fanout_line(bare))
            rows.append(bare)
        if webs == 1 and clients == 5000:
            default = await fanout.measure(stack, state, clients, 1, window, freeze=False)
            log("  Python's collector as it is: " + fanout_line(default))
            rows.append(default)
    return rows


def fanout_line(row: dict[str, Any]) -> str:
    return (
        f"p50 {row['p50'] * 1000:.0f} ms p99 {row['p99'] * 1000:.0f} ms "
        f"{row['rss_per_conn_kb']:.0f} KB/conn cpu {row['web_cpu_pct']}"
    )


async def bench_product(
    stack: Stack, quick: bool, chromium: str | None, log: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    simulator = stack.simulator(agents=200, queues=8)
    web = stack.web(WALLBOARD_POLL_INTERVAL="3")
    poller = stack.poller(WALLBOARD_POLL_INTERVAL="3")
    await asyncio.sleep(10.0)  # past the poller's start-up burst (names, pause codes, QmStats)
    window = 15.0 if quick else 30.0
    ours = []
    for screens in (1, 10, 100, 1000):
        log(f"upstream, ours: {screens} screens")
        ours.append(await product.upstream_ours(simulator, web, screens, window, 3.0))
    stack.remove(poller)
    naive = []
    for screens in (1, 10, 100, 1000):
        log(f"upstream, naive: {screens} screens polling QmRealtime every 5 s")
        naive.append(await product.upstream_naive(simulator, screens, 10.0 if quick else 20.0))
    out["upstream"] = {"ours": ours, "naive": naive, "interval": 3.0}

    floor_state = await asyncio.to_thread(quiet, simulator)
    agent = product.free_agent(floor_state)
    poller = stack.poller(WALLBOARD_POLL_INTERVAL="1", WALLBOARD_STATS_ENABLED="false")
    await asyncio.sleep(3.0)
    log(f"bytes per change ({agent})")
    out["bytes"] = await product.bytes_per_change(simulator, web, agent, 5 if quick else 9)
    stack.remove(poller)
    if chromium:
        intervals = (0.5, 1.0, 3.0)
        log(f"end-to-end latency at poll intervals {intervals}")
        out["e2e"] = await product.end_to_end(
            stack, simulator, web, agent, intervals, 8 if quick else 20, chromium
        )
    stack.remove(web)
    stack.remove(simulator)
    return out


def qmstats(log: Any) -> str:
    log("QmStats (bench/qmstats.py)")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "qmstats.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    if done.returncode != 0:
        return f"bench/qmstats.py failed ({done.returncode}):\n\n```\n{done.stderr[-2000:]}\n```"
    return done.stdout.strip()


async def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter windows, fewer samples")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--only",
        default=ALL,
        help="comma-separated subset (the report then shows only those)",
    )
    parser.add_argument("--clients", default="", help="fan-out sizes, e.g. 5000 (default: all)")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the report from bench/last-results.json without measuring",
    )
    args = parser.parse_args()
    if args.report_only:
        write(json.loads((ROOT / "bench" / "last-results.json").read_text()), Path(args.out))
        return 0
    only = set(args.only.split(","))
    nofile = raise_nofile()
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)

    log(f"open-file limit {nofile}")
    chromium = chromium_path()
    results: dict[str, Any] = {
        "machine": machine(),
        "versions": versions(chromium),
        "quick": args.quick,
        "command": "bench/run" + (" --quick" if args.quick else ""),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    workdir = Path(tempfile.mkdtemp(prefix="wallboard-bench-"))
    trees: list[Path] = []

    def before_tree() -> Path:
        if not trees:
            trees.append(baseline.checkout())
        return trees[0]

    stack = Stack.with_own_redis(workdir, many_files=True)
    try:
        if "processing" in only:
            log("poll processing")
            sizes = (100, 500, 2000, 5000)
            results["processing"] = await processing.run(sizes, 5 if args.quick else 12)
            log(f"poll processing, the code before ({baseline.BASELINE})")
            results["processing_before"] = baseline.processing(
                before_tree(), sizes, 5 if args.quick else 12
            )
        if "fanout" in only:
            sizes = tuple(int(n) for n in args.clients.split(",") if n)
            results["fanout"] = await bench_fanout(
                stack, args.quick, log, *([sizes] if sizes else [])
            )
        if "product" in only:
            results.update(await bench_product(stack, args.quick, chromium, log))
        if "browser" in only and chromium:
            log("browser cost, 500 agent tiles")
            floor = Floor(545)
            whole = state_of(await floor.fetch(), floor.directory)
            state = replace(whole, agents=whole.agents[:500])
            cost = {"rate": 10.0, "cost_window": 6.0 if args.quick else 10.0}
            log(f"browser cost, the page before ({baseline.BASELINE})")
            results["browser_before"] = await browser.run(
                stack, state, chromium, **cost, soak=0, sample_every=0, soak_rate_s=0,
                cwd=before_tree(),
            )  # fmt: skip
            log("browser cost and soak, the page now")
            results["browser"] = await browser.run(
                stack,
                state,
                chromium,
                **cost,
                soak=60.0 if args.quick else 180.0,
                sample_every=15.0 if args.quick else 20.0,
                soak_rate_s=5.0,
            )
        if "qmstats" in only:
            results["qmstats"] = qmstats(log)
        if "boards" in only:
            floor = Floor(200)
            state = state_of(await floor.fetch(), floor.directory)
            results["boards"] = await boards.run(stack, state, 8.0 if args.quick else 20.0, log)
        if "insights" in only:
            log("insight widgets per poll, 2,000 agents and 40 queues")
            results["insights"] = await insights.run(2000, 15 if args.quick else 40)
    except BaseException:
        print(f"benchmark failed; process logs in {workdir}", file=sys.stderr)
        print(stack.logs(), file=sys.stderr)
        raise
    finally:
        stack.stop()
        for tree in trees:
            baseline.remove(tree)
    results["duration_s"] = time.monotonic() - started
    raw = ROOT / "bench" / "last-results.json"
    if only != set(ALL.split(",")) and raw.exists():
        # A partial rerun: keep the other benchmarks' figures from the last run.
        previous = json.loads(raw.read_text())
        for part in only:
            previous.update({k: results[k] for k in KEYS_OF[part] if k in results})
        when = results["started"]
        previous["reruns"] = [*previous.get("reruns", []), f"`--only {args.only}` on {when}"]
        results = previous
    raw.write_text(json.dumps(results, indent=1, default=str))
    write(results, Path(args.out))
    log(f"wrote {args.out} (raw figures: {raw.relative_to(ROOT)})")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
