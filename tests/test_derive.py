from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wallboard.model.derive import Directory, derive
from wallboard.model.state import BY_NAME, Floor, Queue
from wallboard.qm.realtime import AgentRow, CallRow, Realtime


def agent(code: str, queues: str = "300", **kw: object) -> AgentRow:
    values: dict[str, object] = {
        "agent": code, "queues": tuple(queues.split(":")), "logon": 1000, "extension": "",
        "on_pause": "", "pause_code": "", "pause_since": None, "server": "",
        "free_since": None, "status_since": 1000,
    }  # fmt: skip
    values.update(kw)
    return AgentRow(**values)  # type: ignore[arg-type]


def call(callid: str, queue: str = "300", entered: int = 2000, **kw: object) -> CallRow:
    values: dict[str, object] = {
        "callid": callid, "queue": queue, "entered": entered, "answered": None, "agent": "",
        "caller": "555", "dnis": "", "server": "",
    }  # fmt: skip
    values.update(kw)
    return CallRow(**values)  # type: ignore[arg-type]


def by_code(state: Floor, section: str, key: str) -> Any:
    part = BY_NAME[section]
    return {part.id_of(item): item for item in part.items(state)}[key]


def test_available_since_free_or_logon() -> None:
    state = derive(
        Realtime([agent("agent/1"), agent("agent/2", free_since=1500)], []), ["*"], Directory()
    )
    assert by_code(state, "agents", "agent/1").state == "available"
    assert by_code(state, "agents", "agent/1").state_since == 1000
    assert by_code(state, "agents", "agent/2").state_since == 1500


def test_paused_by_code_with_reason_from_directory() -> None:
    rows = [agent("agent/1", pause_code="10", pause_since=1200)]
    state = derive(Realtime(rows, []), ["*"], Directory(pauses={"10": "Coffee break"}))
    a = by_code(state, "agents", "agent/1")
    assert (a.state, a.pause_code, a.pause_reason, a.state_since) == (
        "paused",
        "10",
        "Coffee break",
        1200,
    )


def test_pause_without_code_is_still_a_pause() -> None:
    for signal in ({"on_pause": "1"}, {"pause_since": 1300}):
        state = derive(Realtime([agent("agent/1", **signal)], []), ["*"], Directory())
        assert by_code(state, "agents", "agent/1").state == "paused"


def test_on_call_beats_paused_and_activity_says_how() -> None:
    rows = [agent("agent/1", pause_code="10", pause_since=1200), agent("agent/2")]
    calls = [
        call("c1", answered=2100, agent="agent/1"),
        call("c2", entered=2200, agent="agent/2"),
    ]
    state = derive(Realtime(rows, calls), ["*"], Directory())
    one, two = by_code(state, "agents", "agent/1"), by_code(state, "agents", "agent/2")
    assert (one.state, one.activity, one.state_since, one.pause_code) == (
        "on_call",
        "talking",
        2100,
        "10",
    )
    assert (two.state, two.activity, two.state_since) == ("on_call", "dialing", 2200)
    assert by_code(state, "calls", "c2").state == "dialing"


def test_one_entry_per_agent_whatever_the_rows() -> None:
    rows = [agent("agent/1", "300"), agent("agent/1", "301", pause_code="10", pause_since=5)]
    state = derive(Realtime(rows, []), ["*"], Directory())
    assert len(state.agents) == 1
    assert state.agents[0].queues == ("300", "301")
    assert state.agents[0].state == "paused"


def test_transferred_call_is_one_call_in_its_latest_queue() -> None:
    calls = [call("c1", "300", entered=100), call("c1", "301", entered=150)]
    state = derive(Realtime([], calls), ["*"], Directory())
    assert [(c.callid, c.queue) for c in state.calls] == [("c1", "301")]


def test_a_call_answered_then_transferred_waits_in_its_new_queue() -> None:
    """The newer stint is not answered yet: its entry is still the row's latest moment (the
    old stint's answer time must not make the old queue win)."""
    old = call("c1", "300", entered=100, answered=120, agent="agent/1")
    new = call("c1", "301", entered=150)
    for rows in ([old, new], [new, old]):
        state = derive(Realtime([], rows), ["*"], Directory())
        assert [(c.callid, c.queue, c.state) for c in state.calls] == [("c1", "301", "waiting")]


def test_queue_figures() -> None:
    rows = [
        agent("agent/1", "300:301"),
        agent("agent/2", "300", pause_code="1", pause_since=5),
        agent("agent/3", "301"),
    ]
    calls = [
        call("w1", "300", entered=900),
        call("w2", "300", entered=800),
        call("t1", "301", entered=700, answered=750, agent="agent/1"),
    ]
    state = derive(Realtime(rows, calls), ["300", "301", "302"], Directory(queues={"300": "Sales"}))
    q300 = by_code(state, "queues", "300")
    assert q300 == Queue(
        queue="300", name="Sales", waiting=2, longest_wait_since=800, talking=0,
        agents_logged_in=2, agents_available=0, agents_on_call=1, agents_paused=1,
    )  # fmt: skip
    q301 = by_code(state, "queues", "301")
    assert (q301.agents_on_call, q301.agents_available, q301.talking) == (1, 1, 1)
    assert by_code(state, "queues", "302").agents_logged_in == 0


def test_names_from_directory_with_code_as_fallback() -> None:
    directory = Directory(agents={"agent/1": {"name": "John Doe", "group": "Sales team"}})
    state = derive(Realtime([agent("agent/1"), agent("agent/2")], []), ["*"], directory)
    assert [a.name for a in state.agents] == ["agent/2", "John Doe"]
    assert by_code(state, "agents", "agent/1").group == "Sales team"


times = st.sampled_from([None, 0, 5, 1500])
rows = st.builds(
    AgentRow,
    agent=st.sampled_from(["agent/1"]),
    queues=st.lists(st.sampled_from(["300", "301"]), max_size=3).map(tuple),
    logon=times,
    extension=st.sampled_from(["", "201"]),
    on_pause=st.sampled_from(["", "-", "0", "1"]),
    pause_code=st.sampled_from(["", "10"]),
    pause_since=times,
    server=st.sampled_from(["", "s1"]),
    free_since=times,
    status_since=times,
)


@settings(max_examples=200, deadline=None)
@given(rows)
def test_one_row_of_an_agent_is_read_as_that_row_twice(row: AgentRow) -> None:
    once, twice = (derive(Realtime(r, []), ["*"], Directory()) for r in ([row], [row, row]))
    assert once == twice
