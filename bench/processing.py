"""Benchmark 5: the cost of one poll, from QueueMetrics' bytes to the SSE fragment.

Stages, as the poller and a web process run them: decode (JSON) → parse (raw rows) → step (the
poller's pipeline, ``wallboard.model.pipeline.step``: derive the floor, alerts with hysteresis,
diff against the previous floor) → encode (the JSON written to Redis, as ``SnapshotStore``
writes it) → apply (the web process follows the stream) → render (the TV view's fragments, as
the hub renders a change). Each poll between two answers of a floor where about 1 % of the
agents changed state and a call ended and another arrived.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import msgspec

from bench.floor import Floor, context, counts, state_of
from wallboard.model import state as model
from wallboard.model.diff import apply, touched
from wallboard.model.pipeline import step
from wallboard.qm.realtime import parse_realtime
from wallboard.web.fragments import fields_of, structural
from wallboard.web.render import Renderer
from wallboard.web.views import View

STAGES = ("decode", "parse", "step", "encode", "apply", "render")


def one_poll(
    raw: bytes, previous: model.Floor, floor: Floor, renderer: Renderer, view: View
) -> tuple[dict[str, float], model.Floor, int]:
    times: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = fn()
        times[stage] = time.perf_counter() - started
        return result

    payload = timed("decode", lambda: msgspec.json.decode(raw))  # as QMClient decodes
    realtime = timed("parse", lambda: parse_realtime(payload))

    judged = context(floor.directory)
    result = timed("step", lambda: step(previous, realtime, judged, time.time()))
    state, delta = result.floor, result.delta
    timed(
        "encode",
        lambda: (model.encode(state), json.dumps(delta, separators=(",", ":"))),
    )
    followed = timed("apply", lambda: (apply(previous, delta), touched(delta), structural(delta)))
    html = timed(
        "render",
        lambda: renderer.changes(
            view.select(followed[0]), view, followed[1], followed[2], fields_of(delta)
        ),
    )
    return times, state, len(html)


async def run(sizes: tuple[int, ...], repeats: int) -> list[dict[str, Any]]:
    renderer = Renderer()
    view = View()
    rows = []
    for agents in sizes:
        floor = Floor(agents)
        answers = [await floor.fetch()]
        for _ in range(3):
            floor.mutate(max(2, agents // 100))
            answers.append(await floor.fetch())
        states = [state_of(answers[0], floor.directory)]
        for raw in answers[1:]:
            states.append(state_of(raw, floor.directory, states[-1]))
        samples: dict[str, list[float]] = {s: [] for s in STAGES}
        totals: list[float] = []
        html_sizes: list[int] = []
        for i in range(repeats):
            raw, previous = answers[(i + 1) % 4], states[i % 4]
            times, _, size = one_poll(raw, previous, floor, renderer, view)
            for stage, seconds in times.items():
                samples[stage].append(seconds)
            totals.append(sum(times.values()))
            html_sizes.append(size)
        shape = counts(states[-1])
        rows.append(
            {
                "requested": agents,
                **shape,
                "bytes": len(answers[0]),
                "stages_ms": {s: statistics.median(v) * 1000 for s, v in samples.items()},
                "total_ms": statistics.median(totals) * 1000,
                "max_ms": max(totals) * 1000,
                "fragment_bytes": int(statistics.median(html_sizes)),
            }
        )
    return rows


if __name__ == "__main__":
    import asyncio

    for row in asyncio.run(run((100, 500, 2000, 5000), 9)):
        print(row)
