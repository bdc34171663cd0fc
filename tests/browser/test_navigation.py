"""The site menu: one short row on a phone, every link in a row on a wide screen."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

PAGES_URL = re.compile(r"/-/pages$")


def test_on_a_phone_the_links_fold_behind_menu(new_page, create_user, admin):
    page = new_page(width=360)
    log_in(page, admin.username)
    header = page.locator(".site-header")
    # An admin has the most links; folded, the header is still one short row.
    assert header.bounding_box()["height"] < 90
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="People")).to_be_hidden()
    page.locator("summary", has_text="Menu").press("Enter")  # a keyboard opens it too
    for name in ["Home", "Events", "Pages", "Recent changes", "Search", "Reports", "People"]:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert link.bounding_box()["height"] >= 44  # a comfortable target for a thumb
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    nav.get_by_role("link", name="Pages", exact=True).click()
    expect(page).to_have_url(PAGES_URL)
    # A new page starts with the menu folded again.
    expect(nav.get_by_role("link", name="People")).to_be_hidden()


def test_on_a_wide_screen_every_link_shows_without_a_menu(new_page, create_user, admin):
    page = new_page(width=1280)
    log_in(page, admin.username)
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in ["Home", "Events", "Pages", "Recent changes", "Search", "People"]:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] < 90
    assert_accessible(page)


def test_the_menu_works_without_javascript(new_page, create_user):
    create_user("sam", display_name="Sam")
    page = new_page(width=360, javascript=False)
    page.goto("/")
    page.locator("summary", has_text="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
