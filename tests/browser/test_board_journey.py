"""A parent places their own and their child's dots on a phone, by mouse and by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from wiki.accounts.models import User
from wiki.events import rsvps
from wiki.events import services as events
from wiki.extensions import db
from wiki.pitches import services as pitches

BOARD = "/events/govbarcamp-2026/board"
TITLES = ("Composting with kids", "Picnic planning", "Kids teach Scratch")


@pytest.fixture
def board(app, create_event, create_user, participant):
    """Open voting (5 dots, at most 3 on one) with Hannah's three sessions and Priya's own;
    Priya comes with Maya. Return {title: pitch id}."""
    create_event(state="voting", dots_per_person=5, max_dots_per_pitch=3)
    hannah = create_user("hannah", display_name="Hannah")
    with app.app_context():
        event = events.find_event("govbarcamp-2026")
        priya = db.session.get(User, participant.id)
        rsvps.save_rsvp(
            event,
            priya,
            rsvps.RsvpDetails(children=[rsvps.ChildDetails("Maya", "5-8")], accepted_conduct=True),
        )
        author = db.session.get(User, hannah.id)
        ids = {
            title: pitches.create_pitch(event, pitches.PitchDetails(title=title), author).id
            for title in TITLES
        }
        ids["own"] = pitches.create_pitch(
            event, pitches.PitchDetails(title="Priya's talk"), priya
        ).id
        db.session.commit()
    return ids


def plus_buttons(page):
    return page.locator("button[id^='dot-add-']")


def test_whole_board_follows_every_dot_and_focus_stays_put(page, board):
    log_in(page, "priya")
    page.goto(BOARD)
    status = page.locator("#vote-status")
    switcher = page.get_by_role("navigation", name="Placing dots for:")
    expect(switcher.locator("[aria-current='true']")).to_have_text("✓ You (5 left)")
    own = page.locator(f"#dot-add-{board['own']}")
    expect(own).to_be_disabled()
    expect(own).to_have_accessible_description("Your own session")

    first = page.get_by_role("button", name=f"Add a dot to “{TITLES[0]}”")
    first.click()
    expect(status).to_have_text(f"1 dot on “{TITLES[0]}”; 4 dots left.")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")  # the keyboard user presses again, where they were
    expect(status).to_have_text(f"2 dots on “{TITLES[0]}”; 3 dots left.")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text(
        f"3 dots on “{TITLES[0]}”; 2 dots left. 3 is the most on one session."
    )
    expect(first).to_be_disabled()
    # The "+" is off now: focus waits on the same card's "−", not at the top of the page.
    expect(page.get_by_role("button", name=f"Take a dot back from “{TITLES[0]}”")).to_be_focused()

    second = page.get_by_role("button", name=f"Add a dot to “{TITLES[1]}”")
    second.click()
    # A tap while the last one is still on its way is dropped (htmx's default): wait for it.
    expect(status).to_have_text(f"1 dot on “{TITLES[1]}”; 1 dot left.")
    second.click()
    expect(status).to_have_text(f"2 dots on “{TITLES[1]}”; no dots left.")
    expect(page.locator("#dots-left")).to_have_text(re.compile(r"^\s*0 dots left\s*$"))
    for index in range(plus_buttons(page).count()):
        expect(plus_buttons(page).nth(index)).to_be_disabled()
    expect(switcher).to_contain_text("You (0 left)")
    expect(switcher).to_contain_text("Maya (5 left)")
    take_back = page.get_by_role("button", name=f"Take a dot back from “{TITLES[1]}”")
    expect(take_back).to_be_focused()

    page.keyboard.press("Enter")  # take one back: every other card's "+" comes back too
    expect(status).to_have_text(f"1 dot on “{TITLES[1]}”; 1 dot left.")
    expect(take_back).to_be_focused()
    for title in TITLES[1:]:
        expect(page.get_by_role("button", name=f"Add a dot to “{title}”")).to_be_enabled()
    expect(first).to_be_disabled()  # still at that session's maximum
    expect(own).to_be_disabled()  # still Priya's own
    expect(switcher).to_contain_text("You (1 left)")
    assert_accessible(page)
    assert page.console_errors == []


def test_parent_sees_and_hears_whose_dots_they_place(page, board):
    log_in(page, "priya")
    page.goto(BOARD)
    switcher = page.get_by_role("navigation", name="Placing dots for:")
    switcher.get_by_role("link", name="Maya (5 left)").click()
    expect(switcher.locator("[aria-current='true']")).to_have_text("✓ Maya (5 left)")
    expect(switcher.get_by_role("link", name="You (5 left)")).not_to_have_attribute(
        "aria-current", "true"
    )
    add = page.get_by_role("button", name=f"Add one of Maya's dots to “{TITLES[2]}”")
    add.click()
    expect(page.locator("#vote-status")).to_have_text(f"Maya: 1 dot on “{TITLES[2]}”; 4 dots left.")
    expect(switcher.locator("[aria-current='true']")).to_have_text("✓ Maya (4 left)")
    expect(switcher).to_contain_text("You (5 left)")
    expect(page.locator("#dots-left")).to_contain_text("4 dots left for Maya")
    expect(add).to_be_focused()
    # Maya cannot dot her parent's session either.
    own = page.locator(f"#dot-add-{board['own']}")
    expect(own).to_be_disabled()
    expect(own).to_have_accessible_description("Your own session")
    assert_accessible(page)
    assert page.console_errors == []


def test_without_javascript_the_board_comes_back_at_the_card_for_the_same_voter(new_page, board):
    page = new_page(javascript=False)
    log_in(page, "priya")
    page.goto(BOARD)
    page.get_by_role("link", name="Maya (5 left)").click()
    page.get_by_role("button", name=f"Add one of Maya's dots to “{TITLES[2]}”").click()
    expect(page.locator("#dots-left")).to_contain_text("4 dots left for Maya")
    assert page.url.endswith(f"#pitch-{board[TITLES[2]]}")
    assert "as=" in page.url
    expect(page.locator("[aria-current='true']")).to_have_text("✓ Maya (4 left)")
    # The browser scrolls to the anchor once the page has laid out: wait for it.
    expect(page.locator(f"#pitch-{board[TITLES[2]]}")).to_be_in_viewport()


def test_a_dot_from_the_session_page_keeps_its_switcher_and_status(page, board):
    log_in(page, "priya")
    page.goto(f"/events/govbarcamp-2026/pitches/{board[TITLES[0]]}")
    switcher = page.get_by_role("navigation", name="Placing dots for:")
    expect(switcher.locator("[aria-current='true']")).to_have_text("✓ You (5 left)")
    add = page.get_by_role("button", name=f"Add a dot to “{TITLES[0]}”")
    add.click()
    expect(page.locator("#vote-status")).to_have_text(f"1 dot on “{TITLES[0]}”; 4 dots left.")
    expect(switcher.locator("[aria-current='true']")).to_have_text("✓ You (4 left)")
    expect(add).to_be_focused()
    assert page.console_errors == []
