"""Setting up rooms and time slots on a phone and on a laptop: axe-clean, and it saves."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.schedule_camp import build_camp

PASSWORD = "correct horse battery"


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp with rooms, slots, hosts, voters and dots."""
    return build_camp(app, create_user, create_event)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("path", ["rooms", "slots", "availability", "day-pitches"])
def test_schedule_set_up_pages_pass_axe(new_page, camp, width, path):
    page = new_page(width=width)
    log_in(page, camp.facilitator)
    page.goto(f"/events/{camp.slug}/schedule/{path}")
    assert_accessible(page)
    # Nothing sticks out sideways on a phone, bar the scrolling table region.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=f"/tmp/schedule-{path}-{width}.png", full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "plain"])
def test_a_room_added_in_a_blank_row_is_saved(new_page, camp, javascript):
    page = new_page(width=1280, javascript=javascript)
    log_in(page, camp.facilitator) if javascript else _plain_log_in(page, camp.facilitator)
    page.goto(f"/events/{camp.slug}/schedule/rooms")
    page.locator('input[name="rows-3-name"]').fill("Library")
    page.locator('input[name="rows-3-capacity"]').fill("0")
    page.get_by_role("button", name="Save rooms").click()
    expect(page.get_by_text("A room holds 1 to 100,000 people.")).to_be_visible()
    page.locator('input[name="rows-3-capacity"]').fill("12")
    page.get_by_role("button", name="Save rooms").click()
    expect(page.get_by_text("Rooms saved: 4 in all.")).to_be_visible()
    expect(page.locator('input[name="rows-3-name"]')).to_have_value("Library")


def _plain_log_in(page, username: str) -> None:
    page.goto("/-/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()


def test_time_slots_save_with_their_blank_rows_left_out(new_page, camp):
    page = new_page(width=360, javascript=False)
    _plain_log_in(page, camp.facilitator)
    page.goto(f"/events/{camp.slug}/schedule/slots")
    page.locator('input[name="rows-0-label"]').fill("Opening session")
    page.get_by_role("button", name="Save time slots").click()
    expect(page.get_by_text("Time slots saved: 7, 5 for sessions.")).to_be_visible()
    expect(page.locator('input[name="rows-0-label"]')).to_have_value("Opening session")
