"""People write, link, edit, compare and restore wiki pages in a real browser on a phone."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.helpers import PASSWORD
from wiki.accounts.models import User
from wiki.accounts.services import find_user
from wiki.extensions import db
from wiki.pages import services

FIRST_TEXT = "We want a family BarCamp in the spring.\n\nWhere? See [[Venue ideas]].\n"
SECOND_TEXT = "We want a family BarCamp in the spring.\n\nWhere? See [[Venue ideas]].\n\nIn May.\n"
THIRD_TEXT = "We want a family BarCamp in the summer.\n\nWhere? See [[Venue ideas]].\n\nIn June.\n"


def log_in(page: Page, username: str, display_name: str) -> None:
    """Log in through the form, the way a person does."""
    page.goto("/-/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {display_name}.")).to_be_visible()


def assert_fits_phone(page: Page) -> None:
    """Fail when the page scrolls sideways at the current (phone) width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def check_layout_and_accessibility(page: Page) -> None:
    """Check the page fits the screen, passes axe and raised no dialog or console error."""
    assert_fits_phone(page)
    assert_accessible(page)
    assert page.evaluate("window.__dialogs") == []


def save_edit(page: Page, text: str, summary: str) -> None:
    """Open the edit tab, replace the text, give a summary and save."""
    page.get_by_role("navigation", name="Page").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Editing"))
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_label("Summary of your change").fill(summary)
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()


def history_rows(page: Page):
    """Return the rows of the history table, newest first."""
    return page.locator("table.history tbody tr")


def test_write_link_edit_compare_and_restore_a_page(page, create_user):
    create_user("ana", display_name="Ana")
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
    log_in(page, "ana", "Ana")

    page.goto("/-/new")
    page.get_by_label("Title").fill("Event proposal")
    page.get_by_label("Text", exact=True).fill(FIRST_TEXT)
    page.get_by_label("Summary of your change").fill("First draft")
    page.get_by_role("button", name="Create page").click()
    expect(page).to_have_url(re.compile("/wiki/event-proposal$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Event proposal")
    content = page.locator(".user-content")
    red_link = content.get_by_role("link", name="Venue ideas")
    expect(red_link).to_have_class("wikilink-new")
    check_layout_and_accessibility(page)

    red_link.click()
    expect(page).to_have_url(re.compile("/wiki/venue-ideas$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create “Venue ideas”")
    expect(page.get_by_label("Title")).to_have_value("Venue ideas")
    page.get_by_label("Text", exact=True).fill("The village hall has a big garden.\n")
    page.get_by_role("button", name="Create page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Venue ideas")
    expect(page.locator(".user-content")).to_contain_text("The village hall has a big garden.")

    page.goto("/wiki/event-proposal")
    link = page.locator(".user-content").get_by_role("link", name="Venue ideas")
    expect(link).to_have_class("wikilink")
    expect(link).to_have_attribute("href", "/wiki/venue-ideas")

    save_edit(page, SECOND_TEXT, "Added the month")
    expect(page.locator(".user-content")).to_contain_text("In May.")
    page.get_by_role("navigation", name="Page").get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Text", exact=True)).to_have_value(SECOND_TEXT)
    check_layout_and_accessibility(page)
    page.get_by_label("Text", exact=True).fill(THIRD_TEXT)
    page.get_by_label("Summary of your change").fill("Moved to the summer")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(page.locator(".user-content")).to_contain_text("In June.")

    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “Event proposal”")
    rows = history_rows(page)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Moved to the summer")
    expect(rows.nth(1)).to_contain_text("Added the month")
    expect(rows.nth(2)).to_contain_text("First draft")
    expect(rows.nth(2)).to_contain_text("create")
    check_layout_and_accessibility(page)

    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page).to_have_url(re.compile(r"/wiki/event-proposal/-/diff\?"))
    assert parse_qs(urlsplit(page.url).query) == {"from": ["2"], "to": ["3"]}
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes to “Event proposal”")
    diff = page.locator("table.diff")
    expect(diff.locator("del", has_text="spring")).to_have_count(1)
    expect(diff.locator("ins", has_text="summer")).to_have_count(1)
    expect(diff.locator("del", has_text="May")).to_have_count(1)
    expect(diff.locator("ins", has_text="June")).to_have_count(1)
    # Words that did not change are not marked.
    expect(diff.locator("del, ins", has_text="BarCamp")).to_have_count(0)
    check_layout_and_accessibility(page)

    page.goto("/wiki/event-proposal/-/history")
    history_rows(page).nth(2).get_by_role("link", name="#1").click()
    expect(page).to_have_url(re.compile("/wiki/event-proposal/-/revisions/1$"))
    expect(page.locator(".user-content")).to_contain_text("in the spring")
    page.get_by_role("button", name="Restore this version").click()
    expect(page.get_by_text("Reverted to revision 1.")).to_be_visible()
    expect(page).to_have_url(re.compile("/wiki/event-proposal$"))
    content = page.locator(".user-content")
    expect(content).to_contain_text("in the spring")
    expect(content).not_to_contain_text("June")
    expect(content).not_to_contain_text("May")

    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    rows = history_rows(page)
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator(".tag")).to_have_text("revert")
    expect(rows.nth(0)).to_contain_text("Reverted to revision 1")
    expect(rows.nth(0)).to_contain_text("Ana")
    # The only failed load is the create form, which answers 404 (the page does not exist).
    assert [(status, urlsplit(url).path) for status, url in failed] == [(404, "/wiki/venue-ideas")]
    assert [e for e in page.console_errors if "status of 404" not in e] == []


def test_live_preview_renders_markdown_while_typing(page, create_user):
    create_user("ana", display_name="Ana")
    log_in(page, "ana", "Ana")
    page.goto("/-/new")
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_count(0)
    page.get_by_label("Text", exact=True).press_sequentially("Bring **bold** ideas")
    expect(preview.locator("strong")).to_have_text("bold", timeout=5_000)
    expect(preview).to_contain_text("Bring bold ideas")
    assert page.console_errors == []


def test_preview_button_works_without_javascript(new_page, create_user):
    create_user("ana", display_name="Ana")
    page = new_page(javascript=False)
    log_in(page, "ana", "Ana")
    page.goto("/-/new")
    page.get_by_label("Title").fill("Draft only")
    page.get_by_label("Text", exact=True).fill("A **bold** plan for [[Nowhere yet]]")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.get_by_role("link", name="Nowhere yet")).to_have_class("wikilink-new")
    # The form comes back with what was typed, and nothing was saved.
    expect(page.get_by_label("Title")).to_have_value("Draft only")
    expect(page.get_by_label("Text", exact=True)).to_have_value(
        "A **bold** plan for [[Nowhere yet]]"
    )
    response = page.goto("/wiki/draft-only")
    assert response.status == 404


@pytest.fixture
def packing_list(app, create_user):
    """Create a page with a task list, written by Ana; return its slug."""
    ana = create_user("ana", display_name="Ana")
    with app.test_request_context():
        author = db.session.get(User, ana.id)
        outcome = services.create_page(
            "Packing list", "Bring:\n\n- [ ] Tent\n- [ ] Torch\n", author
        )
        db.session.commit()
        return outcome.page.slug


def test_ticking_a_task_saves_a_revision_by_the_person_who_ticked(
    page, app, create_user, packing_list
):
    create_user("ben", display_name="Ben")
    log_in(page, "ben", "Ben")
    page.goto(f"/wiki/{packing_list}")
    torch = page.get_by_role("button", name="Tick: Torch")
    expect(torch).to_have_class("task-toggle")
    expect(torch).to_have_attribute("aria-pressed", "false")
    torch.click()  # htmx swaps the page's text in place; the task now carries Ben's name
    untick = page.get_by_role("button", name="Untick: Torch — ticked by Ben")
    expect(untick).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Tick: Tent")).to_have_attribute("aria-pressed", "false")
    assert_fits_phone(page)
    assert_accessible(page)

    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    newest = history_rows(page).nth(0)
    expect(newest.locator(".tag")).to_have_text("tick")
    expect(newest).to_contain_text("Ticked: Torch")
    expect(newest.get_by_role("link", name="Ben")).to_be_visible()
    expect(history_rows(page).nth(1)).to_contain_text("Ana")
    with app.app_context():
        page_row = services.find_page(packing_list)
        assert page_row.current_revision.body == (
            "Bring:\n\n- [ ] Tent\n- [x] Torch — ticked by Ben\n"
        )
        assert page_row.current_revision.author_id == find_user("ben").id
    assert page.console_errors == []


def test_a_reader_who_cannot_tick_hears_each_task_and_its_state(page, packing_list):
    page.goto(f"/wiki/{packing_list}")
    tent = page.get_by_role("checkbox", name="Not done: Tent")
    expect(tent).to_be_disabled()
    expect(page.get_by_role("checkbox", name="Not done: Torch")).to_be_disabled()
    assert_accessible(page)
