"""docs/benchmarks.md from the runner's figures: the machine, the versions, the commands and a
table per benchmark with its goal and verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.baseline import BASELINE
from bench.common import table, verdict

STAGES = ("decode", "parse", "step", "encode", "apply", "render")
IMAGE_BOARD_BYTES = 60 * 1024  # Loway's WallboardCache: an image per refresh, about 60 KB


def ms(seconds: float) -> str:
    return "—" if seconds != seconds else f"{seconds * 1000:.0f} ms"


def section_machine(r: dict[str, Any]) -> str:
    m, v = r["machine"], r["versions"]
    rows = [
        ["CPU", f"{m['cpu']}, {m['cores']} cores"],
        ["RAM", m["ram"]],
        ["OS, kernel", f"{m['os']}, {m['kernel']}"],
        ["open-file limit", m["nofile"]],
    ]
    rows += [[k, val] for k, val in v.items()]
    return table(["", ""], rows)


def section_upstream(u: dict[str, Any]) -> str:
    rows = []
    for ours, naive in zip(u["ours"], u["naive"], strict=True):
        rows.append(
            [
                f"{ours['screens']:,}",
                f"{ours['per_min']:.1f}",
                f"{ours['total_per_min']:.1f}",
                f"{naive['per_min']:,.0f}",
                f"{naive['offered_per_min']:,.0f}",
                f"{ms(naive['p50'])} / {ms(naive['p95'])}",
                f"{ours['sim_cpu_pct']:.0f} % / {naive['sim_cpu_pct']:.0f} %",
            ]
        )
    expected = 60 / u["interval"]
    ok = all(abs(o["per_min"] - expected) <= expected * 0.1 + 60 / o["window_s"] for o in u["ours"])
    window = u["ours"][0]["window_s"]
    naive_window = u["naive"][0]["window_s"]
    return (
        f"Poll interval {u['interval']:.0f} s (the default): one `QmRealtime` per interval is "
        f"{expected:.0f} a minute. Ours: N SSE clients on one web process for {window:.0f} s; "
        f"naive: N screens each POSTing `QmRealtime` (both raw blocks) every 5 s from a random "
        f"phase for {naive_window:.0f} s. Both counted by the simulator (`GET /sim/requests`) "
        "over the window and **extrapolated to a minute**. 'All endpoints' adds the poller's "
        "other channels (QmStats today's figures, the directory), also independent of screens.\n\n"
        + table(
            [
                "screens",
                "ours: QmRealtime/min",
                "ours: all endpoints/min",
                "naive: QmRealtime/min received",
                "naive: offered/min",
                "naive: answer p50 / p95",
                "simulator CPU ours / naive",
            ],
            rows,
        )
        + f"\n\nGoal (1): exactly one request per poll interval whatever the number of screens "
        f"— {verdict(ok)} (within one poll of {expected:.0f}/min at every N)."
    )


SERVERS = {"bare": "bare", "ours": "ours", "ours-gc-default": "ours, Python's collector as is"}


def _gc_pauses(r: dict[str, Any]) -> str:
    """Seconds of full collections in the window, per second of it (older runs lack it)."""
    if r.get("server") == "bare" or "web_gc_full_s" not in r:
        return ""
    return " + ".join(f"{s / r['window_s'] * 1000:.0f} ms/s" for s in r["web_gc_full_s"])


def _fanout_row(r: dict[str, Any], bare: dict[str, Any] | None) -> list[Any]:
    cpu = " + ".join(f"{c:.0f} %" for c in r["web_cpu_pct"])
    ratio = f"{r['p99'] / bare['p99']:.1f}x" if bare and bare["p99"] > 0 else ""
    return [
        SERVERS.get(r.get("server", "ours"), "ours"),
        f"{r['clients']:,}",
        r["webs"],
        f"{r['connected']:,}" + (f" ({r['failed']} failed)" if r["failed"] else ""),
        f"{r['connect_s']:.1f} s",
        f"{r['deliveries']:,} / {r['expected']:,}",
        ms(r["p50"]),
        ms(r["p99"]),
        ratio,
        f"{r['rss_per_conn_kb']:.0f} KB",
        cpu,
        _gc_pauses(r),
        f"{r['client_cpu_pct']:.0f} %",
    ]


def section_fanout(rows: list[dict[str, Any]]) -> str:
    bare = {r["clients"]: r for r in rows if r.get("server") == "bare"}
    ours = {r["clients"]: r for r in rows if r.get("server", "ours") == "ours" and r["webs"] == 1}
    body = [_fanout_row(r, bare.get(r["clients"]) if r.get("server") != "bare" and
                        r["webs"] == 1 else None) for r in rows]  # fmt: skip
    at = ours.get(5000)
    floor = bare.get(5000)
    ok_p99 = bool(at and at["p99"] < 0.5 and at["deliveries"] == at["expected"])
    ok_ratio = bool(at and floor and at["p99"] <= 2 * floor["p99"])
    ok_rss = bool(at and at["rss_per_conn_kb"] < 40)
    marginal, ok_marginal = "", False
    if 1000 in ours and 5000 in ours:
        low, high = ours[1000], ours[5000]
        grew = (high["rss_after_mb"][0] - low["rss_after_mb"][0]) * 1024
        per = grew / max(1, high["connected"] - low["connected"])
        ok_marginal = per < 30
        marginal = (
            f" Marginal RSS per connection between 1,000 and 5,000 clients: **{per:.0f} KB**."
        )
    big = ours.get(10000)
    stretch = (
        f" Stretch, 10,000 connected with p99 < 1 s — "
        f"{verdict(bool(big and big['connected'] == 10000 and big['p99'] < 1.0))}."
        if big else ""
    )  # fmt: skip
    return (
        "A 200-agent board; one change a second (one agent paused, its reason changed), injected "
        "into Redis with `SnapshotStore.publish` under the poller lease; every client on the TV "
        "view without filters. Latency: from the change handed to Redis to each connection "
        "reading it. RSS per connection: RSS growth of the server with the clients connected "
        "(after their first full refresh) / clients. CPU: % of one core over the window. Full "
        "GC: the time the web process's full garbage collections held it, per second of the "
        "window (`wallboard_gc_pause_seconds_total`). The "
        "load client is `bench/sseload.py` (asyncio protocols on uvloop, no task per "
        "connection), its own process on the same two cores.\n\n"
        "**The floor** (`bare` rows): `bench/bare.py`, a bare asyncio server that follows the "
        "same Redis stream and writes, per change, as many bytes as our process wrote per "
        "client (measured in the row above it), and first the same full refresh, to the same "
        "number of sockets from the same load client: no HTTP framework, no task or queue per "
        "connection. The ratio column is our p99 over the bare server's.\n\n"
        "**Python's collector as is** (at 5,000): our web process with "
        "`WALLBOARD_GC_FREEZE=false`. Each stream holds a few hundred long-lived objects, and "
        "a full garbage collection scans them all (about 400 ms at 5,000 streams, every dozen "
        "seconds, freeing nothing), while every screen's change waits; by default the web "
        "process freezes what survives a full collection out of the next ones' scans "
        "(`wallboard/web/heap.py`).\n\n"
        + table(
            [
                "server",
                "clients",
                "processes",
                "connected",
                "connect time",
                "deliveries",
                "p50",
                "p99",
                "p99 / bare",
                "RSS / connection",
                "server CPU",
                "full GC",
                "load-client CPU",
            ],
            body,
        )
        + f"\n\nGoals (2): 5,000 clients on one process, p99 < 500 ms — {verdict(ok_p99)}; "
        f"within 2x of the bare server — {verdict(ok_ratio)}; < 40 KB per connection all-in "
        f"at 5,000 — {verdict(ok_rss)}; < 30 KB marginal — {verdict(ok_marginal)}."
        + marginal
        + stretch
    )


def section_e2e(rows: list[dict[str, Any]]) -> str:
    body = []
    ok = True
    for r in rows:
        met = r["p95"] < r["interval"] + 0.3
        ok &= met
        body.append(
            [
                f"{r['interval']:g} s",
                r["samples"],
                ms(r["p50"]),
                ms(r["p95"]),
                ms(r["max"]),
                ms(r["interval"] + 0.3),
                verdict(met),
            ]
        )
    return (
        "A 200-agent simulator with its random events off; one agent paused/unpaused through "
        "`POST /sim/agents/...` at a random phase of the poll; a `MutationObserver` in headless "
        "Chromium records when the tile's `data-state` changes. Latency = that moment minus the "
        "moment the request to the simulator was sent (the same clock).\n\n"
        + table(["poll interval", "samples", "p50", "p95", "max", "goal p95 <", "verdict"], body)
        + f"\n\nGoal (3): p95 < poll interval + 300 ms — {verdict(ok)}. Expected p50 ≈ half an "
        "interval (the change waits for the next poll) plus the pipeline."
    )


def section_bytes(b: dict[str, Any]) -> str:
    event = b["event_bytes"]
    rows = [
        [
            "SSE event for one agent's change (median, max)",
            f"{event:,.0f} B (max {b['event_max']:,.0f} B)",
        ],
        ["… of which the agent's own tile", f"{b['tile_bytes']:,.0f} B"],
        *(
            [
                [
                    "… the message as written, with the poll's freshness line",
                    f"{b['message_bytes']:,.0f} B",
                ]
            ]
            if "message_bytes" in b
            else []
        ),
        [
            "SSE freshness line (every poll, in the change's message or alone)",
            f"{b['beat_bytes']:,.0f} B",
        ],
        ["full page refresh of the same board (HTML + headers)", f"{b['page_wire']:,} B"],
        ["… plus its CSS and JS (cached after the first load)", f"{b['static_bytes']:,} B"],
        [
            "image-based board (Loway's WallboardCache), reference figure",
            f"≈ {IMAGE_BOARD_BYTES:,} B",
        ],
        ["naive: one QmRealtime answer, per screen every 5 s", f"{b['realtime_bytes']:,} B"],
        ["`/api/snapshot` JSON of the board", f"{b['snapshot_bytes']:,} B"],
    ]
    p95 = b.get("event_p95", b["event_max"])
    rows.insert(1, ["… p95", f"{p95:,.0f} B"])
    ok = event < 1024
    ok95 = p95 < 2048
    return (
        f"A board of {b['agents']} agents; one agent paused or unpaused in the simulator; "
        f"the SSE event that carries it, as written to the socket (`id:`, `data:` lines with the "
        f"agent's tile and the counts that moved, as htmx out-of-band fragments), over "
        f"{b['samples']} samples. The poll's freshness line travels at the end of the same "
        "message; it is sent every poll, with a change or alone, so the change's bytes are the "
        "message up to that line. The image board's figure is Loway's, not measured here.\n\n"
        + table(["what", "bytes"], rows)
        + f"\n\nGoal (4): < 1 KB median per single agent change — {verdict(ok)}; < 2 KB p95 — "
        f"{verdict(ok95)}: "
        f"{b['page_wire'] / event:.0f}x less than a page refresh, "
        f"{IMAGE_BOARD_BYTES / event:.0f}x less than an image board."
    )


def _processing_rows(rows: list[dict[str, Any]], label: str) -> list[list[Any]]:
    body = []
    for r in rows:
        s = r["stages_ms"]
        body.append(
            [
                label,
                f"{r['agents']:,} / {r['calls']:,} / {r['queues']}",
                f"{r['bytes'] / 1024:,.0f} KB",
                # "—": a stage the run that made these figures did not time (older results).
                *(f"{s[k]:.1f}" if k in s else "—" for k in STAGES),
                f"**{r['total_ms']:.1f}**",
                f"{r['max_ms']:.0f}",
                f"{r.get('fragment_bytes', 0):,}",
            ]
        )
    return body


def section_processing(rows: list[dict[str, Any]], before: list[dict[str, Any]] | None) -> str:
    now = {r["requested"]: r for r in rows}
    body = []
    for r in rows:
        old = next((b for b in before or [] if b["requested"] == r["requested"]), None)
        if old:
            body += _processing_rows([old], f"before ({BASELINE})")
        body += _processing_rows([r], "now")
    at = now.get(2000)
    ok = bool(at and at["total_ms"] < 50)
    old = next((b for b in before or [] if b["requested"] == 2000), None)
    gain = f" ({old['total_ms'] / at['total_ms']:.1f}x faster than before)" if at and old else ""
    return (
        "In process (no network): the simulator's model with N agents and N/2 live calls (half "
        "answered) gives QmRealtime answers; between two answers about 1 % of the agents "
        "change state and a call ends and another arrives. Median milliseconds per poll, per "
        "stage: decode (JSON) → parse (raw rows) → step (the poller's pipeline, "
        "`model.pipeline.step`: derive the floor, alerts, diff) → encode (the JSON written to "
        "Redis) → apply (a web process follows the stream) → render (the TV view's "
        f"fragments). `before` rows: the same benchmark run, in the same run, on the code "
        f"before the performance work (commit {BASELINE}, checked out beside this tree by "
        "`bench/baseline.py`).\n\n"
        + table(
            [
                "code",
                "agents / calls / queues",
                "answer",
                *STAGES,
                "total ms",
                "max ms",
                "fragment bytes",
            ],
            body,
        )
        + f"\n\nGoal (5): < 50 ms for 2,000 agents — {verdict(ok)}{gain}."
    )


def _browser_row(label: str, b: dict[str, Any]) -> list[str]:
    per = b["per_update_ms"]
    return [
        label,
        f"{b['tiles']}",
        f"{b['updates']}",
        f"{per['TaskDuration']:.2f}",
        f"{per['ScriptDuration']:.2f}",
        f"{per['LayoutDuration']:.2f}",
        f"{per['RecalcStyleDuration']:.2f}",
        f"{b['idle_ms_per_s']['TaskDuration']:.1f}",
    ]


def section_browser(b: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    per = b["per_update_ms"]
    samples = b["samples"]
    first, last = samples[0], samples[-1]
    peak = max(s["heap_mb"] for s in samples)
    grew = last["heap_mb"] - first["heap_mb"]
    ok_time = per["TaskDuration"] < 8
    ok_idle = b["idle_ms_per_s"]["TaskDuration"] < 5
    ok_mem = grew < max(1.0, 0.1 * first["heap_mb"]) and last["nodes"] <= first["nodes"] * 1.05
    rows = ([_browser_row(f"before ({BASELINE})", before)] if before else []) + [
        _browser_row("now", b)
    ]
    heap_rows = [
        [f"{s['t']:.0f} s", f"{s['heap_mb']:.2f} MB", f"{s['nodes']:.0f}", f"{s['listeners']:.0f}"]
        for s in samples
    ]
    return (
        f"Headless Chromium, 1920x1080, the TV page with {b['tiles']} agent tiles, fed by the "
        f"injector through a web process. Main-thread cost: CDP `Performance.getMetrics` over a "
        f"window of changes at {b['rate']:g}/s (one agent each) minus an idle window of the same "
        "length (the page's 1-s clock), divided by the changes sent. SSE messages the page got "
        f"for {b['updates']} changes: {b.get('messages', 0)} now"
        + (f", {before.get('messages', 0)} before" if before else "")
        + " (a change and the freshness line it brings were two messages before, one now)."
        "\n\n"
        + table(
            [
                "page",
                "tiles",
                "changes",
                "main thread ms/change",
                "script",
                "layout",
                "style",
                "idle ms per s",
            ],
            rows,
        )
        + f"\n\nMemory: {b['soak_updates']:,} changes at {b['soak_rate']:g}/s over "
        f"{b['soak_s']:.0f} s (a rate this page sustains, given the cost above); JS heap and DOM "
        "nodes after a forced GC (`HeapProfiler.collectGarbage`), the last sample 10 s after "
        "the changes stopped.\n\n"
        + table(["time", "JS heap used", "DOM nodes", "JS listeners"], heap_rows)
        + f"\n\nGoal (6): < 8 ms main thread per update (here: per change, with the "
        f"freshness line its message carries) — {verdict(ok_time)} "
        f"({per['TaskDuration']:.2f} ms); idle < 5 ms per s — {verdict(ok_idle)}; "
        f"no memory growth — {verdict(ok_mem)} "
        f"(heap {first['heap_mb']:.2f} → {last['heap_mb']:.2f} MB, peak {peak:.2f} MB; "
        f"nodes {first['nodes']:.0f} → {last['nodes']:.0f})."
    )


def section_boards(rows: list[dict[str, Any]]) -> str:
    """1,000 TVs on one web process over 1 or 50 saved boards (``bench/boards.py``)."""
    lines = [
        "One change a second, every TV shown it (the boards show the whole floor). The hub "
        "renders a change once per view, a saved board being a view, and writes the same bytes "
        "to all of that view's TVs: 50 boards are 50 renders a change where 1 board is 1. CPU: "
        "the web process over the window, divided by the changes in it (so with each second's "
        "freshness beat to every TV, and the writes to 1,000 sockets, which do not depend on the "
        "boards); bytes: its own count of SSE bytes over the window, per change. The rest of the "
        "CPU per change is the per-board renders. Measured beside other work on the same two "
        "cores: compare the two rows, not the figures with other sections.",
        "",
        "| boards | TVs connected | renders / change | web CPU / change | bytes / change "
        "| p50 | p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['boards']} | {row['connected']} | {row['renders_per_change']} "
            f"| {row['cpu_ms_per_change']:.1f} ms | {row['bytes_per_change'] / 1024:.0f} KiB "
            f"| {ms(row['p50'])} | {ms(row['p99'])} |"
        )
    return "\n".join(lines)


def section_insights(r: dict[str, Any]) -> str:
    """The poll's pipeline with and without the insight widgets, alternating in one run."""
    med, top = r["median_ms"], r["max_ms"]
    added = med["insights"] - med["baseline"]
    rows = [
        ("step, without insights (baseline)", "baseline"),
        ("step, with agents' day, trend and staffing", "insights"),
        ("snapshot encode, without insights", "encode_plain"),
        ("snapshot encode, with insights", "encode_insights"),
        ("trend JSON for Redis (every queue)", "trend_json"),
    ]
    return (
        f"{r['agents']:,} agents, {r['calls']:,} live calls, {r['queues']} queues, "
        f"{r['calls_30_min']:,} calls in the last half hour, an hour of trend per queue; the "
        "poller's pipeline (`model.pipeline.step`: derive, today's figures, insights, alerts, "
        f"diff) run {r['repeats']} times each way, alternating, over the same polls. Medians "
        "and maxima in milliseconds; measured beside other work on the same two cores, so "
        "compare the rows with each other.\n\n"
        + table(
            ["", "median ms", "max ms"],
            [[label, f"{med[k]:.1f}", f"{top[k]:.1f}"] for label, k in rows],
        )
        + f"\n\nThe insight widgets add **{added:.1f} ms** a poll (median); the snapshot grows "
        f"from {r['snapshot_kb']['plain']:,.0f} KB to {r['snapshot_kb']['insights']:,.0f} KB "
        "(the trend and staffing on every queue, the day on every agent)."
    )


def write(r: dict[str, Any], out: Path, notes: str = "") -> None:
    parts = [
        "# Benchmarks",
        "",
        "Generated by `bench/run` (do not edit the figures by hand; rerun it). "
        f"This run: `{r['command']}`, {r['started']}, {r['duration_s'] / 60:.1f} minutes"
        + (" (quick: shorter windows, fewer samples)" if r["quick"] else "")
        + (f"; later partial reruns: {', '.join(r['reruns'])}" if r.get("reruns") else "")
        + ". Everything on one machine over loopback: the load clients share the two cores with "
        "the processes they measure, so the figures are conservative.",
        "",
        "## How to run",
        "",
        "```sh",
        "bench/run            # everything, about 15 minutes; writes this file",
        "bench/run --quick    # shorter windows and fewer samples",
        "bench/run --only processing,fanout   # a subset of: processing, fanout, product,",
        "                                     # browser, qmstats, boards, insights",
        "```",
        "",
        "It uses `.venv` (creating it like `scripts/test`), raises the open-file limit, starts an "
        "embedded Redis, the simulator, pollers and web processes as real processes on free "
        "loopback ports (web processes raise their own `RLIMIT_NOFILE`), and stops them all "
        "at the end. Raw figures: `bench/last-results.json`.",
        "",
        "## Machine and versions",
        "",
        section_machine(r),
    ]
    sections: list[tuple[str, str, Callable[[Any], str]]] = [
        ("1. Upstream load: requests to QueueMetrics", "upstream", section_upstream),
        ("2. Fan-out: SSE clients per web process", "fanout", section_fanout),
        ("3. End-to-end latency: simulator → DOM", "e2e", section_e2e),
        ("4. Bytes per change", "bytes", section_bytes),
        (
            "5. Poll processing",
            "processing",
            lambda v: section_processing(v, r.get("processing_before")),
        ),
        ("6. Browser cost", "browser", lambda v: section_browser(v, r.get("browser_before"))),
    ]
    for title, key, render in sections:
        if key in r:
            parts += ["", f"## {title}", "", render(r[key])]
    if "qmstats" in r:
        parts += [
            "",
            "## 7. QmStats: today's figures (`bench/qmstats.py`)",
            "",
            "Incremental windows against a whole-day fetch every interval; the table is the "
            "script's own output.",
            "",
            r["qmstats"],
        ]
    if "boards" in r:
        title = "8. Saved boards: 1,000 TVs over 50 boards (`bench/boards.py`)"
        parts += ["", f"## {title}", "", section_boards(r["boards"])]
    if "insights" in r:
        title = "9. Insight widgets per poll (`bench/insights.py`)"
        parts += ["", f"## {title}", "", section_insights(r["insights"])]
    notes_file = Path(__file__).with_name("notes.md")
    if notes_file.exists():
        parts += ["", notes_file.read_text().strip()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts) + "\n")
