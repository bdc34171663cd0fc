"""Publishing from the draft editor: the panel, the question first, refusals in place."""

from __future__ import annotations

import re

import pytest

from tests.programme_camp import (
    close_voting,
    free_cell,
    head,
    move_on_draft,
    planned_camp,
    publish_head,
)
from tests.schedule_camp import build_camp
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.schedule.models import ScheduleVersion


@pytest.fixture
def camp(app, create_user, create_event):
    return planned_camp(app, create_user, create_event)


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _publish(client, camp, revision, **headers):
    return client.post(
        f"/events/{camp.slug}/schedule/draft/publish", data={"revision": revision}, headers=headers
    )


HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def _versions(app) -> int:
    with app.app_context():
        return db.session.query(ScheduleVersion).count()


def test_a_participant_cannot_publish(app, camp, client, auth, create_user):
    create_user("pat")
    auth.login("pat")
    answer = client.post(f"/events/{camp.slug}/schedule/draft/publish", data={"revision": 1})
    assert answer.status_code == 403
    assert _versions(app) == 0


def test_the_editor_asks_first_then_publishes_and_says_who_was_told(app, camp, client, auth):
    auth.login(camp.facilitator)
    editor_page = _text(client.get(f"/events/{camp.slug}/schedule/draft"))
    assert "Nothing is published yet" in editor_page
    assert "Publish v1…" in editor_page
    ask = client.get(f"/events/{camp.slug}/schedule/draft/publish")
    assert "Publish the grid as v1?" in _text(ask)
    answer = client.post(
        f"/events/{camp.slug}/schedule/draft/publish",
        data={"revision": head(app, camp)},
        follow_redirects=True,
    )
    assert answer.request.path == f"/events/{camp.slug}/schedule"
    assert re.search(r"Published v1: \d+ (people|person) told", _text(answer))
    assert _versions(app) == 1


def test_a_stale_revision_is_refused_without_a_version(app, camp, client, auth):
    auth.login(camp.facilitator)
    answer = client.post(
        f"/events/{camp.slug}/schedule/draft/publish", data={"revision": head(app, camp) - 1}
    )
    assert answer.status_code == 409
    assert "The draft changed since you looked" in _text(answer)
    assert 'id="publish-error"' in answer.get_data(as_text=True)
    assert "Publish v1…" in _text(answer)  # asked again, on the draft as it is now
    assert _versions(app) == 0


def test_a_broken_rule_is_refused_with_what_to_mend(app, camp, client, auth):
    move_on_draft(app, camp, camp.kid_pitch_id, camp.rooms[1], camp.session_slots[0])
    auth.login(camp.facilitator)
    page = _text(client.get(f"/events/{camp.slug}/schedule/draft"))
    assert "Mend the broken rules above before publishing" in page
    assert "Publish v1…" not in page
    answer = client.post(
        f"/events/{camp.slug}/schedule/draft/publish", data={"revision": head(app, camp)}
    )
    assert answer.status_code == 422
    assert "cannot be published. Mend:" in _text(answer)
    assert _versions(app) == 0


def test_after_a_move_the_editor_shows_what_would_change(app, camp, client, auth):
    publish_head(app, camp)
    auth.login(camp.facilitator)
    assert "Nothing has changed since v1" in _text(
        client.get(f"/events/{camp.slug}/schedule/draft")
    )
    room, slot = free_cell(app, camp, camp.pitches[0])
    move_on_draft(app, camp, camp.pitches[0], room, slot)
    page = _text(client.get(f"/events/{camp.slug}/schedule/draft"))
    assert "What publishing now would change against v1" in page
    assert "Session idea 1 moved from" in page
    assert "Publish v2…" in page


def test_an_empty_grid_says_so_and_is_not_published(app, client, auth, create_user, create_event):
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    auth.login(camp.facilitator)
    page = _text(client.get(f"/events/{camp.slug}/schedule/draft"))
    assert "The grid is empty: plan it or place some sessions before publishing" in page
    assert "Publish v1…" not in page
    answer = _publish(client, camp, head(app, camp))
    assert answer.status_code == 422
    assert "Not published The grid is empty" in _text(answer)
    assert _versions(app) == 0


def test_publishing_while_voting_is_open_is_refused(app, camp, client, auth):
    with app.app_context():
        db.session.get(Event, camp.event_id).state = EventState.VOTING
        db.session.commit()
    auth.login(camp.facilitator)
    answer = _publish(client, camp, head(app, camp))
    assert answer.status_code == 422
    assert "Close voting before publishing" in _text(answer)
    assert _versions(app) == 0


def test_a_second_version_says_how_many_changes_and_how_many_people_were_told(
    app, camp, client, auth
):
    publish_head(app, camp)
    room, slot = free_cell(app, camp, camp.pitches[0])
    move_on_draft(app, camp, camp.pitches[0], room, slot)
    auth.login(camp.facilitator)
    answer = client.post(
        f"/events/{camp.slug}/schedule/draft/publish",
        data={"revision": head(app, camp)},
        follow_redirects=True,
    )
    said = re.search(r"Published v2: (\d+) changes?; (\d+) (people|person) told", _text(answer))
    assert said is not None
    assert int(said[1]) >= 1 and int(said[2]) >= 1  # at least its host heard
    assert _versions(app) == 2
    editor_page = _text(client.get(f"/events/{camp.slug}/schedule/draft"))
    assert "Published: v2" in editor_page and "Nothing has changed since v2" in editor_page


def test_the_boosted_dialog_form_publishes_and_goes_to_the_programme(app, camp, client, auth):
    auth.login(camp.facilitator)
    answer = _publish(client, camp, head(app, camp), **BOOSTED)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/events/{camp.slug}/schedule"
    assert _versions(app) == 1


def test_an_htmx_publish_sends_the_whole_page_to_the_programme(app, camp, client, auth):
    auth.login(camp.facilitator)
    answer = _publish(client, camp, head(app, camp), **HTMX)
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == f"/events/{camp.slug}/schedule"
    assert _versions(app) == 1
    assert "Published v1" in _text(client.get(f"/events/{camp.slug}/schedule"))


def test_an_htmx_refusal_answers_the_editor_fragment_with_the_reason(app, camp, client, auth):
    auth.login(camp.facilitator)
    answer = _publish(client, camp, head(app, camp) - 1, **HTMX)
    assert answer.status_code == 409
    body = answer.get_data(as_text=True)
    assert "<html" not in body and 'id="publish-error"' in body
    assert 'hx-swap-oob="innerHTML">The draft changed since you looked' in body
    assert _versions(app) == 0
