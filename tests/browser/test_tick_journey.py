"""Ticking a task far down a page on a phone: the reader stays where they were and is told."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.pages import services

INTRO = "".join(f"Paragraph {n} of what to bring and why it matters.\n\n" for n in range(40))


@pytest.fixture
def long_list(app, create_user):
    """Create a long page by Ana whose tasks sit far below the top; return its URL."""
    ana = create_user("ana", display_name="Ana")
    create_user("ben", display_name="Ben")
    with app.test_request_context():
        author = db.session.get(User, ana.id)
        body = INTRO + "- [ ] Tent\n- [ ] Torch\n- [ ] Kettle\n\n" + INTRO
        slug = services.create_page("Packing list", body, author).page.slug
        db.session.commit()
    return f"/wiki/{slug}"


def scroll_to_middle(page, locator) -> float:
    """Scroll so ``locator`` sits mid-screen and return the page's scroll offset."""
    locator.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    page.wait_for_function("() => window.scrollY > 0")
    return page.evaluate("window.scrollY")


def test_ticking_on_a_phone_keeps_the_place_and_says_it_saved(page, long_list):
    log_in(page, "ben")
    page.goto(long_list)
    torch = page.get_by_role("button", name="Tick: Torch")
    before = scroll_to_middle(page, torch)
    torch.click()
    untick = page.get_by_role("button", name="Untick: Torch — ticked by Ben")
    expect(untick).to_have_attribute("aria-pressed", "true")
    saved = page.locator("#task-saved")
    expect(saved).to_have_text("Saved, with your name")
    expect(saved).to_be_in_viewport()
    expect(page.locator("#task-status")).to_have_text("Saved: “Torch — ticked by Ben”.")
    assert abs(page.evaluate("window.scrollY") - before) <= 2
    expect(untick).to_be_focused()

    page.keyboard.press("Enter")  # and untick it again from the keyboard, in the same place
    tick_again = page.get_by_role("button", name="Tick: Torch")
    expect(page.locator("#task-status")).to_have_text("Saved: “Torch” is unticked.")
    expect(tick_again).to_be_focused()
    expect(page.locator("#task-saved")).to_have_text("Saved: unticked")
    assert abs(page.evaluate("window.scrollY") - before) <= 2
    assert_accessible(page)
    assert page.console_errors == []


def test_without_javascript_a_tick_comes_back_to_the_task(new_page, long_list):
    page = new_page(javascript=False)
    log_in(page, "ben")
    page.goto(long_list)
    page.get_by_role("button", name="Tick: Kettle").click()
    untick = page.get_by_role("button", name="Untick: Kettle — ticked by Ben")
    expect(untick).to_be_visible()
    assert page.url.endswith("#task-2")
    expect(untick).to_be_in_viewport()
    expect(page.locator("#task-saved")).to_have_text("Saved, with your name")
    expect(page.locator("#task-saved")).to_be_in_viewport()
