"""A page fed by small fragments (single figures, call rows inserted and deleted) ends up the
same as a page drawn whole at the same moment: checked after each kind of change, in a real
Chromium against real processes."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page

from tests.drive import control, quiet, set_agent, snapshot
from tests.harness import Proc, Stack
from tests.waiting import until

# What a reader sees of the floor's components, element by element: tag, id, classes (not
# htmx's own), and the element's own words. Durations and times are left out (the script
# writes them every second), and so is what only layout decides (hidden rows, sizes).
SIGNATURE = """() => {
  const out = [];
  for (const root of document.querySelectorAll("#queues, #totals, #calls, #agents")) {
    for (const el of [root, ...root.querySelectorAll("*")]) {
      if (el.closest("[data-since], [data-ago], [data-at]")) { continue; }
      const classes = [...el.classList].filter((c) => !c.startsWith("htmx-")).sort();
      const words = [...el.childNodes].filter((n) => n.nodeType === 3)
        .map((n) => n.textContent.trim()).join("");
      out.push(`${el.tagName}#${el.id}.${classes.join(".")}:${words}`);
    }
  }
  return out;
}"""


def signature(page: Page) -> list[str]:
    result: list[str] = page.evaluate(SIGNATURE)
    return result


def calls_of(web: Proc) -> list[tuple[str, str]]:
    return [(c["callid"], c["state"]) for c in snapshot(web)["calls"]]


def test_a_page_fed_by_fragments_matches_one_drawn_whole(stack: Stack, browser: Browser) -> None:
    stack.env["WALLBOARD_POLL_INTERVAL"] = "0.5"
    sim = stack.simulator(agents=8, queues=2)
    floor = quiet(sim)
    stack.poller()
    web = stack.web()
    until(lambda: snapshot(web)["calls"] == [] and len(snapshot(web)["agents"]) > 0)
    queue = floor["queues"][0]["queue"]
    agents = [a["agent"] for a in floor["agents"] if queue in a["logged_queues"]]
    for code in agents:
        set_agent(sim, code, "available")

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    live, fresh = context.new_page(), context.new_page()
    errors: list[str] = []
    live.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    live.on("pageerror", lambda exc: errors.append(str(exc)))
    live.goto(f"{web.url}/wallboard")

    def settled(expect: Any) -> None:
        """Once the data shows the step, the live page matches a page drawn now."""
        until(lambda: expect(snapshot(web)), timeout=15)

        def same() -> bool:
            fresh.goto(f"{web.url}/wallboard")
            return signature(live) == signature(fresh)

        until(same, timeout=15)

    now = control(sim, "GET", "state")["now"]
    first = [control(sim, "POST", "calls", json={"queue": queue})["callid"] for _ in range(3)]
    settled(lambda s: len(s["calls"]) == 3)  # into an empty list: drawn whole

    early = control(sim, "POST", "calls", json={"queue": queue, "entered": now - 60})["callid"]
    settled(lambda s: s["calls"][0]["callid"] == early)  # a row before the others

    control(sim, "POST", f"calls/{first[1]}/answer", json={"agent": agents[0]})
    settled(lambda s: "talking" in {c["state"] for c in s["calls"]})  # to the other list

    control(sim, "POST", f"calls/{early}/answer", json={"agent": agents[1]})
    settled(lambda s: sum(c["state"] != "waiting" for c in s["calls"]) == 2)  # before a row

    control(sim, "DELETE", f"calls/{first[0]}")
    settled(lambda s: first[0] not in {c["callid"] for c in s["calls"]})  # a row leaves

    set_agent(sim, agents[2], "paused", "10")
    settled(lambda s: any(a["state"] == "paused" for a in s["agents"]))  # figures alone

    late = control(sim, "POST", "calls", json={"queue": queue})["callid"]
    control(sim, "DELETE", f"calls/{first[2]}")
    settled(lambda s: late in {c["callid"] for c in s["calls"]})  # in and out at once

    assert errors == []
    context.close()
