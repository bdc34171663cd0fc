"""The published programme on a phone and on a laptop: axe-clean, sticky headers, stars."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.programme_camp import planned_camp

PASSWORD = "correct horse battery"


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp with its programme published as v1."""
    return planned_camp(app, create_user, create_event, publish=True)


def _plain_log_in(page, username: str) -> None:
    page.goto("/-/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("path", ["schedule", "schedule/agenda", "schedule/versions"])
def test_programme_pages_pass_axe(new_page, camp, width, path):
    page = new_page(width=width)
    log_in(page, "voter1x0")
    page.goto(f"/events/{camp.slug}/{path}")
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert page.console_errors == []
    page.screenshot(path=f"/tmp/programme-{path.replace('/', '-')}-{width}.png", full_page=True)


def test_the_anonymous_programme_passes_axe_with_filters_open(new_page, camp):
    page = new_page(width=360)
    page.goto(f"/events/{camp.slug}/schedule?family=1")
    assert_accessible(page)
    expect(page.locator(".programme-list").get_by_text("Log in to star").first).to_be_visible()


def test_a_phone_shows_the_list_and_a_laptop_the_grid_with_sticky_headers(new_page, camp):
    phone = new_page(width=360)
    phone.goto(f"/events/{camp.slug}/schedule")
    expect(phone.locator(".programme-list")).to_be_visible()
    expect(phone.locator("table.ptable")).to_be_hidden()
    laptop = new_page(width=1280, height=500)
    laptop.goto(f"/events/{camp.slug}/schedule")
    expect(laptop.locator("table.ptable")).to_be_visible()
    expect(laptop.locator(".programme-list")).to_be_hidden()
    positions = laptop.evaluate(
        """() => [
          getComputedStyle(document.querySelector('.ptable thead th')).position,
          getComputedStyle(document.querySelector('.ptable tbody th')).position,
        ]"""
    )
    assert positions == ["sticky", "sticky"]
    # Scrolled down inside its region, the room headings stay at the top of it.
    region = laptop.locator(".programme-scroll").first
    region.evaluate("el => el.scrollTop = 200")
    heading = laptop.locator(".ptable thead th").nth(1).bounding_box()
    first_row = laptop.locator(".ptable tbody tr").first.bounding_box()
    assert abs(heading["y"] - region.bounding_box()["y"]) < 2
    assert first_row["y"] < heading["y"]  # the row went under the headings


def test_star_without_javascript_comes_back_starred(new_page, camp):
    page = new_page(width=360, javascript=False)
    _plain_log_in(page, "voter1x0")
    page.goto(f"/events/{camp.slug}/schedule?step_free=1")
    item = page.locator(f"#at-{camp.pitches[0]}")
    item.get_by_role("button", name="☆ Star").click()
    expect(page.get_by_text("Starred “Session idea 1”.")).to_be_visible()
    assert page.url.endswith(f"/schedule?step_free=1#at-{camp.pitches[0]}")
    button = page.locator(f"#at-{camp.pitches[0]}").get_by_role("button", name="★ Starred")
    expect(button).to_have_attribute("aria-pressed", "true")


def test_star_with_htmx_swaps_the_button_and_keeps_focus(new_page, camp):
    page = new_page(width=1280)
    log_in(page, "voter1x0")
    page.goto(f"/events/{camp.slug}/schedule")
    button = page.locator(f"#star-button-grid-{camp.pitches[0]}")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()
    # The list's copy changed too, out of band.
    expect(page.locator(f"#star-button-list-{camp.pitches[0]}")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "false")
    page.goto(f"/events/{camp.slug}/schedule/agenda")
    expect(page.get_by_role("heading", name="My agenda")).to_be_visible()
    assert page.console_errors == []
