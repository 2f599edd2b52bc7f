from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import given
from hypothesis import strategies as st

from wallboard.model.diff import apply, diff, touched
from wallboard.model.state import AGENTS, CALLS, QUEUES, Agent, Call, Floor, Queue, Section

codes = st.sampled_from([f"agent/{i}" for i in range(6)])
agent_st = st.builds(
    lambda code, state, name, queues, since: Agent(
        agent=code,
        name=name,
        group="",
        location="",
        supervisor="",
        queues=tuple(queues),
        extension="",
        server="",
        state=state,
        activity=None,
        pause_code=None,
        pause_reason="",
        state_since=since,
        logon=1,
    ),
    codes,
    st.sampled_from(["available", "on_call", "paused"]),
    st.sampled_from(["Ann", "Bob", "Cid"]),
    st.lists(st.sampled_from(["300", "301"]), unique=True),
    st.one_of(st.none(), st.integers(0, 10)),
)
call_st = st.builds(
    lambda cid, queue, state, entered: Call(
        callid=cid,
        queue=queue,
        caller="5",
        dnis="",
        state=state,
        entered=entered,
        answered=None,
        agent=None,
    ),
    st.sampled_from(["c1", "c2", "c3", "c4"]),
    st.sampled_from(["300", "301"]),
    st.sampled_from(["waiting", "talking"]),
    st.integers(0, 5),
)
queue_st = st.builds(
    lambda q, w: Queue(queue=q, name=q, waiting=w),
    st.sampled_from(["300", "301"]),
    st.integers(0, 3),
)

Item = TypeVar("Item", Queue, Agent, Call)


def unique(section: Section[Item], items: list[Item]) -> tuple[Item, ...]:
    return section.ordered({section.id_of(item): item for item in items}.values())


state_st = st.builds(
    lambda q, a, c: Floor(
        queues=unique(QUEUES, q), agents=unique(AGENTS, a), calls=unique(CALLS, c)
    ),
    st.lists(queue_st),
    st.lists(agent_st),
    st.lists(call_st),
)


@given(state_st, state_st)
def test_applying_the_diff_gives_the_new_state(old: Floor, new: Floor) -> None:
    assert apply(old, diff(old, new)) == new


@given(state_st)
def test_no_change_no_delta(state: Floor) -> None:
    assert diff(state, state) == {}


def test_delta_holds_only_changed_fields() -> None:
    old = Floor(agents=(Agent(agent="a", name="A", state="available"),))
    new = Floor(agents=(Agent(agent="a", name="A", state="paused"),))
    delta: Any = diff(old, new)
    assert delta == {"agents": {"set": {"a": {"state": "paused"}}, "del": []}}
    assert touched(delta) == {"agents": {"a"}}
