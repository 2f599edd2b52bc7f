"""QueueMetrics' JSON wire format, written from the model (pure functions).

Classic format: a block is a list of rows, row 0 the titles, every data cell a string; the
key/value `result` block has no title row and its "Time elapsed (ms)" is a JSON number.
Simple format (`jsonFormat=simple`): a block is a list of objects keyed by title and `result`
is one object. Timestamps are epoch seconds with QueueMetrics' clock offset applied; unset
ones are "0".
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from wallboard.simulator.callcenter import Agent, Call, CallCenter
from wallboard.simulator.config import Config

REALTIME_PREFIX = "RealtimeDO."
AGENTS_BLOCK = "RtAgentsRaw"
CALLS_BLOCK = "RtCallsRaw"

AGENT_COLUMNS: tuple[str, ...] = (
    "ACB_queue", "ACB_agent", "ACB_logon", "ACB_extension", "ACB_onPause",
    "ACB_curPauseCode", "ACB_curPauseTst", "ACB_pausetime", "ACB_pausesess",
    "ACB_obPauseList", "ACB_serverId", "ACB_lstCallQueue", "ACB_lstCallCaller",
    "ACB_lstCallTst", "ACB_lstCallivr", "ACB_lstCallWaitLen", "ACB_lstCallLen",
    "ACB_freeSincePauOrCallTst", "ACB_inCurrStatusSinceTst",
)  # fmt: skip

Table = list[list[Any]] | list[dict[str, Any]]
Block = Table | dict[str, Any]


def realtime_block(requested: str) -> str | None:
    """The raw block a requested key names: prefix in any case, the rest case-sensitive."""
    if requested[: len(REALTIME_PREFIX)].lower() != REALTIME_PREFIX.lower():
        return None
    name = requested[len(REALTIME_PREFIX) :]
    return name if name in (AGENTS_BLOCK, CALLS_BLOCK) else None


def stamp(t: float, offset: float) -> str:
    """An epoch-second cell on QueueMetrics' clock; "0" stays "0" (unset)."""
    return str(int(t + offset)) if t else "0"


# ----------------------------------------------------------------- records


def agent_records(
    center: CallCenter, queues: set[str] | None, agent: str, cfg: Config
) -> list[dict[str, str]]:
    """RtAgentsRaw rows as title -> cell, for the agents logged on to a selected queue."""
    rows: list[dict[str, str]] = []
    for a in center.agents.values():
        if not a.logged_on or (agent and a.code != agent.lower()):
            continue
        selected = [q for q in a.logged_queues if queues is None or q in queues]
        if not selected:
            continue
        base = _agent_cells(a, cfg)
        groups = [selected] if cfg.agent_rows == "joined" else [[q] for q in selected]
        rows.extend({"ACB_queue": ":".join(group), **base} for group in groups)
    return rows


def _agent_cells(a: Agent, cfg: Config) -> dict[str, str]:
    off = cfg.clock_offset_s
    onpause = ""
    if a.paused and cfg.onpause_format == "tst":
        onpause = stamp(a.pause_start, off)
    elif a.paused and cfg.onpause_format == "flag":
        onpause = "1"
    fill = cfg.fill_optional_columns
    last = a.last_call if fill else None
    return {
        "ACB_agent": a.code,
        "ACB_logon": stamp(a.logon, off),
        "ACB_extension": a.terminal,
        "ACB_onPause": onpause,
        "ACB_curPauseCode": a.pause_code if a.paused else "",
        "ACB_curPauseTst": stamp(a.pause_start, off) if a.paused else "0",
        "ACB_pausetime": str(int(a.pause_total)) if fill and a.pause_count else "",
        "ACB_pausesess": str(a.pause_count) if fill and a.pause_count else "",
        "ACB_obPauseList": "",
        "ACB_serverId": cfg.server_id,
        "ACB_lstCallQueue": last.queue if last else "",
        "ACB_lstCallCaller": last.caller if last else "",
        "ACB_lstCallTst": stamp(last.answered, off) if last else "",
        "ACB_lstCallivr": "",
        "ACB_lstCallWaitLen": str(int(last.wait_s)) if last else "",
        "ACB_lstCallLen": str(int(last.talk_s)) if last else "",
        "ACB_freeSincePauOrCallTst": stamp(a.free_since, off),
        "ACB_inCurrStatusSinceTst": stamp(a.status_since, off),
    }


def call_records(
    center: CallCenter, queues: set[str] | None, agent: str, cfg: Config
) -> list[dict[str, str]]:
    """RtCallsRaw rows as title -> cell: one per live call, plus earlier stints if asked."""
    now = center.time
    rows: list[dict[str, str]] = []
    for c in center.calls.values():
        stints: list[tuple[str, float, float, str, int]] = []
        if cfg.transfer_dupes:
            stints = [
                (s.queue, s.entered, s.answered, s.agent, i + 1) for i, s in enumerate(c.prior)
            ]
        shown_agent = c.agent or (c.ringing if cfg.ringing_sets_agent else "")
        stints.append((c.queue, c.entered, c.answered, shown_agent, c.stint))
        for queue, entered, answered, who, stint in stints:
            if queues is not None and queue not in queues:
                continue
            if agent and who != agent.lower():
                continue
            if _too_old(entered, answered, now, cfg):
                continue
            rows.append(_call_cells(c, queue, entered, answered, who, stint, cfg))
    return rows


def _too_old(entered: float, answered: float, now: float, cfg: Config) -> bool:
    # QM's default.maxOngoingWaitTime / maxOngoingTalkTime drop calls whose end got lost.
    if answered:
        return bool(cfg.max_ongoing_talk_s) and now - answered > cfg.max_ongoing_talk_s
    return bool(cfg.max_ongoing_wait_s) and now - entered > cfg.max_ongoing_wait_s


def _call_cells(
    c: Call, queue: str, entered: float, answered: float, agent: str, stint: int, cfg: Config
) -> dict[str, str]:
    off = cfg.clock_offset_s
    return {
        "RT_queue": queue,
        "RT_callid": c.callid,
        "RT_entered": stamp(entered, off),
        "RT_answered": stamp(answered, off),
        "RT_stint": str(stint),
        "RT_agent": agent,
        "RT_caller": c.caller,
        "RT_url": "",
        "RT_dnis": c.dnis,
        "RT_serverId": cfg.server_id,
    }


# ----------------------------------------------------------------- rendering


def table(
    titles: Sequence[str],
    records: Iterable[dict[str, str]],
    simple: bool,
    cfg: Config,
    rng: random.Random | None = None,
) -> Table:
    """A titled block in either format, with the configured quirks applied."""
    columns = list(titles)
    for i, extra in enumerate(cfg.extra_columns):
        columns.insert(1 + i, extra)
    if cfg.shuffled_columns:
        (rng or random.Random()).shuffle(columns)
    shown = [_dirty(t, i) if cfg.dirty_titles else t for i, t in enumerate(columns)]
    if simple:
        shown = _unique(shown)
    empty = cfg.empty_cell
    rows = [[rec.get(t, "") or empty for t in columns] for rec in records]
    if simple:
        return [dict(zip(shown, row, strict=True)) for row in rows]
    return [shown, *rows]


def _dirty(title: str, index: int) -> str:
    return f" {title} " if index % 2 else f"{title}&nbsp;"


def _unique(titles: list[str]) -> list[str]:
    # QM makes missing or repeated titles unique in simple mode; its scheme is unknown.
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, t in enumerate(titles):
        t = t or f"col{i}"
        n = seen.get(t, 0)
        seen[t] = n + 1
        out.append(t if n == 0 else f"{t}_{n}")
    return out


def kv(items: Sequence[tuple[str, Any]], simple: bool) -> Block:
    """A key/value block such as `result` or `auth`: [key, value] rows, or one object."""
    if simple:
        return dict(items)
    return [[k, v] for k, v in items]


def result(cfg: Config, elapsed_ms: int, simple: bool, error: str | None = None) -> Block:
    items: list[tuple[str, Any]] = [
        ("Status", "OK" if error is None else cfg.error_status),
        ("Description", error or ""),
        ("Time elapsed (ms)", elapsed_ms),
        ("QM Version", cfg.qm_version),
    ]
    if error is not None and cfg.error_stacktrace:
        trace = f"it.loway.app.queuemetrics.QmException: {error}\n\tat QmApi.run(QmApi.java:42)"
        items.append(("Stack trace", trace))
    return kv(items, simple)


def output(
    titles: Sequence[str], rows: Iterable[Sequence[str]], simple: bool, cfg: Config
) -> Table:
    """The untitled `output` block of QmAgentPCodes / QmAgentQueues (titles used as keys)."""
    data = [list(r) for r in rows]
    if simple:
        return [dict(zip(titles, r, strict=True)) for r in data]
    return [list(titles), *data] if cfg.kv_title_row else data


def realtime(
    center: CallCenter,
    blocks: Sequence[str],
    queues: set[str] | None,
    agent: str,
    simple: bool,
    cfg: Config,
    rng: random.Random | None = None,
) -> tuple[dict[str, Block], str | None]:
    """The data blocks of a QmRealtime answer, each under the key as requested.

    Returns the blocks and the error to report in `result` (an unknown block), if any.
    """
    out: dict[str, Block] = {}
    for key in blocks:
        name = realtime_block(key)
        if name == AGENTS_BLOCK:
            out[key] = table(
                AGENT_COLUMNS, agent_records(center, queues, agent, cfg), simple, cfg, rng
            )
        elif name == CALLS_BLOCK:
            out[key] = table(
                cfg.calls_columns, call_records(center, queues, agent, cfg), simple, cfg, rng
            )
        elif cfg.unknown_block == "error":
            return {}, f"Unknown block: {key}"
        elif cfg.unknown_block == "empty":
            out[key] = []
    return out, None
