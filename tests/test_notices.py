"""The inbox: notices about programme changes, the unread count, and one e-mail per publish."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.programme_camp import close_voting, free_cell, move_on_draft, plan_draft, publish_head
from tests.schedule_camp import build_camp
from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.models import Event
from wiki.extensions import db
from wiki.notices import services
from wiki.notices.models import Notice
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.schedule import drafts, publishing, versions


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


def _notice(app, user_id, title, lines, *, created_at, read=False, link="/notices") -> int:
    with app.app_context():
        notice = Notice(
            user_id=user_id,
            key=f"test:{title}",
            title=title,
            body="\n".join(lines),
            link=link,
            created_at=created_at,
            read_at=utcnow() if read else None,
        )
        db.session.add(notice)
        db.session.commit()
        return notice.id


def test_the_inbox_is_newest_first_with_the_unread_marked(app, client, auth, create_user):
    user = create_user("kim")
    now = utcnow()
    _notice(app, user.id, "Oldest, unread", ["a"], created_at=now - timedelta(hours=2))
    _notice(app, user.id, "Newest, read", ["b"], created_at=now, read=True)
    _notice(app, user.id, "Middle, unread", ["c"], created_at=now - timedelta(hours=1))
    auth.login("kim")
    page = _text(client.get("/notices"))
    assert page.index("Newest, read") < page.index("Middle, unread") < page.index("Oldest, unread")
    assert "Unread Middle, unread" in page and "Unread Newest" not in page
    assert "2 unread." in page


def test_a_notice_shows_titles_as_emphasis_and_escapes_the_rest(app, client, auth, create_user):
    user = create_user("kim")
    lines = ["*Composting <b>with</b> kids* moved <script>alert(1)</script> to the Hall 11:00."]
    _notice(app, user.id, "The <i>programme</i> changed", lines, created_at=utcnow())
    auth.login("kim")
    page = client.get("/notices").get_data(as_text=True)
    assert "<em>Composting &lt;b&gt;with&lt;/b&gt; kids</em> moved" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "The &lt;i&gt;programme&lt;/i&gt; changed" in page


@pytest.mark.parametrize(
    "link",
    [
        "//evil.example/steal",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\tevil",
    ],
)
def test_a_notice_never_redirects_off_the_site(app, client, auth, create_user, link):
    user = create_user("kim")
    notice_id = _notice(app, user.id, "Odd", ["x"], created_at=utcnow(), link=link)
    auth.login("kim")
    answer = client.get(f"/notices/{notice_id}")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/notices"


def test_a_local_link_is_followed(app, client, auth, create_user):
    user = create_user("kim")
    notice_id = _notice(app, user.id, "Ok", ["x"], created_at=utcnow(), link="/events?x=1#y")
    auth.login("kim")
    assert client.get(f"/notices/{notice_id}").headers["Location"] == "/events?x=1#y"


def test_following_or_reading_touches_only_ones_own_notices(app, client, auth, create_user):
    kim, lee = create_user("kim"), create_user("lee")
    theirs = _notice(app, lee.id, "Lee's", ["x"], created_at=utcnow())
    _notice(app, kim.id, "Kim's", ["x"], created_at=utcnow())
    auth.login("kim")
    assert client.get(f"/notices/{theirs}").status_code == 404
    assert client.post("/notices/read").status_code == 302
    with app.app_context():
        assert db.session.get(Notice, theirs).read_at is None
        assert services.unread_count(db.session.get(User, kim.id)) == 0


def test_the_header_counts_unread_in_one_query_and_none_for_visitors(
    app, client, auth, create_user
):
    user = create_user("kim")
    for n in range(3):
        _notice(app, user.id, f"N{n}", ["x"], created_at=utcnow())
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        if "notices" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert "unread notice" not in _text(client.get("/"))
        assert statements == []
        auth.login("kim")
        statements.clear()
        page = _text(client.get("/"))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert "Inbox 3 unread notices" in page
    assert len(statements) == 1 and "count(" in statements[0].lower()


def test_a_publish_rolled_back_after_it_was_made_sends_no_mail(
    mail_app, smtp_sink, create_user, create_event
):
    app = mail_app
    _, inbox = smtp_sink
    camp = _camp(app, create_user, create_event)
    with app.test_request_context():
        happening = db.session.get(Event, camp.event_id)
        user = db.session.get(User, camp.facilitator_id)
        revision = drafts.get_draft(happening).head_revision
        publishing.publish(happening, user, revision)
        db.session.flush()
        assert inbox.messages == []  # nothing goes before the commit
        db.session.rollback()
    assert inbox.messages == []
    with app.app_context():
        assert db.session.query(Notice).count() == 0
    publish_head(app, camp)  # the same publish, committed, is mailed
    assert inbox.messages


def test_the_unread_count_reads_the_partial_index(app, create_user):
    user = create_user("kim")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the query plan is read from SQLite")
        issued: list[tuple[str, tuple]] = []

        def seen(_conn, _cursor, statement, parameters, *_args):
            issued.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            services.unread_count(db.session.get(User, user.id))
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        statement, parameters = next(s for s in issued if "notices" in s[0])
        plan = db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters
        )
        assert "ix_notices_unread" in " ".join(str(row[-1]) for row in plan)
