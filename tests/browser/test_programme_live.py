"""Issue 12's acceptance journey: a facilitator publishes from the editor, and a participant's
open grid, their agenda and an open venue screen each show the change within a second,
without reloading; the participant's inbox has the notice. (The screen's recovery after its
stream is cut is in test_venue_screen.py.)"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_venue_screen import SCREEN_OPEN, screen_url
from tests.programme_camp import (
    free_cell,
    move_on_draft,
    planned_camp,
)
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.schedule import versions

STREAM_OPEN = SCREEN_OPEN


@pytest.fixture
def camp(app, create_user, create_event):
    return planned_camp(app, create_user, create_event, publish=True)


def _voter_of_a_placed_session(app, camp) -> tuple[str, int, str]:
    """Return a voter's username, a placed session they dotted, and its title."""
    with app.app_context():
        from wiki.events.models import Event

        event = db.session.get(Event, camp.event_id)
        placed = {s.pitch_id for s in versions.programme(versions.latest(event)).sessions}
        for voter in camp.voters:
            for (pitch_id,) in db.session.execute(
                db.session.query(Dot.pitch_id)
                .join(Ballot, Ballot.id == Dot.ballot_id)
                .filter(Ballot.user_id == voter, Dot.count > 0)
                .statement
            ):
                if pitch_id in placed and pitch_id != camp.kid_pitch_id:
                    user = db.session.get(User, voter)
                    return user.username, pitch_id, db.session.get(Pitch, pitch_id).title
    raise AssertionError("nobody dotted a placed session")


def _tab(page):
    """Open another tab of the same person (their cookies), recording its console errors."""
    tab = page.context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    return tab


def test_a_publish_reaches_every_open_page_within_a_second(app, new_page, camp):
    username, pitch, title = _voter_of_a_placed_session(app, camp)
    room, slot = free_cell(app, camp, pitch)

    grid = new_page(1280, 900)
    log_in(grid, username)
    grid.goto(f"/events/{camp.slug}/schedule")
    grid.wait_for_function(STREAM_OPEN)
    agenda = _tab(grid)
    agenda.goto(f"/events/{camp.slug}/schedule/agenda")
    expect(agenda.locator("#programme")).to_contain_text(title)
    agenda.wait_for_function(STREAM_OPEN)
    screen = new_page(1920, 1080)
    screen.goto(screen_url(camp))
    screen.wait_for_function(SCREEN_OPEN)

    move_on_draft(app, camp, pitch, room, slot)
    facilitator = new_page(1280, 900)
    log_in(facilitator, camp.facilitator)
    facilitator.goto(f"/events/{camp.slug}/schedule/draft")
    facilitator.get_by_role("button", name="Publish v2…").click()
    dialog = facilitator.get_by_role("dialog", name="Publish the grid as v2?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Publish v2").click()
    expect(facilitator.get_by_role("status").filter(has_text="Published v2")).to_be_visible()
    published = time.monotonic()

    moved = f"{title} moved from"
    expect(grid.locator("#programme")).to_contain_text(moved, timeout=1000)
    expect(agenda.locator("#programme")).to_contain_text("v2", timeout=1000)
    expect(screen.locator("#now-next")).to_contain_text("programme v2", timeout=1000)
    assert time.monotonic() - published < 2.0
    assert grid.url.endswith(f"/events/{camp.slug}/schedule")  # never reloaded

    inbox = _tab(grid)
    inbox.goto("/notices")
    expect(inbox.get_by_role("listitem").filter(has_text=moved).first).to_be_visible()
    for page in (grid, agenda, screen, facilitator, inbox):
        assert page.console_errors == []
