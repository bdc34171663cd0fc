"""Browser fixtures: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Any dialog opened by page content is recorded; an XSS test asserts there were none.
DIALOG_TRAP = """
window.__dialogs = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__dialogs.push([name, String(args[0])]); };
}
"""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """Launch Chromium once for the run, or skip when this machine has none."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CAMPWIKI_REQUIRE_BROWSER"):
            pytest.fail(f"CAMPWIKI_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Return a function that opens a fresh browser context (a person) on the live server."""
    contexts = []

    def factory(width: int = 360, height: int = 780, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(DIALOG_TRAP)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.on("dialog", lambda dialog: dialog.dismiss())
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """Return a phone-sized page for one person."""
    return new_page()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page and return WCAG 2.2 AA violations (impact and ids)."""
    # Loaded from the site itself: the Content-Security-Policy forbids inline scripts.
    page.add_script_tag(url="/static/vendor/axe-core-4.14.1/axe.min.js")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page) -> None:
    """Fail with axe-core's findings when the page breaks WCAG 2.2 AA."""
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


def log_in(page, username: str, password: str = "correct horse battery") -> None:
    """Log in through the form, as a person does, and wait for the welcome."""
    from playwright.sync_api import expect

    page.goto("/-/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as")).to_be_visible()
