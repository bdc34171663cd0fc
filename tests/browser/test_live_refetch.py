"""A page that re-fetches a part of itself on a live event shows the latest change, even when a
second event arrives while the first re-fetch is still on its way.

htmx queues that second request on the element that sent the first. When the first answer
replaced that element (outerHTML), the queued request belonged to an element no longer in
the page, and htmx dropped it: the page kept the older state until the next event (seen in
CI: the plan's panel stayed on "Planning: 1 of 2 seconds" after the plan was ready). Each live
part now keeps its element and has its content replaced, so the queued request goes out once
the first answer is in. Here that first answer is held back in the browser, as a slow venue
Wi-Fi would, while a second version is published.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_venue_screen import SCREEN_OPEN
from tests.programme_camp import free_cell, move_on_draft, planned_camp, publish_head
from wiki.events.models import Event
from wiki.extensions import db
from wiki.schedule import versions

COUNT_PUBLISHED = """() => { window.published = 0;
  document.addEventListener("htmx:sseMessage", (e) => {
    if (e.detail.type === "programme-published") window.published += 1; }); }"""


@pytest.fixture
def camp(app, create_user, create_event):
    return planned_camp(app, create_user, create_event, publish=True)


def _placed_sessions(app, camp) -> list[int]:
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        return [s.pitch_id for s in versions.programme(versions.latest(event)).sessions]


def _move_and_publish(app, camp, pitch_id: int) -> None:
    room, slot = free_cell(app, camp, pitch_id)
    move_on_draft(app, camp, pitch_id, room, slot)
    publish_head(app, camp)


def _wait_for(page, condition, seconds: float = 5.0) -> None:
    """Let the browser run (and route handlers fire) until ``condition()`` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(25)


def test_a_second_publish_during_a_slow_refetch_is_still_shown(app, new_page, camp):
    page = new_page(1280, 900)
    page.goto(f"/events/{camp.slug}/schedule")
    page.wait_for_function(SCREEN_OPEN)
    page.evaluate(COUNT_PUBLISHED)
    expect(page.locator(".programme-version")).to_contain_text("v1")

    held, passing = [], []

    def hold_refetches(route):
        if route.request.headers.get("hx-request") and not passing:
            held.append(route)
        else:
            route.continue_()

    page.route(f"**/events/{camp.slug}/schedule*", hold_refetches)
    first, second = _placed_sessions(app, camp)[:2]

    _move_and_publish(app, camp, first)  # v2: the page asks, and its answer is held
    _wait_for(page, lambda: len(held) == 1)
    v2_answer = held[0].fetch()  # read while v2 is the latest

    _move_and_publish(app, camp, second)  # v3, while v2's answer is still on its way
    _wait_for(page, lambda: page.evaluate("window.published") == 2)
    assert len(held) == 1  # the page waits for its first answer before asking again

    passing.append(True)
    held[0].fulfill(response=v2_answer)
    expect(page.locator(".programme-version")).to_contain_text("v3", timeout=3000)
    # It asked as the page showing v2 (what its content says now, not what it first showed).
    expect(page.locator("#programme-status")).to_have_text("Programme updated to v3.")
    expect(page.locator("#programme")).to_have_count(1)
    assert page.console_errors == []
