"""A page's history on a 360 px phone: who, when and why of each revision, no sideways scroll."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.pages import services

SUMMARIES = [
    "Started the packing list for the whole family weekend",
    "Added tents, torches and the long list of things the children asked to bring along",
    "Fixed a typo",
]


def test_history_fits_a_phone_and_shows_who_when_and_why(app, new_page, create_user):
    author = create_user("alexandra", display_name="Alexandra Featherstonehaugh-Smythe")
    with app.app_context():
        by = db.session.get(User, author.id)
        page = services.create_page("Packing list", "Bring:\n", by, summary=SUMMARIES[0]).page
        for n, summary in enumerate(SUMMARIES[1:], start=2):
            services.save_page(
                page,
                page.title,
                "Bring:\n" + "- a thing\n" * n,
                by,
                summary,
                base_revision_id=page.current_revision_id,
            )
        db.session.commit()

    phone = new_page(width=360)
    phone.goto("/wiki/packing-list/-/history")
    rows = phone.locator("table.history tbody tr")
    expect(rows).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for index, summary in enumerate(reversed(SUMMARIES)):
        row = rows.nth(index)
        parts = {
            "who": row.get_by_role("link", name="Alexandra Featherstonehaugh-Smythe"),
            "when": row.locator("time"),
            "summary": row.get_by_text(summary),
        }
        for name, part in parts.items():
            expect(part).to_be_visible()
            box = part.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (
                f"revision {3 - index}: the {name} needs a sideways scroll: {box}"
            )
    # The columns stay a table to assistive technology, and the page passes axe.
    assert phone.get_by_role("columnheader", name="Summary").count() == 1
    assert phone.get_by_role("cell").count() >= 18
    assert_accessible(phone)
