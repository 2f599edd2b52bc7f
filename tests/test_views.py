from __future__ import annotations

import pytest

from wallboard.model.derive import Directory
from wallboard.model.state import Agent, Call, Floor, Queue
from wallboard.web.views import BadView, View, known


def test_filters_from_query() -> None:
    view = View.from_query({"queues": "300|301", "group": "Sales", "view": "tv"})
    assert view.queues == ("300", "301") and view.group == "Sales"
    assert View.from_query(view.query()) == view


def test_star_means_every_queue() -> None:
    assert View.from_query({"queues": "*"}).queues == ()


def test_bad_filters_are_refused() -> None:
    with pytest.raises(BadView):
        View.from_query({"view": "admin"})
    with pytest.raises(BadView):
        View.from_query({"group": "x" * 500})


def test_select() -> None:
    agents = (
        Agent(agent="a", name="a", queues=("300",), group="G1", location="", supervisor=""),
        Agent(agent="b", name="b", queues=("301",), group="G2", location="", supervisor=""),
    )
    calls = (Call(callid="c", queue="301"),)
    queues = (Queue(queue="300", name="300"), Queue(queue="301", name="301"))
    state = Floor(queues=queues, agents=agents, calls=calls)
    chosen = View(queues=("301",)).select(state)
    assert [a.agent for a in chosen.agents] == ["b"]
    assert chosen.calls == calls and chosen.queues == (Queue(queue="301", name="301"),)
    assert [a.agent for a in View(group="G1").select(state).agents] == ["a"]


# -- canonical views, limited to what exists ------------------------------------------------

FLOOR = Floor(
    queues=(Queue(queue="300", name="Sales"), Queue(queue="301", name="Support")),
    agents=(Agent(agent="a", name="Ann", queues=("300",), group="G1", location="Rome"),),
)
DIRECTORY = Directory(agents={"agent/9": {"name": "Zed", "supervisor": "sue"}})


def test_the_same_filters_in_any_order_are_the_same_view() -> None:
    one = View.from_query({"queues": "301|300"})
    other = View.from_query({"queues": "300|301"})
    assert one == other and hash(one) == hash(other)
    assert one.queues == ("300", "301")
    assert View.from_query({"queues": " 300 | 300 |301|"}) == one
    allowed = known(["300", "301"], FLOOR, DIRECTORY)
    assert View.from_query({"queues": "301|300"}, allowed=allowed) == one


def test_a_queue_not_watched_is_refused() -> None:
    allowed = known(["300", "301"], FLOOR, DIRECTORY)
    assert View.from_query({"queues": "300"}, allowed=allowed).queues == ("300",)
    with pytest.raises(BadView, match="302"):
        View.from_query({"queues": "300|302"}, allowed=allowed)


def test_with_every_queue_watched_a_queue_never_seen_is_refused() -> None:
    allowed = known(["*"], FLOOR, DIRECTORY)
    assert View.from_query({"queues": "301"}, allowed=allowed).queues == ("301",)
    with pytest.raises(BadView, match="999"):
        View.from_query({"queues": "999"}, allowed=allowed)


def test_an_unknown_team_is_refused() -> None:
    allowed = known(["*"], FLOOR, DIRECTORY)
    assert View.from_query({"group": "G1"}, allowed=allowed).group == "G1"
    assert View.from_query({"location": "Rome"}, allowed=allowed).location == "Rome"
    assert View.from_query({"supervisor": "sue"}, allowed=allowed).supervisor == "sue"
    for kind in ("group", "location"):
        with pytest.raises(BadView, match=kind):
            View.from_query({kind: "nobody"}, allowed=allowed)


def test_any_supervisor_filter_is_a_view_so_that_it_tells_nobody_which_logins_exist() -> None:
    allowed = known(["*"], FLOOR, DIRECTORY)
    unknown = View.from_query({"supervisor": "nobody"}, allowed=allowed)
    assert unknown.supervisor == "nobody"
    assert unknown.select(FLOOR).agents == ()
