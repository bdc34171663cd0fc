"""The venue screen in a browser: readable and accessible, live, and back by itself after a drop."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.programme_camp import (
    free_cell,
    move_on_draft,
    planned_camp,
    publish_head,
)
from wiki.live.hub import stop_hub

SCREEN_OPEN = (
    "() => { const el = document.querySelector('[sse-connect]');"
    " const data = el && el['htmx-internal-data'];"
    " return !!(data && data.sseEventSource && data.sseEventSource.readyState === 1); }"
)


@pytest.fixture
def camp(app, create_user, create_event):
    """Return the schedule camp with v1 published."""
    return planned_camp(app, create_user, create_event, publish=True)


def screen_url(camp, **args) -> str:
    query = "&".join(["at=2026-10-17T10:10", *(f"{k}={v}" for k, v in args.items())])
    return f"/events/{camp.slug}/schedule/screen?{query}"


def publish_a_move(app, camp) -> None:
    """Move one session on the draft and publish the draft as the next version."""
    pitch = camp.pitches[0]
    room, slot = free_cell(app, camp, pitch)
    move_on_draft(app, camp, pitch, room, slot)
    publish_head(app, camp)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (360, 780)])
def test_screen_is_accessible_and_fits(new_page, camp, width, height):
    page = new_page(width, height)
    page.goto(screen_url(camp))
    expect(page.locator("#now-next")).to_contain_text("programme v1")
    assert_accessible(page)
    page.goto(screen_url(camp, room=camp.rooms[1]))
    expect(page.get_by_role("heading", name="Now")).to_be_visible()
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if width == 1920:
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.screen__big')).fontSize)"
        )
        assert size >= 0.03 * width
        assert page.evaluate("document.documentElement.scrollHeight") <= height  # one screen
    assert page.console_errors == []


def test_screen_shows_a_new_version_within_a_second(app, new_page, camp):
    page = new_page(1920, 1080)
    page.goto(screen_url(camp))
    page.wait_for_function(SCREEN_OPEN)
    started = time.monotonic()
    publish_a_move(app, camp)
    expect(page.locator("#now-next")).to_contain_text("programme v2", timeout=1000)
    assert time.monotonic() - started < 1.5
    assert page.console_errors == []


def test_screen_catches_up_by_itself_after_the_network_drops(app, new_page, camp):
    page = new_page(1920, 1080)
    page.goto(screen_url(camp))
    page.wait_for_function(SCREEN_OPEN)
    page.evaluate("window.__same_page = true")
    body = page.locator("#now-next")
    expect(body).to_contain_text("programme v1")

    # The Wi-Fi drops: the open stream ends and nothing reaches the server.
    page.context.set_offline(True)
    stop_hub(app)
    expect(page.locator("#screen-status")).to_have_text("Reconnecting…", timeout=5000)
    publish_a_move(app, camp)  # published while the screen cannot hear it
    # Longer than the stream's retry (2 s): the browser's own reconnect fails and htmx opens
    # a new stream later, which carries no Last-Event-ID, so only a catch-up fetch helps.
    time.sleep(3)
    expect(body).to_contain_text("programme v1")  # the last programme stays up
    page.context.set_offline(False)

    expect(body).to_contain_text("programme v2", timeout=8000)
    expect(page.locator("#screen-status")).to_have_text("")
    assert page.evaluate("window.__same_page") is True  # no reload


def test_screen_catches_up_when_its_new_stream_knows_nothing_of_the_gap(app, new_page, camp):
    page = new_page(1920, 1080)
    page.goto(screen_url(camp))
    page.wait_for_function(SCREEN_OPEN)
    body = page.locator("#now-next")
    expect(body).to_contain_text("programme v1")

    # The browser gives the stream up (as it does on an HTTP error or a network it judges
    # gone), so htmx's SSE extension opens a new one after its backoff: a new stream sends
    # no Last-Event-ID and replays nothing; only the screen's catch-up fetch brings v2.
    page.evaluate(
        "() => { window.__given_up = document.querySelector('[sse-connect]')"
        "['htmx-internal-data'].sseEventSource; window.__given_up.close(); }"
    )
    publish_a_move(app, camp)
    time.sleep(0.5)
    expect(body).to_contain_text("programme v1")
    page.evaluate("() => window.__given_up.onerror(new Event('error'))")

    expect(body).to_contain_text("programme v2", timeout=5000)
    new_stream = SCREEN_OPEN.replace("=== 1", "=== 1 && data.sseEventSource !== window.__given_up")
    assert page.evaluate(new_stream)
