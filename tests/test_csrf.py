"""The global CSRF protection holds in every route family: no token, no change.

The views carry no CSRF checks of their own (``CSRFProtect`` covers every POST), so each
blueprint gets one state-changing POST sent without a token: it answers 400 with the
security-token page, and the database shows nothing changed.
"""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.programme_camp import close_voting, head, plan_draft, publish_head
from tests.schedule_camp import build_camp
from wiki.accounts.models import User
from wiki.attachments.models import Attachment
from wiki.auth import Role
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.moderation.models import Report
from wiki.notices.models import Notice
from wiki.pages import services as pages
from wiki.pages.models import Page
from wiki.pitches.models import Pitch
from wiki.schedule.models import Room, ScheduleVersion, SolveJob, Star


@pytest.fixture
def app(make_app) -> Flask:
    """The app with CSRF protection on, as in production, whatever the defaults say."""
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def page(app, participant) -> Page:
    with app.app_context():
        made = pages.create_page("Venue", "Where we meet.", db.session.get(User, participant.id))
        db.session.commit()
        db.session.expunge_all()
        return made.page


def refused(response) -> bool:
    return response.status_code == 400 and "security token" in response.get_data(as_text=True)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_accounts_register_without_token_makes_no_account(app, client):
    data = {"username": "newcomer", "password": "a long enough passphrase"}
    data["invite_code"] = app.config["INVITE_CODE"]
    assert refused(client.post("/-/register", data=data, csrf=False))
    assert count(app, User) == 0


def test_admin_role_change_without_token_keeps_the_role(app, client, auth, admin, participant):
    auth.login(admin)
    path = f"/-/admin/users/{participant.id}/role"
    assert refused(client.post(path, data={"role": "facilitator"}, csrf=False))
    with app.app_context():
        assert db.session.get(User, participant.id).role == Role.PARTICIPANT


def test_events_state_change_without_token_keeps_the_state(
    app, client, auth, facilitator, create_event
):
    event = create_event()
    auth.login(facilitator)
    response = client.post(f"/events/{event.slug}/state", data={"to": "voting"}, csrf=False)
    assert refused(response)
    with app.app_context():
        assert db.session.get(Event, event.id).state == EventState.REGISTRATION


def test_pitches_new_without_token_makes_no_pitch(app, client, auth, participant, create_event):
    event = create_event()
    auth.login(participant)
    data = {"title": "Den building", "format": "talk", "length_slots": "1"}
    assert refused(client.post(f"/events/{event.slug}/pitches/new", data=data, csrf=False))
    assert count(app, Pitch) == 0


def test_pages_delete_without_token_keeps_the_page(app, client, auth, facilitator, page):
    auth.login(facilitator)
    assert refused(client.post(f"/wiki/{page.slug}/-/delete", csrf=False))
    with app.app_context():
        assert db.session.get(Page, page.id).deleted_at is None


def test_attachments_upload_without_token_stores_no_file(app, client, auth, participant, page):
    auth.login(participant)
    data = {"file": (io.BytesIO(b"%PDF-1.4\n"), "map.pdf")}
    response = client.post(f"/wiki/{page.slug}/-/attachments", data=data, csrf=False)
    assert refused(response)
    assert count(app, Attachment) == 0


def test_moderation_report_without_token_files_no_report(app, client, auth, participant, page):
    auth.login(participant)
    data = {"target_type": "page", "target_id": str(page.id), "reason": "Not kind."}
    assert refused(client.post("/-/reports", data=data, csrf=False))
    assert count(app, Report) == 0


def test_schedule_rooms_without_token_add_no_room(app, client, auth, create_user, create_event):
    camp = build_camp(app, create_user, create_event)
    rooms = count(app, Room)
    auth.login(camp.facilitator)
    data = {"rows-0-name": "Library", "rows-0-capacity": "12", "action": "save"}
    assert refused(client.post(f"/events/{camp.slug}/schedule/rooms", data=data, csrf=False))
    assert count(app, Room) == rooms


def test_drafts_plan_without_token_starts_no_solve(app, client, auth, create_user, create_event):
    camp = build_camp(app, create_user, create_event)
    auth.login(camp.facilitator)
    response = client.post(f"/events/{camp.slug}/schedule/draft/plan", data={}, csrf=False)
    assert refused(response)
    assert count(app, SolveJob) == 0


def test_drafts_publish_without_token_makes_no_version(
    app, client, auth, create_user, create_event
):
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    plan_draft(app, camp)
    auth.login(camp.facilitator)
    data = {"revision": str(head(app, camp))}
    response = client.post(f"/events/{camp.slug}/schedule/draft/publish", data=data, csrf=False)
    assert refused(response)
    assert count(app, ScheduleVersion) == 0


def test_notices_read_without_token_marks_nothing_read(
    app, client, auth, create_user, create_event
):
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    plan_draft(app, camp)
    publish_head(app, camp)
    with app.app_context():
        host = db.session.get(User, camp.hosts[0]).username
    auth.login(host)
    assert refused(client.post("/notices/read", data={}, csrf=False))
    with app.app_context():
        assert db.session.query(Notice).filter(Notice.read_at.is_not(None)).count() == 0


def test_programme_star_without_token_stars_nothing(app, client, auth, create_user, create_event):
    camp = build_camp(app, create_user, create_event)
    auth.login(camp.facilitator)
    path = f"/events/{camp.slug}/schedule/sessions/{camp.pitches[0]}/star"
    assert refused(client.post(path, data={}, csrf=False))
    assert count(app, Star) == 0


def test_every_blueprint_that_takes_a_post_has_a_test_here(app):
    """A new route family that changes state gets its CSRF test in this file."""
    tested = {"accounts", "admin", "events", "pitches", "pages", "attachments", "moderation"}
    tested |= {"schedule", "drafts", "notices", "programme"}
    posting = {
        rule.endpoint.partition(".")[0]
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and "." in rule.endpoint
    }
    assert posting <= tested
