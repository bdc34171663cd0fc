"""Two facilitators on the draft grid: plan, drag, lock, plan again, undo; each sees the other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.schedule_camp import build_camp
from wiki.accounts.models import Role

SSE_OPEN = (
    "() => Array.from(document.querySelectorAll('[sse-connect]')).some(el =>"
    " el['htmx-internal-data'] && el['htmx-internal-data'].sseEventSource"
    " && el['htmx-internal-data'].sseEventSource.readyState === 1)"
)


@pytest.fixture
def app(make_app):
    """Return an app that plans in a thread, for two seconds."""
    return make_app(SCHEDULE_RUNNER="inline", SCHEDULE_TIME_LIMIT=2)


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp and a second facilitator, Sam."""
    made = build_camp(app, create_user, create_event)
    create_user("sam", Role.FACILITATOR, display_name="Sam")
    return made


def _revision(page) -> int:
    return int(page.locator("#editor").get_attribute("data-revision"))


def _wait_revision(page, number: int) -> None:
    expect(page.locator("#editor")).to_have_attribute("data-revision", str(number))


def _drag(page, source, target) -> None:
    source.scroll_into_view_if_needed()
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 8)
    page.mouse.down()
    steps = 12
    for k in range(1, steps + 1):
        page.mouse.move(
            box["x"]
            + box["width"] / 2
            + (goal["x"] + goal["width"] / 2 - box["x"] - box["width"] / 2) * k / steps,
            box["y"] + 8 + (goal["y"] + goal["height"] / 2 - box["y"] - 8) * k / steps,
        )
        page.wait_for_timeout(20)
    page.mouse.up()


def _pick(page) -> dict:
    """Find a card that may go in any room, and an empty cell in another room at its time."""
    return page.evaluate(
        """() => {
          const movable = '.gcard:not(.gcard--family)[data-needs=""]';
          for (const row of document.querySelectorAll('#editor tbody tr')) {
            const lists = Array.from(row.querySelectorAll('.grid__drop'));
            const full = lists.find(l => l.querySelector(movable));
            const empty = lists.find(l => !l.querySelector('.gcard'));
            if (full && empty) {
              return {pitch: full.querySelector(movable).dataset.pitch,
                      room: empty.dataset.room, slot: empty.dataset.slot,
                      fromRoom: full.dataset.room, fromSlot: full.dataset.slot};
            }
          }
          return null;
        }"""
    )


def test_two_facilitators_plan_drag_lock_replan_and_undo(new_page, camp):
    fran, sam = new_page(1280, 900), new_page(1280, 900)
    log_in(fran, camp.facilitator)
    log_in(sam, "sam")
    url = f"/events/{camp.slug}/schedule/draft"
    fran.goto(url)
    sam.goto(url)
    fran.wait_for_function(SSE_OPEN)
    sam.wait_for_function(SSE_OPEN)

    # Plan: the progress shows, then both editors get the plan.
    fran.get_by_role("button", name="Plan the grid").click()
    expect(fran.locator("#plan progress")).to_be_visible()
    expect(fran.get_by_text("The plan is ready.")).to_be_visible(timeout=20_000)
    _wait_revision(fran, 1)
    _wait_revision(sam, 1)
    expect(sam.get_by_text("The plan is ready.")).to_be_visible()
    assert_accessible(sam)

    # Drag one session to an empty cell in another room.
    pick = _pick(fran)
    assert pick is not None
    card = fran.locator(f"#card-{pick['pitch']}")
    title = card.locator(".gcard__title").inner_text()
    target = fran.locator(f'ul[data-room="{pick["room"]}"][data-slot="{pick["slot"]}"]')
    _drag(fran, card, target)
    expect(fran.locator("#editor-status")).to_contain_text(f"Moved “{title}” from")
    _wait_revision(fran, 2)
    moved = f'ul[data-room="{pick["room"]}"][data-slot="{pick["slot"]}"] #card-{pick["pitch"]}'
    expect(fran.locator(moved)).to_be_visible()
    # Focus stays on the card that moved (once htmx has settled the swap).
    fran.wait_for_function(
        f"() => document.getElementById('card-{pick['pitch']}').contains(document.activeElement)"
    )
    _wait_revision(sam, 2)
    expect(sam.locator(moved)).to_be_visible()

    # Lock it there.
    fran.get_by_role("button", name=f"Lock “{title}”").click()
    expect(fran.locator("#editor-status")).to_contain_text(f"Locked “{title}”")
    _wait_revision(sam, 3)
    expect(sam.locator(f"{moved} .gcard__lock")).to_have_text("Locked")

    # Plan again: the lock holds.
    fran.get_by_role("button", name="Plan the grid").click()
    expect(fran.locator("#editor")).to_have_attribute("data-revision", "4", timeout=20_000)
    _wait_revision(sam, 4)
    expect(fran.locator(f"{moved} .gcard__lock")).to_have_text("Locked")
    expect(sam.locator(f"{moved} .gcard__lock")).to_have_text("Locked")

    # Undo the plan, the lock and the move: the card is back where the first plan put it.
    for undone in ("Planned the grid", "Locked", "Moved"):
        before = _revision(fran)
        fran.get_by_role("button", name=re.compile(r"^Undo")).click()
        expect(fran.locator("#editor-status")).to_contain_text(f"Undid: {undone}")
        expect(fran.locator("#editor")).not_to_have_attribute("data-revision", str(before))
    back = (
        f'ul[data-room="{pick["fromRoom"]}"][data-slot="{pick["fromSlot"]}"] #card-{pick["pitch"]}'
    )
    expect(fran.locator(back)).to_be_visible()
    _wait_revision(sam, 1)
    expect(sam.locator(back)).to_be_visible()
    assert fran.console_errors == [] and sam.console_errors == []


def test_move_without_javascript_through_the_form(new_page, camp):
    page = new_page(javascript=False)
    log_in(page, camp.facilitator)
    page.goto(f"/events/{camp.slug}/schedule/draft")
    page.get_by_role("link", name="Move “Session idea 1”").click()
    page.get_by_label("Room").select_option(label="Hall")
    page.get_by_label("Time").select_option(index=2)
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Moved “Session idea 1” from the tray to Hall")
    expect(page.locator("#card-p1 .gcard__title")).to_be_visible()
    assert page.locator("#editor").get_attribute("data-revision") == "1"


def test_editor_on_a_phone_is_accessible_and_reached_from_the_event(new_page, camp):
    page = new_page()
    log_in(page, camp.facilitator)
    page.goto(f"/events/{camp.slug}")
    page.get_by_role("link", name="Draft grid").click()
    expect(page.get_by_role("heading", name="Draft grid")).to_be_visible()
    page.get_by_role("button", name="Plan the grid").click()
    expect(page.get_by_text("The plan is ready.")).to_be_visible(timeout=20_000)
    expect(page.locator("#editor")).to_have_attribute("data-revision", "1")
    assert_accessible(page)
    assert page.console_errors == []
