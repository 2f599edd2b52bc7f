from __future__ import annotations

import pytest

from wallboard.web.views import BadView, View


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
    agents = [
        {"agent": "a", "queues": ["300"], "group": "G1", "location": "", "supervisor": ""},
        {"agent": "b", "queues": ["301"], "group": "G2", "location": "", "supervisor": ""},
    ]
    calls = [{"callid": "c", "queue": "301"}]
    state = {"queues": [{"queue": "300"}, {"queue": "301"}], "agents": agents, "calls": calls}
    chosen = View(queues=("301",)).select(state)  # type: ignore[arg-type]
    assert [a["agent"] for a in chosen["agents"]] == ["b"]
    assert chosen["calls"] == calls and chosen["queues"] == [{"queue": "301"}]
    assert [a["agent"] for a in View(group="G1").select(state)["agents"]] == ["a"]  # type: ignore[arg-type]
