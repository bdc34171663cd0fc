"""Planning an event that is not ready says what is missing and starts nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.dom import parse
from tests.schedule_camp import build_camp
from wiki.extensions import db
from wiki.schedule.models import ScheduleRevision, SolveJob


@pytest.mark.parametrize(
    ("rooms", "slots", "words"),
    [(False, True, "room"), (True, False, "slot")],
    ids=["no rooms", "no session slots"],
)
def test_a_plan_without_rooms_or_slots_says_which_and_starts_no_job(
    app, client, auth, create_user, create_event, rooms, slots, words
):
    camp = build_camp(app, create_user, create_event, rooms=rooms, slots=slots)
    auth.login(camp.facilitator)
    path = f"/events/{camp.slug}/schedule/draft/plan"
    # With htmx the editor answers in place, with a 422 ...
    response = client.post(path, data={"revision": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    status = parse(response.get_data(as_text=True)).find(id="editor-status")
    assert status is not None and words in status.text.lower()
    message = status.text.strip()
    # ... and without JavaScript the editor it sends you back to says the same.
    response = client.post(path, data={"revision": "0"}, follow_redirects=True)
    assert message in " ".join(parse(response.get_data(as_text=True)).text.split())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SolveJob)) == 0
        assert db.session.scalar(select(func.count()).select_from(ScheduleRevision)) == 0
