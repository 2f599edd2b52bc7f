"""Benchmark: saved boards. 1,000 TVs on one web process, spread over 50 different boards,
against the same 1,000 TVs on one board: what one change costs when the hub renders it once per
board (50 renders) instead of once (1 render), and the bytes it writes.

The boards all show the whole floor (so every change reaches every TV, the worst case) and
differ only in their id; the change stream and the load client are those of ``bench/fanout``.
Renders per change = distinct views served: the hub renders each change once per view
(``Hub.apply`` loops over the fan-out's views) and writes the same bytes to each of its TVs.
"""

from __future__ import annotations

from typing import Any

from bench import fanout
from tests.harness import Stack
from wallboard.model.board import Board
from wallboard.model.state import Floor
from wallboard.store.boards import BoardStore
from wallboard.store.connection import connect
from wallboard.store.keys import Keys

TVS = 1000


def _saver(redis_url: str, count: int) -> Any:
    async def save(prefix: str) -> None:
        redis = connect(redis_url)
        try:
            boards = [Board(id=f"b{i:02}", title=f"Board {i}", version=1) for i in range(count)]
            await BoardStore(redis, Keys(prefix)).replace_all(boards, [])
        finally:
            await redis.aclose()

    return save


async def run(stack: Stack, state: Floor, window: float, log: Any) -> list[dict[str, Any]]:
    assert stack.redis is not None
    rows = []
    for boards in (1, 50):
        log(f"boards: {TVS} TVs over {boards} board(s), one web process")
        paths = ",".join(f"/events?board=b{i:02}" for i in range(boards))
        row = await fanout.measure(stack, state, TVS, 1, window, path=paths,
                                   prepare=_saver(stack.redis.url, boards))  # fmt: skip
        changes = max(1, row["changes"])
        row["boards"] = boards
        row["renders_per_change"] = boards
        row["cpu_ms_per_change"] = row["web_cpu_pct"][0] / 100 * row["window_s"] / changes * 1000
        # The web's own count over the window: the changes' events and the keep-alives.
        row["bytes_per_change"] = row["web_sse_bytes"][0] / changes
        cpu, sent = row["cpu_ms_per_change"], row["bytes_per_change"] / 1024
        log(f"  cpu {cpu:.1f} ms/change, {sent:.0f} KiB/change, p99 {row['p99'] * 1000:.0f} ms")
        rows.append(row)
    return rows
