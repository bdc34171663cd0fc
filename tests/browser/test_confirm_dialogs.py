"""Asking first in the browser: a dialog with JavaScript, a page without it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from wiki.accounts.models import User
from wiki.events import rsvps
from wiki.events import services as events
from wiki.extensions import db

EVENT = "/events/govbarcamp-2026"


def focused(page) -> str:
    """Describe the focused element: its tag and its text or accessible label."""
    return page.evaluate(
        "() => { const e = document.activeElement; const name = e.getAttribute('aria-label')"
        " || e.textContent; return e.tagName.toLowerCase() + ':' + name.trim(); }"
    )


def focus_is_in_the_dialog(page) -> bool:
    return page.evaluate("() => !!document.activeElement.closest('dialog[open]')")


@pytest.fixture
def family(app, create_event, create_user):
    """An event in voting, capacity 4: Ann's family of 4 is coming, Bob's household waits."""
    create_event(state="voting", capacity=4)
    ann = create_user("ann", display_name="Ann")
    bob = create_user("bob", display_name="Bob")
    with app.test_request_context("/", method="POST"):
        event = events.find_event("govbarcamp-2026")
        for user, adults, children in ((ann, 2, ["Maya", "Sam"]), (bob, 1, [])):
            rsvps.save_rsvp(
                event,
                db.session.get(User, user.id),
                rsvps.RsvpDetails(
                    adults=adults,
                    children=[rsvps.ChildDetails(name, "5-8") for name in children],
                    accepted_conduct=True,
                ),
            )
        db.session.commit()


def test_closing_voting_asks_in_a_dialog(new_page, family, facilitator):
    page = new_page()
    log_in(page, facilitator.username)
    page.goto(EVENT)
    opener = page.get_by_role("button", name="Close voting")
    opener.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Close voting?")).to_be_visible()
    expect(dialog).to_contain_text("Everyone is told: “GovBarCamp 2026: Voting has closed”")
    assert page.url.endswith(EVENT)  # asked here, not on another page
    assert focus_is_in_the_dialog(page)
    assert focused(page) == "button:Cancel"  # the safe choice first
    assert_accessible(page)

    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)
    assert focused(page) == "a:Close voting"
    expect(page.locator("#news")).not_to_contain_text("Voting has closed")

    page.keyboard.press("Enter")  # the focused opener, from the keyboard
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close voting").click()
    expect(
        page.get_by_text("The event is now: Voting closed. Everyone has been told.")
    ).to_be_visible()
    expect(page.locator("#news h3").first).to_have_text("GovBarCamp 2026: Voting has closed")
    assert page.url.endswith(EVENT)
    assert page.console_errors == []


def test_cancelling_an_rsvp_asks_in_a_dialog(app, new_page, family):
    page = new_page()
    log_in(page, "ann")
    page.goto(EVENT)
    opener = page.get_by_role("button", name="Cancel RSVP")
    opener.focus()
    page.keyboard.press(" ")  # Space opens it too: with script it is a button
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Your 4 places go to the 1 household waiting.")
    assert focused(page) == "button:No, keep our RSVP"
    assert_accessible(page)

    dialog.get_by_role("button", name="No, keep our RSVP").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    assert focused(page) == "a:Cancel RSVP"

    opener.click()
    page.locator("dialog[open]").get_by_role("button", name="Yes, cancel our RSVP").click()
    expect(page.get_by_text("Your RSVP is cancelled. Thanks for letting us know.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel RSVP")).to_have_count(0)
    with app.app_context():
        event = events.find_event("govbarcamp-2026")
        assert rsvps.counts(event).waiting_households == 0  # Bob moved up
    assert page.console_errors == []


def test_without_javascript_the_question_is_a_page(app, new_page, family):
    page = new_page(javascript=False)
    log_in(page, "ann")
    page.goto(EVENT)
    page.get_by_role("link", name="Cancel RSVP").click()
    expect(page.get_by_role("heading", name="Cancel your RSVP?")).to_be_visible()
    assert page.url.endswith(f"{EVENT}/rsvp/cancel")
    expect(page.locator("main")).to_contain_text("Your 4 places go to the 1 household waiting.")
    page.get_by_role("link", name="No, keep our RSVP").click()
    expect(page.get_by_role("link", name="Cancel RSVP")).to_be_visible()
    page.get_by_role("link", name="Cancel RSVP").click()
    page.get_by_role("button", name="Yes, cancel our RSVP").click()
    expect(page.get_by_text("Your RSVP is cancelled. Thanks for letting us know.")).to_be_visible()


def test_declining_asks_for_the_reason_in_the_dialog(app, new_page, family, facilitator):
    from wiki.pitches import services as pitches

    with app.app_context():
        host = db.session.get(User, facilitator.id)
        event = events.find_event("govbarcamp-2026")
        pitch_id = pitches.create_pitch(event, pitches.PitchDetails(title="Den building"), host).id
        db.session.commit()
    page = new_page()
    log_in(page, facilitator.username)
    page.goto(f"{EVENT}/pitches/{pitch_id}")
    page.get_by_role("button", name="Decline session…").click()
    dialog = page.locator("dialog[open]")
    reason = dialog.get_by_label("Reason")
    expect(reason).to_be_focused()
    assert_accessible(page)
    reason.fill("It is on twice")
    dialog.get_by_role("button", name="Decline session").click()
    expect(page.get_by_text("Declined by the facilitators: It is on twice")).to_be_visible()


def test_the_question_page_is_accessible(new_page, family):
    page = new_page()  # axe runs as a script: the page itself is the one served without it
    log_in(page, "ann")
    page.goto(f"{EVENT}/rsvp/cancel")
    expect(page.get_by_role("heading", name="Cancel your RSVP?")).to_be_visible()
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
