"""A person registers, logs out and logs back in, in a real browser."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

PASSWORD = "tents and toilets"


def open_menu(page):
    """Open the site menu the way a phone user does."""
    page.locator("summary", has_text="Menu").click()
    return page.get_by_role("navigation", name="Main")


def test_register_log_out_and_log_in(page):
    page.goto("/")
    open_menu(page).get_by_role("link", name="Register").click()
    expect(page).to_have_url(re.compile("/-/register"))
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Display name").fill("Kim from HMRC")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, Kim from HMRC!")).to_be_visible()

    open_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    nav = open_menu(page)
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()

    nav.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Kim from HMRC.")).to_be_visible()
    assert page.evaluate("window.__dialogs") == []
    assert page.console_errors == []


def test_registration_error_keeps_what_was_typed(page):
    page.goto("/-/register")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Display name").fill("Kim")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("kim")
    expect(page.get_by_label("Display name")).to_have_value("Kim")
    assert_accessible(page)


def test_login_works_without_javascript(new_page, create_user):
    create_user("sam", display_name="Sam")
    page = new_page(javascript=False)
    page.goto("/-/login")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Sam.")).to_be_visible()


def test_account_pages_are_accessible(page, create_user):
    create_user("sam", display_name="Sam")
    for path in ["/", "/-/login", "/-/register", "/-/forgot", "/-/confirm-email/any"]:
        page.goto(path)
        assert_accessible(page)
    page.goto("/-/login")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Sam.")).to_be_visible()
    for path in ["/-/account", "/-/account/password", "/-/account/delete"]:
        page.goto(path)
        assert_accessible(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    # A wrong password keeps the account and says why, in the error summary.
    page.goto("/-/account/delete")
    page.get_by_label("Your password").fill("not it")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="That is not your password.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your password").fill("correct horse battery")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()


def test_pages_fit_a_phone_screen(page):
    for path in ["/", "/-/login", "/-/register"]:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
