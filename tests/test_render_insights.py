"""The insight widgets' HTML (templates/partials/{agents_today,trend,staffing}.html) and the
trend's SVG coordinates (web/sparkline.py)."""

from __future__ import annotations

import re

from wallboard.model.staffing import Staffing
from wallboard.model.state import Agent, AgentDay, Floor, Queue
from wallboard.model.trend import Point
from wallboard.web import sparkline
from wallboard.web.render import Renderer, agents_today
from wallboard.web.views import View

BOARD = View(board="b", widgets=("agents_today", "trend", "staffing"))


def queue(**kw: object) -> Queue:
    return Queue(queue="300", name="Sales", **kw)  # type: ignore[arg-type]


def worker(code: str, name: str, answered: int, **kw: object) -> Agent:
    day = AgentDay(answered=answered, talk_s=answered * 100, aht_s=100.0 if answered else None)
    return Agent(agent=code, name=name, today=day, **kw)  # type: ignore[arg-type]


def staffed(**kw: object) -> Staffing:
    figures: dict[str, object] = {
        "staffed": 11, "available": 3, "on_call": 8, "calls": 100, "arrivals_per_hour": 200.0,
        "aht_s": 180.0, "traffic": 10.0, "needed": 14, "gap": 3, "projected_sl": 39.0,
        "target_s": 20.0, "target_pct": 80.0,
    }  # fmt: skip
    figures.update(kw)
    return Staffing(**figures)  # type: ignore[arg-type]


def panels(floor: Floor, view: View = BOARD) -> str:
    return Renderer().components(floor, view)


def test_the_gap_in_large_type_with_its_figures() -> None:
    html = panels(Floor(queues=(queue(staffing=staffed()),)))
    assert 'id="staffing-panel"' in html and 'hx-swap-oob="true"' in html
    assert "+3 needed" in html and "39%" in html and "80% in 20 s" in html
    spare = panels(Floor(queues=(queue(staffing=staffed(needed=9, gap=-2)),)))
    assert "2 spare" in spare and "needed</p>" not in spare
    # Erlang C never reaches 100 %: 99.96 is shown as 99, not rounded up to a promise.
    near = panels(Floor(queues=(queue(staffing=staffed(projected_sl=99.96)),)))
    assert "<dd>99%</dd>" in near


def test_not_enough_data_shows_no_number() -> None:
    for record in (None, Staffing(staffed=4, calls=0, missing="no_calls")):
        html = panels(Floor(queues=(queue(staffing=record),)))
        section = html[html.index('id="staffing-panel"') :]
        assert "Not enough data" in section
        assert "needed</p>" not in section and "Projected" not in section
    no_target = panels(Floor(queues=(queue(staffing=Staffing(missing="no_target")),)))
    assert "no service-level target" in no_target


def test_the_trend_draws_three_labelled_lines() -> None:
    points = tuple(Point(1000 + m, m % 4, 10 * m, 80.0 + m % 5) for m in range(30))
    html = panels(Floor(queues=(queue(trend=points),)))
    section = html[html.index('id="trend-panel"') :]
    assert section.count("<svg") == 3 and section.count("<polyline") == 3
    assert 'aria-label="Sales: longest wait over the last hour, now 290 s' in section
    assert '<span class="spark-now">84%</span>' in section  # the newest SL, as text


def test_agents_day_lists_everyone_or_the_top_n() -> None:
    floor = Floor(
        agents=(
            worker("agent/1", "Carl", 3),
            worker("agent/2", "Ann", 9),
            worker("agent/3", "Bea", 9),
            Agent(agent="agent/4", name="Dan"),  # no day yet: not listed
        )
    )
    assert [a.name for a in agents_today(floor, BOARD)] == ["Ann", "Bea", "Carl"]
    top = View(board="b", widgets=("agents_today",), leaderboard=2)
    assert [a.name for a in agents_today(floor, top)] == ["Ann", "Bea"]
    html = panels(floor, top)
    assert "Top 2 today" in html and "Carl" not in html
    assert re.search(r"<th scope=\"row\">Ann</th><td>9</td><td>0:15</td><td>100 s</td>", html)


def test_agents_day_without_qmstats_says_so() -> None:
    html = panels(Floor(agents=(Agent(agent="agent/1", name="Ann"),)))
    assert "Not enough data yet" in html


def test_names_from_queuemetrics_are_escaped_in_every_widget() -> None:
    evil = "<b>x</b>"
    floor = Floor(
        queues=(Queue(queue="300", name=evil, trend=(Point(1, 1, 1),), staffing=staffed()),),
        agents=(worker("agent/1", evil, 1),),
    )
    html = panels(floor)
    assert evil not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_the_classic_page_draws_no_insight_panel() -> None:
    assert "staffing-panel" not in panels(Floor(queues=(queue(staffing=staffed()),)), View())


def test_sparkline_scales_and_breaks_at_gaps() -> None:
    points = (Point(100, 0, 0, None), Point(101, 4, 0, 50.0), Point(105, 2, 0, 100.0))
    waiting = sparkline.line(points, "waiting")
    assert waiting.top == 4 and waiting.last == 2
    assert len(waiting.segments) == 2  # minutes 100-101, then 105 alone after the gap
    first = waiting.segments[0].split()
    assert first[-1].endswith(f",{sparkline.PAD:.1f}")  # 4 of 4: the top of the box
    assert waiting.segments[1].split()[-1].startswith(f"{sparkline.WIDTH - sparkline.PAD:.1f},")
    sl = sparkline.line(points, "sl")
    assert sl.top == 100 and len(sl.segments) == 2  # no SL in minute 100: not drawn as 0


def test_sparkline_shares_the_right_edge_and_drops_old_points() -> None:
    a, b = (Point(200, 1, 1),), (Point(150, 1, 1), Point(190, 1, 1))
    end = sparkline.end_of([a, b, ()])
    assert end == 200
    line = sparkline.line(b, "waiting", end)
    assert line.segments and all(
        float(xy.split(",")[0]) < sparkline.WIDTH - sparkline.PAD
        for seg in line.segments
        for xy in seg.split()
    )
    assert sparkline.line(b, "waiting", 300).segments == []  # older than the hour shown
    assert sparkline.line((), "sl").segments == []


def test_the_supervisor_page_has_the_agents_day_as_columns() -> None:
    floor = Floor(agents=(worker("agent/1", "Ann", 9), Agent(agent="agent/2", name="Bob")))
    html = Renderer().components(floor, View(kind="supervisor"))
    assert 'data-sort-answered="9"' in html and 'data-sort-answered="-1"' in html
    assert '<span class="answered" role="cell">9</span>' in html
    assert '<span class="day" role="cell">0:15 · 100 s · 0:00</span>' in html
