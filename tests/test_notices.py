"""The inbox: notices about programme changes, the unread count, and one e-mail per publish."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.programme_camp import close_voting, free_cell, move_on_draft, plan_draft, publish_head
from tests.schedule_camp import build_camp
from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.models import Event
from wiki.extensions import db
from wiki.notices import services
from wiki.notices.models import Notice
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.schedule import publishing, versions


@pytest.fixture
def mail_app(make_app, smtp_sink):
    controller, _ = smtp_sink
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)


def _text(response) -> str:
    """The page's words, as a screen reader reads them run together."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _camp(app, create_user, create_event):
    camp = build_camp(app, create_user, create_event)
    close_voting(app, camp)
    plan_draft(app, camp)
    with app.app_context():
        for n, user_id in enumerate([*camp.hosts, *camp.voters, camp.guardian_id]):
            user = db.session.get(User, user_id)
            user.email = f"person{n}@camp.example"
            user.email_confirmed_at = utcnow()
        db.session.commit()
    return camp


@pytest.fixture
def camp(app, create_user, create_event):
    return _camp(app, create_user, create_event)


def _dotted_by_one_voter(app, camp, count=2):
    """Return a voter and ``count`` scheduled pitches they dotted."""
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        placed = {s.pitch_id for s in versions.programme(versions.latest(event)).sessions}
        for voter in camp.voters:
            pitches = [
                p
                for (p,) in db.session.execute(
                    select(Dot.pitch_id)
                    .join(Ballot, Ballot.id == Dot.ballot_id)
                    .where(Ballot.user_id == voter, Dot.count > 0)
                )
                if p in placed
            ]
            if len(pitches) >= count:
                return voter, pitches[:count]
    raise AssertionError("no voter dotted enough scheduled sessions")


def test_inbox_lists_notices_and_the_header_counts_unread(app, camp, client, auth):
    publish_head(app, camp)
    with app.app_context():
        host = db.session.get(User, camp.hosts[0])
    auth.login(host.username)
    page = client.get("/notices").get_data(as_text=True)
    assert "the programme is published" in page
    assert "<em>Session idea 1</em> is in" in page
    assert "Inbox 1 unread notice" in _text(client.get("/"))
    client.post("/notices/read")
    assert "unread notice" not in _text(client.get("/"))


def test_following_a_notice_marks_it_read_and_stays_on_the_site(app, camp, client, auth):
    publish_head(app, camp)
    with app.app_context():
        notice = db.session.query(Notice).filter_by(user_id=camp.hosts[0]).one()
        host = db.session.get(User, camp.hosts[0])
        notice_id = notice.id
        notice.link = "//evil.example/steal"
        db.session.commit()
    auth.login(host.username)
    answer = client.get(f"/notices/{notice_id}")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/notices"
    with app.app_context():
        assert db.session.get(Notice, notice_id).read_at is not None


def test_someone_elses_notice_is_not_found(app, camp, client, auth, create_user):
    publish_head(app, camp)
    with app.app_context():
        notice_id = db.session.query(Notice).filter_by(user_id=camp.hosts[0]).one().id
    create_user("nosy")
    auth.login("nosy")
    assert client.get(f"/notices/{notice_id}").status_code == 404
    assert client.get("/notices").status_code == 200


def test_the_inbox_needs_a_login(client):
    assert client.get("/notices").status_code == 302


def test_one_mail_per_publish_bundles_every_change_and_is_never_sent_twice(
    mail_app, smtp_sink, create_user, create_event
):
    app = mail_app
    _, inbox = smtp_sink
    camp = _camp(app, create_user, create_event)
    publish_head(app, camp)
    voter, (first, second) = _dotted_by_one_voter(app, camp)
    for pitch in (first, second):
        room, slot = free_cell(app, camp, pitch)
        move_on_draft(app, camp, pitch, room, slot)
    inbox.messages.clear()
    publish_head(app, camp)
    with app.app_context():
        user = db.session.get(User, voter)
        titles = [db.session.get(Pitch, p).title for p in (first, second)]
        theirs = [m for m in inbox.messages if m["To"] == user.email]
        assert len(theirs) == 1
        body = theirs[0].get_payload(decode=True).decode()
        for title in titles:
            assert title in body
        ids = [n.id for n in db.session.query(Notice).filter(Notice.key.like("%:v2"))]
        assert services.send_unmailed(app, ids, site="Camp", base_url="http://x/") == 0
    assert len([m for m in inbox.messages if m["To"] == user.email]) == 1


def test_a_refused_publish_sends_nothing_and_leaves_no_notice(
    mail_app, smtp_sink, create_user, create_event
):
    app = mail_app
    _, inbox = smtp_sink
    camp = _camp(app, create_user, create_event)
    publish_head(app, camp)
    inbox.messages.clear()
    with pytest.raises(publishing.PublishError):
        publish_head(app, camp)  # nothing changed
    with app.app_context():
        assert db.session.query(Notice).filter(Notice.key.like("%:v2")).count() == 0
    assert inbox.messages == []


def test_no_mail_to_an_unconfirmed_address(mail_app, smtp_sink, create_user, create_event):
    app = mail_app
    _, inbox = smtp_sink
    camp = _camp(app, create_user, create_event)
    with app.app_context():
        host = db.session.get(User, camp.hosts[0])
        host.email_confirmed_at = None
        address = host.email
        db.session.commit()
    publish_head(app, camp)
    assert address not in [m["To"] for m in inbox.messages]
    assert inbox.messages  # the confirmed hosts were mailed
    with app.app_context():
        assert db.session.query(Notice).filter_by(user_id=camp.hosts[0]).count() == 1
