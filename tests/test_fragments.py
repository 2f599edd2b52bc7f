"""What a change redraws: the fields each partial reads, the figures sent alone, the call rows
inserted and deleted. That the result on a page equals a page drawn whole is checked in a real
browser (tests/browser/test_page_follows_changes.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from msgspec.structs import replace

from wallboard.model.diff import diff, touched
from wallboard.model.staffing import Staffing
from wallboard.model.state import Agent, AgentDay, Call, Floor, Queue, Today
from wallboard.model.trend import Point
from wallboard.web.fragments import READS, fields_of, structural
from wallboard.web.render import Renderer
from wallboard.web.views import View

# Two items of each kind that differ in every field.
QUEUES = (
    Queue(queue="300", name="Sales"),
    Queue(
        queue="301", name="Help", waiting=3, longest_wait_since=90, talking=2,
        agents_logged_in=5, agents_available=1, agents_on_call=2, agents_paused=2,
        alerts={"waiting": "red"}, today=Today(offered=9, answered=8, as_of=100.0),
        trend=(Point(1, 2, 3),), staffing=Staffing(staffed=3),
    ),
)  # fmt: skip
AGENTS = (
    Agent(agent="agent/1", name="Ann"),
    Agent(
        agent="agent/2", name="Bob", group="G", location="L", supervisor="S",
        queues=("300",), extension="201", server="s1", state="paused", activity="talking",
        pause_code="10", pause_reason="Lunch", state_since=100, logon=50, alert="red",
        today=AgentDay(answered=3, talk_s=60, pause_s=5),
    ),
)  # fmt: skip
CALLS = (
    Call(callid="c1", queue="300"),
    Call(
        callid="c2", queue="301", caller="555123", dnis="800", state="talking", entered=10,
        answered=20, agent="agent/1",
    ),
)  # fmt: skip
CASES = [
    ("queue", "queue", QUEUES, View()),
    ("agent", "agent", AGENTS, View()),
    ("supervisor_agent", "agent", AGENTS, View(kind="supervisor")),
    ("call", "call", CALLS, View()),
]


@pytest.mark.parametrize(("partial", "singular", "pair", "view"), CASES)
def test_a_change_to_a_field_a_partial_does_not_read_leaves_it_the_same(
    partial: str, singular: str, pair: tuple[Any, Any], view: View
) -> None:
    renderer = Renderer()
    one, other = pair
    known: dict[str, dict[str, Any]] = {"queues": {}, "agents": {}, "calls_by_agent": {}}

    def drawn(item: Any) -> str:
        return renderer._partial(singular, item=item, view=view, names=known)

    assert renderer._partial_name(singular, view) == partial
    unread = [f for f in one.__struct_fields__ if f not in READS[partial]]
    assert unread  # else there is nothing to check
    for field in unread:
        assert getattr(one, field) != getattr(other, field), field
        assert drawn(replace(one, **{field: getattr(other, field)})) == drawn(one), field


def floor(*agents: Agent, calls: tuple[Call, ...] = ()) -> Floor:
    queue = Queue(queue="300", name="Sales", agents_logged_in=len(agents),
                  agents_available=len(agents))  # fmt: skip
    return Floor(queues=(queue,), agents=agents, calls=calls)


def changes(old: Floor, new: Floor, view: View | None = None) -> str:
    delta = diff(old, new)
    return Renderer().changes(new, view or View(), touched(delta), structural(delta),
                              fields_of(delta))  # fmt: skip


def oob_ids(html: str) -> list[str]:
    return re.findall(r'<[a-z]+ id="([^"]+)"[^>]*hx-swap-oob', html)


def test_an_agent_pausing_sends_its_tile_and_the_counts_alone() -> None:
    ann, bob = Agent(agent="agent/1", name="Ann", queues=("300",)), AGENTS[0]
    old = floor(ann, replace(bob, queues=("300",)))
    paused = replace(old.agents[1], state="paused", pause_code="10")
    queue = replace(old.queues[0], agents_available=1, agents_paused=1)
    html = changes(old, replace(old, agents=(ann, paused), queues=(queue,)))
    ids = oob_ids(html)
    assert [i for i in ids if i.startswith("a-")] == [ids[2]]  # the agent's tile, whole
    assert [i.rsplit("-", 1)[-1] for i in ids if i.startswith("q-")] == [
        "agents_available", "agents_paused"
    ]  # fmt: skip
    assert {i for i in ids if i.startswith("totals-")} >= {"totals-agents_paused"}
    assert "totals" not in ids and 'id="queues"' not in html
    assert len(html.encode()) < 1024


def test_a_queue_tile_is_drawn_whole_when_more_than_its_counts_moved() -> None:
    old = floor(AGENTS[0])
    new = replace(old, queues=(replace(old.queues[0], alerts={"waiting": "red"}),))
    html = changes(old, new)
    assert 'class="queue lvl-red"' in html


def test_a_field_no_tile_shows_sends_nothing_but_what_depends_on_it() -> None:
    old = floor(AGENTS[0])
    new = replace(old, agents=(replace(AGENTS[0], extension="999", logon=12345),))
    assert oob_ids(changes(old, new)) == [f"totals-{f}" for f in (
        "agents_available", "agents_logged_in", "agents_on_call", "agents_paused")]  # fmt: skip
    assert oob_ids(changes(old, new, View(kind="supervisor")))[0].startswith("a-")


def test_call_rows_are_inserted_before_the_row_that_follows_and_deleted_alone() -> None:
    first = Call(callid="c1", queue="300", entered=10)
    last = Call(callid="c3", queue="300", entered=30)
    talking = Call(callid="c9", queue="300", entered=5, state="talking", agent="agent/1")
    old = floor(AGENTS[0], calls=(talking, first, last))
    middle = Call(callid="c2", queue="300", entered=20)
    html = changes(old, replace(old, calls=(talking, first, middle)))
    assert 'id="calls"' not in html
    deleted = re.findall(r'id="([^"]+)" hx-swap-oob="delete"', html)
    assert len(deleted) == 1 and "c3" in deleted[0]
    inserted = re.search(r'hx-swap-oob="beforeend:#calls-waiting">(.*?)</div>', html, re.S)
    assert inserted and 'data-callid="c2"' in inserted.group(1)  # c3, after it, is gone


def test_a_call_list_that_empties_or_fills_is_drawn_whole() -> None:
    waiting = Call(callid="c1", queue="300", entered=10)
    talking = Call(callid="c9", queue="300", entered=5, state="talking", agent="agent/1")
    old = floor(AGENTS[0], calls=(talking, waiting))
    assert 'id="calls"' in changes(old, replace(old, calls=(talking,)))
    assert 'id="calls"' in changes(replace(old, calls=(talking,)), old)


def test_a_renamed_queue_redraws_the_call_lists_that_show_its_name() -> None:
    calls = (Call(callid="c9", queue="300", entered=5, state="talking", agent="agent/1"),
             Call(callid="c1", queue="300", entered=10))  # fmt: skip
    old = floor(AGENTS[0], calls=calls)
    renamed = (replace(old.queues[0], name="Sales East"),)
    new = replace(old, queues=renamed, calls=(calls[0], replace(calls[1], entered=11)))
    assert 'id="calls"' in changes(old, new)


def test_a_resume_without_fields_draws_whole() -> None:
    old = floor(AGENTS[0])
    new = replace(old, queues=(replace(old.queues[0], agents_paused=1),))
    delta = diff(old, new)
    html = Renderer().changes(new, View(), touched(delta), structural(delta))
    assert 'id="totals"' in html and oob_ids(html)[0].startswith("q-")
