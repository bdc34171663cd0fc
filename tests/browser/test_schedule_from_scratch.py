"""From nothing to a planned grid in the browser: rooms, a day of slots, then "Plan the grid"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.schedule_camp import build_camp


@pytest.fixture
def app(make_app):
    """Return an app that plans in a thread, for two seconds."""
    return make_app(SCHEDULE_RUNNER="inline", SCHEDULE_TIME_LIMIT=2)


@pytest.fixture
def camp(app, create_user, create_event):
    """A camp with pitches and dots but no rooms and no time slots yet."""
    return build_camp(app, create_user, create_event, rooms=False, slots=False)


ROOMS = [("Family tent", "30", True, ["flip-chart"]), ("Hall", "80", False, ["projector"])]


def test_a_facilitator_sets_up_rooms_and_slots_then_plans_the_grid(new_page, camp):
    page = new_page(width=1280)
    log_in(page, camp.facilitator)

    page.goto(f"/events/{camp.slug}/schedule/rooms")
    for row, (name, capacity, family, facilities) in enumerate(ROOMS):
        page.locator(f'input[name="rows-{row}-name"]').fill(name)
        page.locator(f'input[name="rows-{row}-capacity"]').fill(capacity)
        if family:
            page.locator(f'input[name="rows-{row}-family_friendly"]').check()
        for facility in facilities:
            page.locator(f'input[name="rows-{row}-facilities"][value="{facility}"]').check()
    page.get_by_role("button", name="Save rooms").click()
    expect(page.get_by_text("Rooms saved: 2 in all.")).to_be_visible()

    page.goto(f"/events/{camp.slug}/schedule/slots")
    page.get_by_text("Lay out a day from a pattern").click()
    page.get_by_label("Day", exact=True).select_option(index=1)
    page.get_by_label("First session starts").fill("10:00")
    page.get_by_label("Sessions", exact=True).fill("4")
    page.get_by_label("Session length (minutes)").fill("45")
    page.get_by_label("Break between sessions (minutes)").fill("15")
    page.get_by_label("Family hours: the first … sessions").fill("2")
    page.get_by_role("button", name="Add these slots to the grid").click()
    # The pattern fills the grid's rows, to check before saving.
    expect(page.locator('input[name="rows-0-start"]')).to_have_value("10:00")
    page.get_by_role("button", name="Save time slots").click()
    expect(page.get_by_text("Time slots saved:")).to_contain_text("4 for sessions")

    page.goto(f"/events/{camp.slug}/schedule/draft")
    expect(page.get_by_role("columnheader", name="Family tent")).to_be_visible()
    page.get_by_role("button", name="Plan the grid").click()
    expect(page.locator("#plan progress")).to_be_visible()
    expect(page.get_by_text("The plan is ready.")).to_be_visible(timeout=20_000)
    # The planned sessions sit in the grid's cells, not in the tray.
    expect(page.locator("#editor td [id^='card-']").first).to_be_visible()
