"""Publishing from the draft editor: the panel, the question first, refusals in place."""

from __future__ import annotations

import re

import pytest

from tests.programme_camp import (
    free_cell,
    head,
    move_on_draft,
    planned_camp,
    publish_head,
)
from wiki.extensions import db
from wiki.schedule.models import ScheduleVersion


@pytest.fixture
def camp(app, create_user, create_event):
    return planned_camp(app, create_user, create_event)


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


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
