from __future__ import annotations

import re
from typing import Any

from msgspec.structs import replace

from wallboard.model.diff import diff
from wallboard.model.state import Agent, Call, Floor, Queue
from wallboard.model.totals import totals
from wallboard.web.fragments import dom_id, structural
from wallboard.web.freshness import judge
from wallboard.web.render import Renderer, mask
from wallboard.web.views import View

EVIL = '<script>alert("x")</script>'


def agent(code: str, name: str = "Ann", state: str = "available", **kw: Any) -> Agent:
    item: dict[str, Any] = {
        "agent": code, "name": name, "group": "", "location": "", "supervisor": "",
        "queues": ("300",), "extension": "", "server": "", "state": state, "activity": None,
        "pause_code": None, "pause_reason": "", "state_since": 100, "logon": 50,
    }  # fmt: skip
    item.update(kw)
    item["queues"] = tuple(item["queues"])
    return Agent(**item)


def state(*agents: Agent, calls: list[Call] | None = None) -> Floor:
    queue = Queue(
        queue="300", name="Sales", waiting=0, longest_wait_since=None, talking=0,
        agents_logged_in=len(agents), agents_available=0, agents_on_call=0, agents_paused=0,
    )  # fmt: skip
    return Floor(queues=(queue,), agents=tuple(agents), calls=tuple(calls or ()))


def with_queue(floor: Floor, **fields: Any) -> Floor:
    """The floor with its first queue changed."""
    return replace(floor, queues=(replace(floor.queues[0], **fields), *floor.queues[1:]))


FRESH = judge({"fetched_at": 1000.0}, 1001.0, 10)


def test_dom_ids_are_valid_and_distinct() -> None:
    a, b = dom_id("agents", "agent/1"), dom_id("agents", "agent-1")
    assert a != b
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", a)


def test_full_render_has_every_component_out_of_band() -> None:
    html = Renderer().full(state(agent("agent/1")), View(), FRESH, 1001.0)
    for element in (
        'id="queues"',
        'id="agents"',
        'id="calls"',
        'id="totals"',
        'id="freshness"',
        'id="messages"',
        'id="alerts"',
        'id="escalation"',
    ):
        assert element in html
    assert html.count('hx-swap-oob="true"') == 8


def test_a_state_change_renders_one_tile() -> None:
    old = state(agent("agent/1"), agent("agent/2", "Bob"))
    new = state(agent("agent/1"), agent("agent/2", "Bob", "paused", pause_code="10"))
    delta = diff(old, new)
    html = Renderer().changes(new, View(), {"agents": {"agent/2"}}, structural(delta))
    assert dom_id("agents", "agent/2") in html
    assert dom_id("agents", "agent/1") not in html
    assert 'id="agents"' not in html
    assert "st-paused" in html and "Paused" in html and "❚❚" in html


def test_an_added_agent_rerenders_the_grid() -> None:
    old = state(agent("agent/1"))
    new = state(agent("agent/1"), agent("agent/2", "Bob"))
    delta = diff(old, new)
    assert structural(delta) == {"agents"}
    html = Renderer().changes(new, View(), {"agents": {"agent/2"}}, structural(delta))
    assert 'id="agents"' in html and "Bob" in html


def test_text_from_queuemetrics_is_escaped() -> None:
    s = state(agent("agent/1", EVIL, "paused", pause_code="1", pause_reason=EVIL))
    s = with_queue(s, name=EVIL)
    html = Renderer().full(s, View(), FRESH, 1001.0)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_stale_freshness_says_why() -> None:
    fresh = judge(
        {"fetched_at": 1000.0, "error": {"kind": "unreachable", "message": "boom"}}, 1005, 10
    )
    html = Renderer().freshness(fresh, 1005.0)
    assert "STALE" in html and "QueueMetrics unreachable" in html and "boom" in html


def test_masking_keeps_the_last_digits() -> None:
    assert mask("5551234") == "••••234"
    assert mask("anonymous") == "anonymous"
    call = Call(callid="c", queue="300", caller="5551234", dnis="", state="waiting",
                entered=5, answered=None, agent=None)  # fmt: skip
    assert "5551234" not in Renderer(mask_callers=True).full(state(calls=[call]), View(), FRESH, 1)
    assert "5551234" in Renderer().full(state(calls=[call]), View(), FRESH, 1)


def test_totals_count_an_agent_once() -> None:
    s = state(agent("agent/1", queues=["300", "301"]), agent("agent/2", state="paused"))
    assert totals(s).agents_logged_in == 2
    assert totals(s).agents_paused == 1


def test_a_renamed_agent_rerenders_the_calls_that_show_its_name() -> None:
    call = Call(callid="c", queue="300", caller="5", dnis="", state="talking",
                entered=5, answered=6, agent="agent/1")  # fmt: skip
    old = state(agent("agent/1", "agent/1"), calls=[call])
    new = state(agent("agent/1", "Ann Smith"), calls=[call])
    reshaped = structural(diff(old, new))
    assert reshaped == {"agents", "calls"}
    html = Renderer().changes(new, View(), {"agents": {"agent/1"}}, reshaped)
    assert html.count("Ann Smith") == 2


def test_alerts_show_as_colour_and_text() -> None:
    s = state(agent("agent/1", state="paused", alert="red"))
    s = with_queue(s, alerts={"waiting": "yellow"})
    html = Renderer().full(s, View(), FRESH, 1001.0)
    assert "lvl-yellow" in html and "▲ calls waiting" in html
    assert "alert-red" in html and "very long" in html
