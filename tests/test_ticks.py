"""Ticking a task on a wiki page: it keeps the reader's place, says it saved, and signs it."""

from __future__ import annotations

import pytest

from tests.dom import parse, top_level
from tests.helpers import Auth
from wiki.extensions import db
from wiki.pages import services
from wiki.pages.proposal import proposal_text

BODY = "Bring:\n\n- [ ] Tent\n- [ ] Torch\n"


@pytest.fixture
def packing_list(client, auth, participant) -> str:
    """Log Priya in on a page with two tasks; return its URL."""
    auth.login(participant)
    response = client.post("/-/new", data={"title": "Packing list", "body": BODY})
    assert response.status_code == 303
    return "/wiki/packing-list"


def base_revision(app, slug="packing-list") -> str:
    with app.app_context():
        return str(services.find_page(slug).current_revision_id)


def tick(client, url, task, base, htmx=False):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost" + url} if htmx else {}
    return client.post(f"{url}/-/tick", data={"task": task, "base_revision": base}, headers=headers)


def body_of(app, slug="packing-list") -> str:
    with app.app_context():
        return services.find_page(slug).current_revision.body


def test_without_javascript_a_tick_comes_back_to_the_task_and_says_it_saved(
    app, client, packing_list
):
    response = tick(client, packing_list, "1:1", base_revision(app))
    assert response.status_code == 303
    assert response.headers["Location"] == f"{packing_list}#task-1"
    page = parse(client.get(response.headers["Location"]).get_data(as_text=True))
    task = page.by_id("task-1")
    assert task.attrs["aria-pressed"] == "true"
    item = next(li for li in page.find_all("li") if task in li.children)
    assert page.by_id("task-saved") in item.children
    assert page.by_id("task-saved").text == "Saved, with your name"
    assert "Torch — ticked by Priya" in item.text
    again = parse(client.get(packing_list).get_data(as_text=True))
    assert again.maybe("task-saved") is None  # said once, not on every later visit


def test_with_htmx_a_tick_answers_the_page_body_and_a_status(app, client, packing_list):
    old_base = base_revision(app)
    response = tick(client, packing_list, "0:1", old_base, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    first, status = top_level(html)
    assert first.attrs["id"] == "page-body" and not first.has("hx-swap-oob")
    assert status.attrs == {"id": "task-status", "hx-swap-oob": "innerHTML"}
    assert status.text == "Saved: “Tent — ticked by Priya”."
    tree = parse(html)
    assert tree.by_id("task-0").attrs["aria-label"] == "Untick: Tent — ticked by Priya"
    assert tree.by_id("task-saved").text == "Saved, with your name"
    form = tree.by_id("task-form")
    assert form.attrs["hx-post"] == form.attrs["action"] == f"{packing_list}/-/tick"
    assert form.attrs["hx-target"] == "#page-body"
    new_base = form.find_all("input", name="base_revision")[0].attrs["value"]
    assert new_base == base_revision(app) != old_base
    assert body_of(app) == "Bring:\n\n- [x] Tent — ticked by Priya\n- [ ] Torch\n"

    untick = tick(client, packing_list, "0:0", new_base, htmx=True)
    assert parse(untick.get_data(as_text=True)).by_id("task-status").text == (
        "Saved: “Tent” is unticked."
    )
    assert body_of(app) == BODY


def test_the_page_has_one_polite_status_for_ticks_outside_what_is_swapped(client, packing_list):
    page = parse(client.get(packing_list).get_data(as_text=True))
    status = page.by_id("task-status")
    assert status.attrs["role"] == "status"
    assert status not in list(page.by_id("page-body").iter())


def test_a_tick_that_clashes_says_so_beside_the_task(app, client, packing_list, create_user):
    stale = base_revision(app)
    sam = app.test_client()
    Auth(sam).login(create_user("sam", display_name="Sam"))
    assert tick(sam, packing_list, "1:1", stale).status_code == 303
    response = tick(client, packing_list, "1:1", stale, htmx=True)  # Priya's page was stale
    assert response.status_code == 409
    tree = parse(response.get_data(as_text=True))
    assert tree.by_id("task-status").text.startswith("Not saved: someone changed that task")
    assert "task-saved--error" in tree.by_id("task-saved").attrs["class"]
    assert tree.by_id("task-1").attrs["aria-label"] == "Untick: Torch — ticked by Sam"
    assert body_of(app) == "Bring:\n\n- [ ] Tent\n- [x] Torch — ticked by Sam\n"


def test_proposal_template_promises_the_name_and_the_tick_adds_it(app, client, auth, participant):
    text = proposal_text("GovBarCamp")
    assert "add your name" not in text
    assert "Tick a task when you take it on: your name is added to it" in text
    auth.login(participant)
    client.post("/-/new", data={"title": "GovBarCamp proposal", "body": text})
    slug = "govbarcamp-proposal"
    page = parse(client.get(f"/wiki/{slug}").get_data(as_text=True))
    venue = page.by_id("task-0")
    assert venue.attrs["aria-label"] == "Tick: Find and book the venue"
    tick(client, f"/wiki/{slug}", "0:1", base_revision(app, slug))
    assert "- [x] Find and book the venue — ticked by Priya\n" in body_of(app, slug)
    with app.app_context():
        assert services.find_page(slug).current_revision.summary == (
            "Ticked: Find and book the venue"
        )
        db.session.rollback()
