"""Moderation: reporting content, the facilitators' inbox, hiding, e-mail and the rate limit."""

import logging
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from tests.conftest import free_port
from wiki.accounts.models import Role, User
from wiki.events import announcements
from wiki.events import services as events
from wiki.extensions import db
from wiki.moderation.models import Report
from wiki.pages import services as pages
from wiki.pages.models import Page
from wiki.pitches import services as pitches
from wiki.pitches.models import Comment

EVENT = "/events/govbarcamp-2026"
THANKS = "Thank you. The facilitators have been told; only they can see reports."


@pytest.fixture
def content(app, create_event, create_user):
    """Return ids and addresses of a page, a pitch, a comment and an announcement."""
    create_event(state="voting")
    host = create_user("host", display_name="Hannah Host")
    with app.app_context():
        author = db.session.get(User, host.id)
        event = events.find_event("govbarcamp-2026")
        page = pages.create_page("Picnic plans", "Bring **blankets**.", author).page
        pitch = pitches.create_pitch(
            event, pitches.PitchDetails(title="Rude session title"), author
        )
        comment = pitches.add_comment(pitch, author, "A nasty remark about someone")
        news = announcements.post_announcement(event, "Parking is free", "Mostly.", author)
        db.session.commit()
        pitch_url = f"{EVENT}/pitches/{pitch.id}"
        return SimpleNamespace(
            page=page.id,
            revision=page.current_revision_id,
            pitch=pitch.id,
            comment=comment.id,
            announcement=news.id,
            urls={
                "page": "/wiki/picnic-plans",
                "revision": "/wiki/picnic-plans/-/revisions/1",
                "pitch": pitch_url,
                "comment": pitch_url + "#comments",
                "announcement": EVENT + "#news",
            },
        )


def report(client, target_type, target_id, reason="Not kind to children.", **extra):
    """Send a report the way the form does."""
    data = {"target_type": target_type, "target_id": str(target_id), "reason": reason}
    return client.post("/-/reports", data={**data, **extra})


def stored_reports(app) -> list[Report]:
    with app.app_context():
        found = db.session.scalars(select(Report).order_by(Report.id)).all()
        db.session.expunge_all()
        return found


@pytest.mark.parametrize("kind", ["page", "revision", "pitch", "comment", "announcement"])
def test_report_goes_to_the_facilitators_and_back_to_the_content(
    app, client, auth, content, participant, kind
):
    auth.login(participant)
    target_id = getattr(content, kind)
    form = client.get(f"/-/reports/new?type={kind}&id={target_id}")
    assert form.status_code == 200
    assert "What is wrong?" in form.get_data(as_text=True)

    response = report(client, kind, target_id, "It is unkind.")
    assert response.status_code == 303
    assert response.headers["Location"] == content.urls[kind]
    assert THANKS in client.get(response.headers["Location"]).get_data(as_text=True)
    [saved] = stored_reports(app)
    assert (saved.target_type, saved.target_id, saved.status) == (kind, target_id, "open")
    assert saved.reason == "It is unkind."
    assert saved.reporter_id == participant.id
    assert saved.target_title


def test_report_keeps_the_page_it_came_from(app, client, auth, content, participant):
    auth.login(participant)
    response = report(client, "comment", content.comment, next="/events/govbarcamp-2026/board")
    assert response.headers["Location"] == "/events/govbarcamp-2026/board"
    assert stored_reports(app)[0].target_url == "/events/govbarcamp-2026/board"


@pytest.mark.parametrize(
    "where",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "/" + "a" * 600,
    ],
)
def test_next_cannot_leave_the_site(app, client, auth, content, participant, where):
    auth.login(participant)
    response = report(client, "page", content.page, next=where)
    assert response.status_code == 303
    assert response.headers["Location"] == "/wiki/picnic-plans"
    assert stored_reports(app)[0].target_url == "/wiki/picnic-plans"


def test_report_form_cancel_link_ignores_an_external_next(client, auth, content, participant):
    auth.login(participant)
    body = client.get(
        f"/-/reports/new?type=page&id={content.page}&next=https://evil.example/"
    ).get_data(as_text=True)
    assert 'href="https://evil.example/"' not in body
    assert 'href="/wiki/picnic-plans">Cancel' in body


@pytest.mark.parametrize(
    ("reason", "message"),
    [("   ", "Say what is wrong"), ("x" * 2001, "keep it under 2,000")],
)
def test_bad_report_keeps_what_was_typed(app, client, auth, content, participant, reason, message):
    auth.login(participant)
    response = report(client, "pitch", content.pitch, reason, next="/wiki/picnic-plans")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    if reason.strip():
        assert reason in body
    assert 'value="/wiki/picnic-plans"' in body
    assert stored_reports(app) == []


@pytest.mark.parametrize(
    "query",
    ["type=page&id=999", "type=pitch&id=999", "type=user&id=1", "type=page&id=abc", "type=page"],
)
def test_unknown_target_is_404(client, auth, content, participant, query):
    auth.login(participant)
    assert client.get(f"/-/reports/new?{query}").status_code == 404
    values = parse_qs(query)
    response = report(client, values["type"][0], values.get("id", [""])[0])
    assert response.status_code == 404


def test_hidden_content_cannot_be_reported_by_participants(app, client, auth, content, participant):
    with app.app_context():
        db.session.get(Comment, content.comment).hidden = True
        db.session.commit()
    auth.login(participant)
    assert client.get(f"/-/reports/new?type=comment&id={content.comment}").status_code == 404


def test_anonymous_people_are_asked_to_log_in(app, client, content):
    response = client.get(f"/-/reports/new?type=page&id={content.page}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/-/login?next=")
    response = report(client, "page", content.page)
    assert response.status_code == 302
    assert "/-/login" in response.headers["Location"]
    assert stored_reports(app) == []


def test_report_this_links_everywhere(client, auth, content, participant):
    page = client.get("/wiki/picnic-plans").get_data(as_text=True)
    # Anonymous readers go to log in first, then on to the form.
    assert "/-/login?next=/-/reports/new" in page
    auth.login(participant)
    page = client.get("/wiki/picnic-plans").get_data(as_text=True)
    assert f"/-/reports/new?type=page&amp;id={content.page}&amp;next=/wiki/picnic-plans" in page
    show = client.get(content.urls["pitch"]).get_data(as_text=True)
    assert f"/-/reports/new?type=pitch&amp;id={content.pitch}" in show
    assert f"/-/reports/new?type=comment&amp;id={content.comment}" in show
    news = client.get(EVENT).get_data(as_text=True)
    assert f"/-/reports/new?type=announcement&amp;id={content.announcement}" in news


@pytest.mark.parametrize(
    ("role", "status"), [("participant", 403), ("facilitator", 200), ("admin", 200)]
)
def test_inbox_is_for_facilitators_only(client, auth, create_user, role, status):
    auth.login(create_user("someone", Role(role)))
    assert client.get("/-/reports/").status_code == status


def test_inbox_needs_a_login(client):
    response = client.get("/-/reports/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/-/login")


def test_inbox_shows_open_reports_newest_first(client, auth, content, participant, facilitator):
    auth.login(participant)
    report(client, "page", content.page, "First: the page is rude.")
    report(client, "comment", content.comment, "Second: the comment names a child.")
    auth.logout()
    auth.login(facilitator)
    body = client.get("/-/reports/").get_data(as_text=True)
    assert body.index("Second: the comment") < body.index("First: the page")
    assert "Reported by Priya" in body
    assert 'href="/wiki/picnic-plans">Picnic plans</a>' in body
    assert "Comment by Hannah Host on “Rude session title”" in body


def test_participants_never_see_reports(client, auth, content, participant, create_user):
    other = create_user("sam", display_name="Sam")
    auth.login(other)
    report(client, "page", content.page, "Sam's private worry")
    auth.logout()
    auth.login(participant)
    for path in ("/-/reports/", "/wiki/picnic-plans", "/"):
        body = client.get(path).get_data(as_text=True)
        assert "Sam's private worry" not in body
        assert "Reports (" not in body


def test_menu_counts_open_reports_for_facilitators(client, auth, content, participant, facilitator):
    auth.login(participant)
    report(client, "page", content.page)
    report(client, "pitch", content.pitch)
    assert "Reports" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(facilitator)
    assert "Reports (2)</a>" in client.get("/").get_data(as_text=True)
    client.post("/-/reports/1/dismiss", data={"note": ""})
    assert "Reports (1)</a>" in client.get("/").get_data(as_text=True)
    client.post("/-/reports/2/resolve", data={"note": ""})
    home = client.get("/").get_data(as_text=True)
    assert "Reports</a>" in home and "Reports (" not in home


def test_count_asks_the_database_nothing_for_other_people(app, participant):
    from flask_login import login_user

    from wiki.moderation.views import open_report_count

    statements = []
    with app.test_request_context("/"):
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert open_report_count() == 0
            with app.app_context():
                user = db.session.get(User, participant.id)
            statements.clear()
            login_user(user)
            assert open_report_count() == 0
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert statements == []


def test_resolve_and_dismiss_with_a_note(app, client, auth, content, participant, facilitator):
    auth.login(participant)
    report(client, "page", content.page)
    report(client, "pitch", content.pitch)
    auth.logout()
    auth.login(facilitator)
    response = client.post("/-/reports/1/resolve", data={"note": "Talked to Hannah."})
    assert response.status_code == 303
    assert response.headers["Location"] == "/-/reports/"
    assert client.post("/-/reports/2/dismiss", data={"note": ""}).status_code == 303
    first, second = stored_reports(app)
    assert (first.status, first.resolution_note, first.resolved_by_id) == (
        "resolved",
        "Talked to Hannah.",
        facilitator.id,
    )
    assert first.resolved_at is not None
    assert second.status == "dismissed"
    body = client.get("/-/reports/").get_data(as_text=True)
    assert "Nothing waiting" in body
    assert "resolved by Fran" in body and "Talked to Hannah." in body

    again = client.post("/-/reports/1/dismiss", data={"note": ""}, follow_redirects=True)
    assert "Someone else dealt with that report already." in again.get_data(as_text=True)
    assert stored_reports(app)[0].status == "resolved"


def test_too_long_note_keeps_the_text(app, client, auth, content, participant, facilitator):
    auth.login(participant)
    report(client, "page", content.page)
    auth.logout()
    auth.login(facilitator)
    note = "n" * 501
    response = client.post("/-/reports/1/resolve", data={"note": note})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Keep the note under 500 characters." in body and note in body
    assert stored_reports(app)[0].status == "open"


def test_participants_cannot_handle_reports(app, client, auth, content, participant):
    auth.login(participant)
    report(client, "page", content.page)
    for action in ("resolve", "dismiss", "hide", "unhide"):
        assert client.post(f"/-/reports/1/{action}", data={"note": ""}).status_code == 403
    assert stored_reports(app)[0].status == "open"


def test_unknown_report_is_404(client, auth, facilitator):
    auth.login(facilitator)
    assert client.post("/-/reports/42/resolve", data={"note": ""}).status_code == 404


def _report_then_hide(app, client, auth, participant, facilitator, kind, target_id, note=""):
    auth.login(participant)
    report(client, kind, target_id)
    auth.logout()
    auth.login(facilitator)
    response = client.post("/-/reports/1/hide", data={"note": note})
    assert response.status_code == 303
    assert "is hidden from the public" in client.get("/-/reports/").get_data(as_text=True)
    auth.logout()
    [saved] = stored_reports(app)
    assert saved.status == "resolved" and saved.resolved_by_id == facilitator.id


def test_hiding_a_page_deletes_it_for_readers(app, client, auth, content, participant, facilitator):
    assert client.get("/wiki/picnic-plans").status_code == 200
    _report_then_hide(app, client, auth, participant, facilitator, "page", content.page)
    assert client.get("/wiki/picnic-plans").status_code == 404


def test_hiding_an_old_revision_hides_its_text(
    app, client, auth, content, participant, facilitator, create_user
):
    with app.app_context():
        page = db.session.get(Page, content.page)
        editor = db.session.get(User, create_user("sam").id)
        pages.save_page(
            page, page.title, "Bring blankets.", editor, base_revision_id=page.current_revision_id
        )
        db.session.commit()
    _report_then_hide(
        app, client, auth, participant, facilitator, "revision", content.revision, "Abuse"
    )
    old = client.get("/wiki/picnic-plans/-/revisions/1").get_data(as_text=True)
    assert "<strong>blankets</strong>" not in old
    assert "Bring blankets." in client.get("/wiki/picnic-plans").get_data(as_text=True)


def test_hiding_the_current_revision_puts_back_the_last_good_text(
    app, client, auth, content, participant, facilitator, create_user
):
    with app.app_context():
        page = db.session.get(Page, content.page)
        vandal = db.session.get(User, create_user("vandal").id)
        outcome = pages.save_page(
            page, page.title, "Something vile", vandal, base_revision_id=page.current_revision_id
        )
        db.session.commit()
        bad = outcome.revision.id
    assert "Something vile" in client.get("/wiki/picnic-plans").get_data(as_text=True)
    _report_then_hide(app, client, auth, participant, facilitator, "revision", bad)
    page = client.get("/wiki/picnic-plans").get_data(as_text=True)
    assert "Something vile" not in page and "blankets" in page
    revision = client.get("/wiki/picnic-plans/-/revisions/2").get_data(as_text=True)
    assert "Something vile" not in revision


def test_hiding_the_only_revision_takes_the_page_down(
    app, client, auth, content, participant, facilitator
):
    _report_then_hide(app, client, auth, participant, facilitator, "revision", content.revision)
    assert client.get("/wiki/picnic-plans").status_code == 404


def test_hiding_a_pitch_declines_it_with_the_note(
    app, client, auth, content, participant, facilitator
):
    _report_then_hide(
        app, client, auth, participant, facilitator, "pitch", content.pitch, "Not for a family day."
    )
    body = client.get(content.urls["pitch"]).get_data(as_text=True)
    assert "Declined by the facilitators: Not for a family day." in body


def test_hiding_a_pitch_without_a_note_gives_a_reason(
    app, client, auth, content, participant, facilitator
):
    _report_then_hide(app, client, auth, participant, facilitator, "pitch", content.pitch)
    body = client.get(content.urls["pitch"]).get_data(as_text=True)
    assert "It does not follow the code of conduct." in body


def test_hidden_comment_is_gone_and_can_come_back(
    app, client, auth, content, participant, facilitator
):
    assert "A nasty remark" in client.get(content.urls["pitch"]).get_data(as_text=True)
    _report_then_hide(app, client, auth, participant, facilitator, "comment", content.comment)
    assert "A nasty remark" not in client.get(content.urls["pitch"]).get_data(as_text=True)

    auth.login(facilitator)
    inbox = client.get("/-/reports/").get_data(as_text=True)
    assert "hidden from the public" in inbox and "Show again" in inbox
    assert client.post("/-/reports/1/unhide").status_code == 303
    auth.logout()
    assert "A nasty remark" in client.get(content.urls["pitch"]).get_data(as_text=True)


def test_hidden_announcement_is_gone_and_can_come_back(
    app, client, auth, content, participant, facilitator
):
    assert "Parking is free" in client.get(EVENT).get_data(as_text=True)
    _report_then_hide(
        app, client, auth, participant, facilitator, "announcement", content.announcement
    )
    assert "Parking is free" not in client.get(EVENT).get_data(as_text=True)
    assert "Parking is free" not in client.get(EVENT + "/news.atom").get_data(as_text=True)

    auth.login(facilitator)
    client.post("/-/reports/1/unhide")
    auth.logout()
    assert "Parking is free" in client.get(EVENT).get_data(as_text=True)


def test_hiding_resolves_every_report_about_it(
    app, client, auth, content, participant, facilitator, create_user
):
    auth.login(participant)
    report(client, "comment", content.comment)
    report(client, "page", content.page)
    auth.logout()
    auth.login(create_user("sam"))
    report(client, "comment", content.comment, "Me too")
    auth.logout()
    auth.login(facilitator)
    client.post("/-/reports/3/hide", data={"note": ""})
    statuses = [r.status for r in stored_reports(app)]
    assert statuses == ["resolved", "open", "resolved"]


def test_hiding_something_gone_is_404(app, client, auth, content, participant, facilitator):
    auth.login(participant)
    report(client, "comment", content.comment)
    with app.app_context():
        db.session.delete(db.session.get(Comment, content.comment))
        db.session.commit()
    auth.logout()
    auth.login(facilitator)
    assert "It no longer exists." in client.get("/-/reports/").get_data(as_text=True)
    assert client.post("/-/reports/1/hide", data={"note": ""}).status_code == 404
    assert client.post("/-/reports/1/resolve", data={"note": ""}).status_code == 303


def test_reporting_is_rate_limited(app, client, auth, content, participant):
    auth.login(participant)
    for n in range(10):
        assert report(client, "page", content.page, f"Report {n}").status_code == 303
    response = report(client, "page", content.page, "One more thing I noticed")
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "10 per 1 hour" in body and "tell a facilitator in person" in body
    assert "One more thing I noticed" in body
    assert response.headers["Retry-After"]
    assert len(stored_reports(app)) == 10


def test_facilitators_with_an_address_are_emailed(make_app, smtp_sink, create_user):
    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    create_user("fran", Role.FACILITATOR, email="fran@example.org")
    create_user("olu", Role.ADMIN, email="olu@example.org")
    create_user("nomail", Role.FACILITATOR)
    create_user("pat", Role.PARTICIPANT, email="pat@example.org")
    with app.app_context():
        author = db.session.get(User, create_user("host").id)
        page = pages.create_page("Picnic plans", "Hello", author).page
        db.session.commit()
        page_id = page.id
    client = app.test_client()
    client.post("/-/login", data={"username": "pat", "password": "correct horse battery"})
    response = report(client, "page", page_id, "Secret details about a child")
    assert response.status_code == 303
    assert sorted(m["To"] for m in inbox.messages) == ["fran@example.org", "olu@example.org"]
    body = inbox.messages[0].get_payload()
    assert "Picnic plans" in body and "http://localhost/-/reports/" in body
    # What was said stays behind the login.
    assert "Secret details" not in body


def test_no_mail_when_the_report_fails(make_app, smtp_sink, create_user):
    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    create_user("fran", Role.FACILITATOR, email="fran@example.org")
    client = app.test_client()
    client.post("/-/login", data={"username": "fran", "password": "correct horse battery"})
    assert report(client, "page", 1).status_code == 404
    assert inbox.messages == []


def test_mail_failure_never_fails_the_report(make_app, create_user, caplog):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listening
    create_user("fran", Role.FACILITATOR, email="fran@example.org")
    create_user("pat")
    with app.app_context():
        author = db.session.get(User, create_user("host").id)
        page_id = pages.create_page("Picnic plans", "Hello", author).page.id
        db.session.commit()
    client = app.test_client()
    client.post("/-/login", data={"username": "pat", "password": "correct horse battery"})
    with caplog.at_level(logging.WARNING):
        response = report(client, "page", page_id)
    assert response.status_code == 303
    assert len(stored_reports(app)) == 1
    assert "Could not e-mail the facilitators" in caplog.text


def test_report_form_links_the_code_of_conduct(client, auth, content, participant):
    auth.login(participant)
    body = client.get(f"/-/reports/new?type=page&id={content.page}").get_data(as_text=True)
    assert 'href="/wiki/code-of-conduct">code of conduct</a>' in body


def test_report_needs_the_csrf_token(app, client, auth, content, participant):
    auth.login(participant)
    data = {"target_type": "page", "target_id": str(content.page), "reason": "x"}
    assert client.post("/-/reports", data=data, csrf=False).status_code == 400
    assert stored_reports(app) == []


def test_login_link_from_report_button_leads_to_the_form(client, content, participant):
    page = client.get("/wiki/picnic-plans").get_data(as_text=True)
    start = page.index("/-/login?next=")
    href = page[start : page.index('"', start)].replace("&amp;", "&")
    next_url = parse_qs(urlsplit(href).query)["next"][0]
    response = client.post(
        href, data={"username": "priya", "password": "correct horse battery", "next": next_url}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == next_url
    assert client.get(next_url).status_code == 200


def test_mail_waits_for_the_commit(make_app, smtp_sink, create_user):
    from wiki.moderation import services

    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    create_user("fran", Role.FACILITATOR, email="fran@example.org")
    pat = create_user("pat")
    with app.test_request_context("/"):
        author = db.session.get(User, pat.id)
        page = pages.create_page("Picnic plans", "Hello", author).page
        db.session.commit()
        target = services.find_target("page", page.id, staff=False)
        services.file_report(target, "Rolled back", author)
        assert inbox.messages == []
        db.session.rollback()
        db.session.commit()
        assert inbox.messages == []
        services.file_report(target, "Kept", author)
        db.session.commit()
        assert len(inbox.messages) == 1
        db.session.commit()
    assert len(inbox.messages) == 1
