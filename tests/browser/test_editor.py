"""The board editor in a real Chromium against real processes: a board built with the keyboard
and the mouse, its TV following every save on its own, a stale save refused, delete with its
confirmation, clone, export and import, and a viewer who may look but not change."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.editing import log_in, unexpected
from tests.harness import Proc, Stack


def start(stack: Stack) -> Proc:
    stack.simulator(queues=2)
    stack.poller()
    return stack.web()


def build_sales_floor(page: Page, web: Proc) -> None:
    """A new board: the title typed, a queue ticked and a widget moved with the keyboard, a
    widget unticked and the theme chosen with the mouse; one mistake on the way."""
    page.get_by_role("link", name="New board").click()
    expect(page).to_have_url(f"{web.url}/boards/_new/edit")
    page.get_by_label("Title", exact=True).focus()
    page.keyboard.type("Sales floor")
    page.locator("input[name=queues][value='300']").focus()
    page.keyboard.press("Space")
    mover = page.get_by_role("button", name="Move Agents up")
    mover.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the focus stays on the moved row's button
    page.get_by_label("Clock", exact=True).click()
    page.get_by_label("Theme").select_option("contrast")
    page.get_by_label("Every queue, calls waiting, yellow").fill("5")
    page.get_by_label("Every queue, calls waiting, red").fill("2")
    page.get_by_role("button", name="Create board").click()

    problem = page.locator("#f-thresholds .field-error")
    expect(problem).to_contain_text("red must be above yellow")
    # The form came back as typed, the focus on what needs fixing.
    expect(page.get_by_label("Title", exact=True)).to_have_value("Sales floor")
    expect(page.locator("#f-thresholds")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Every queue, calls waiting, red")).to_have_value("2")
    page.get_by_label("Every queue, calls waiting, red").fill("9")
    page.get_by_label("Title", exact=True).focus()
    page.keyboard.press("Enter")  # Enter in a field submits the form
    expect(page).to_have_url(f"{web.url}/boards/sales-floor/edit")


def test_build_a_board_and_its_tv_follows_every_save(
    stack: Stack, page: Page, browser: Browser
) -> None:
    web = start(stack)
    log_in(page, web, "admin", "admin")
    build_sales_floor(page, web)
    order = page.locator("#f-widgets .ordered-row").evaluate_all(
        "rows => rows.filter(r => r.querySelector('input[type=checkbox]').checked)"
        ".map(r => r.dataset.value)"
    )
    assert order == ["agents", "queues", "totals", "calls_waiting", "calls_talking", "messages"]
    expect(page.get_by_label("Every queue, calls waiting, red")).to_have_value("9")
    preview = page.frame_locator("#board-preview")
    # A board saved a moment ago: the preview tries again until the pages know it.
    expect(preview.locator("#board-main")).to_have_attribute(
        "data-board", "sales-floor", timeout=15_000
    )

    tv = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    tv.goto(f"{web.url}/boards/sales-floor")
    expect(tv.locator("body")).to_have_class("tv board-page dist-5m theme-contrast")
    expect(tv.locator("#queues .queue")).to_have_count(1)
    expect(tv.locator("#queues .queue")).to_have_attribute("data-queue", "300")

    page.locator("input[name=queues][value='301']").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-note")).to_contain_text("Saved, version 2")
    # The TV lays itself out anew, nobody touching it; so does the preview.
    expect(tv.locator("#queues .queue")).to_have_count(2, timeout=15_000)
    expect(preview.locator("#board-main")).to_have_attribute("data-board-version", "2")

    # Somebody else's editor, opened before the next save, is refused when it saves.
    other = page.context.new_page()
    other.goto(f"{web.url}/boards/sales-floor/edit")
    page.get_by_label("Group").fill("Sales")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-note")).to_contain_text("Saved, version 3")
    other.get_by_label("Title", exact=True).fill("Someone else's title")
    other.get_by_role("button", name="Save").click()
    expect(other.locator("#editor-status")).to_contain_text("Someone else saved it meanwhile")
    # What they typed is still there, to be made again after a reload.
    expect(other.get_by_label("Title", exact=True)).to_have_value("Someone else's title")
    other.close()

    page.get_by_role("link", name="Back to the list").click()
    card = page.locator(".ed-card[data-board='sales-floor']")
    card.get_by_role("button", name="Delete…").click()
    confirm = card.get_by_role("button", name="Delete Sales floor")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#editor-status")).to_contain_text("Deleted the board sales-floor")
    expect(card).to_have_count(0)
    expect(tv.locator(".gone")).to_have_text("Board removed", timeout=15_000)
    assert unexpected(page) == []
    tv.context.close()


def test_clone_export_import_and_a_viewer_who_may_only_look(
    stack: Stack, page: Page, browser: Browser, tmp_path: Path
) -> None:
    web = start(stack)
    log_in(page, web, "admin", "admin")
    page.get_by_role("link", name="New board").click()
    page.get_by_label("Title", exact=True).fill("Support")
    page.get_by_role("button", name="Create board").click()
    expect(page).to_have_url(f"{web.url}/boards/support/edit")
    page.get_by_role("link", name="Back to the list").click()

    page.locator(".ed-card[data-board='support']").get_by_role("link", name="Clone").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Copy of Support")
    page.get_by_role("button", name="Create board").click()
    expect(page).to_have_url(f"{web.url}/boards/copy-of-support/edit")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Copy of Support")
    # Deleted from its own form: the question, then back to the list.
    page.get_by_role("button", name="Delete…").click()
    expect(page.get_by_role("button", name="Delete Copy of Support")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{web.url}/boards")
    expect(page.locator(".ed-card")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export every board and playlist (JSON)").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert [b["id"] for b in exported["boards"]] == ["support"]

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"boards": [{"title": "Ok"}, {"title": "Bad", "sound": "loud"}]}))
    page.get_by_label("An exported JSON file").set_input_files(broken)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-result")).to_contain_text("Nothing was imported")
    expect(page.locator("#import-result")).to_contain_text("boards[1].sound")
    expect(page.locator(".ed-card h3")).to_have_text(["Support"])

    renamed = {**exported, "boards": [{**exported["boards"][0], "title": "Support desk"}]}
    good = tmp_path / "good.json"
    good.write_text(json.dumps(renamed))
    page.get_by_label("An exported JSON file").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#editor-status")).to_contain_text("Imported 1 board and 0 playlists")
    expect(page.locator(".ed-card h3")).to_have_text(["Support desk"])
    assert unexpected(page) == []

    viewer = browser.new_context().new_page()
    log_in(viewer, web, "viewer", "viewer")
    expect(viewer.locator(".ed-readonly")).to_contain_text("WALLBOARD_ADD")
    expect(viewer.get_by_role("link", name="New board")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Delete…")).to_have_count(0)
    viewer.get_by_role("link", name="Details").click()
    expect(viewer.get_by_role("button", name="Save")).to_have_count(0)
    csrf = viewer.evaluate("JSON.parse(document.querySelector('.ed').getAttribute('hx-headers'))")
    answer = viewer.request.post(f"{web.url}/boards/support/save", headers=csrf,
                                 form={"title": "Mine now", "version": "1"})  # fmt: skip
    assert answer.status == 403
    viewer.context.close()
