"""Two people on the session board: a dot placed by one shows on the other's screen at once."""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

BOARD = "/events/govbarcamp-2026/board"


def _two_sessions(create_event, create_user, create_pitch, **rules) -> list[int]:
    """Open voting with two pitches by Hannah and two voters, Ann and Bob; return the ids."""
    event = create_event(state="voting", **rules)
    host = create_user("host", display_name="Hannah")
    for name in ("ann", "bob"):
        create_user(name, display_name=name.capitalize())
    return [
        create_pitch(event, host, title=title).id
        for title in ("Picnic planning", "Kids teach Scratch")
    ]


@pytest.fixture
def board(create_event, create_user, create_pitch):
    """Open voting with two pitches and two voters; return the pitch ids."""
    return _two_sessions(
        create_event, create_user, create_pitch, dots_per_person=5, max_dots_per_pitch=3
    )


def test_dot_appears_on_another_board_within_a_second(new_page, board):
    ann, bob = new_page(), new_page()
    log_in(ann, "ann")
    log_in(bob, "bob")
    ann.goto(BOARD)
    bob.goto(BOARD)
    tally = bob.locator(f"#tally-{board[0]}")
    expect(tally).to_have_text("0")
    # Wait until Bob's board holds its live connection before Ann votes.
    bob.wait_for_function(
        "() => Array.from(document.querySelectorAll('[sse-connect]'))"
        ".some(el => htmx.closest(el, '[sse-connect]') && el['htmx-internal-data']"
        " && el['htmx-internal-data'].sseEventSource"
        " && el['htmx-internal-data'].sseEventSource.readyState === 1)"
    )
    started = time.monotonic()
    ann.get_by_role("button", name="Add a dot to “Picnic planning”").click()
    expect(ann.locator("#dots-left")).to_contain_text("4 dots left", timeout=1000)
    expect(tally).to_have_text("1", timeout=1000)
    assert time.monotonic() - started < 1.0
    assert_accessible(bob)
    assert ann.console_errors == [] and bob.console_errors == []


def test_voting_without_javascript_uses_full_page_loads(new_page, board):
    page = new_page(javascript=False)
    log_in(page, "ann")
    page.goto(BOARD)
    page.get_by_role("button", name="Add a dot to “Kids teach Scratch”").click()
    expect(page.locator("#dots-left")).to_contain_text("4 dots left")
    expect(page.locator(f"#tally-{board[1]}")).to_have_text("1")
    page.get_by_role("button", name="Take a dot back from “Kids teach Scratch”").click()
    expect(page.locator("#dots-left")).to_contain_text("5 dots left")


def test_limit_message_is_shown_in_place(new_page, board):
    page = new_page()
    log_in(page, "ann")
    page.goto(BOARD)
    add = page.get_by_role("button", name="Add a dot to “Picnic planning”")
    for left in ("4", "3", "2"):
        add.click()
        expect(page.locator("#dots-left")).to_contain_text(f"{left} dots left")
    expect(add).to_be_disabled()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.fixture
def hidden_board(create_event, create_user, create_pitch):
    """Open voting that hides the counts until a reveal; return the pitch ids."""
    return _two_sessions(create_event, create_user, create_pitch, hide_tallies=True)


def test_hidden_dots_count_for_the_voter_and_show_everywhere_at_the_reveal(new_page, hidden_board):
    ann, bob, organiser = new_page(), new_page(), new_page()
    for page, name in ((ann, "ann"), (bob, "bob"), (organiser, "organiser")):
        log_in(page, name)
        page.goto(BOARD)
    bob.wait_for_function(
        "() => Array.from(document.querySelectorAll('[sse-connect]'))"
        ".some(el => el['htmx-internal-data'] && el['htmx-internal-data'].sseEventSource"
        " && el['htmx-internal-data'].sseEventSource.readyState === 1)"
    )
    ann.get_by_role("button", name="Add a dot to “Picnic planning”").click()
    expect(ann.locator("#dots-left")).to_contain_text("4 dots left")
    expect(ann.locator("#vote-status")).to_contain_text("1 dot on “Picnic planning”")
    for page in (ann, bob):
        expect(page.locator(f"#tally-{hidden_board[0]}")).to_have_count(0)
        expect(page.get_by_text("Dots hidden until voting closes").first).to_be_visible()
    organiser.get_by_role("button", name="Reveal the dots").click()
    # Bob's board fetches itself when the reveal is announced: the count appears unasked.
    expect(bob.locator(f"#tally-{hidden_board[0]}")).to_have_text("1")
    expect(bob.locator(f"#tally-{hidden_board[1]}")).to_have_text("0")
    # From now on each dot sends its total, as on a board that never hid them.
    ann.reload()
    ann.get_by_role("button", name="Add a dot to “Picnic planning”").click()
    expect(ann.locator("#dots-left")).to_contain_text("3 dots left")
    expect(bob.locator(f"#tally-{hidden_board[0]}")).to_have_text("2")
    assert ann.console_errors == [] and bob.console_errors == []
