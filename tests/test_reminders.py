"""Reminders: a week before and the day before, once each, only to households coming."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from wiki.accounts.models import User
from wiki.events import reminders, rsvps
from wiki.events import services as events
from wiki.events.models import Rsvp, RsvpStatus
from wiki.extensions import db

SLUG = "govbarcamp-2026"
# The create_event fixture's event starts on Saturday 17 October 2026, 10:00 in London.
STARTS = datetime(2026, 10, 17, 9, 0, tzinfo=UTC)


@pytest.fixture
def mail_app(make_app, smtp_sink):
    controller, _ = smtp_sink
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)


@pytest.fixture
def households(mail_app, create_event, create_user):
    """Ann is coming (two adults and Maya); Bob waits; Cat cancelled; Dan never confirmed."""
    create_event(
        capacity=4,
        venue_name="Village hall",
        venue_address="1 High Street\nAmbridge",
        directions="Buses 12 and 14 stop outside. Step-free entrance at the side.",
        map_url="https://www.openstreetmap.org/#map=18/52.0/-1.0",
    )
    people = {
        name: create_user(
            name,
            display_name=name.capitalize(),
            email=f"{name}@example.org",
            confirmed=name != "dan",
        )
        for name in ("ann", "bob", "cat", "dan")
    }
    with mail_app.test_request_context("/", method="POST"):
        event = events.find_event(SLUG)

        def rsvp(name, adults, children=()):
            user = db.session.get(User, people[name].id)
            details = rsvps.RsvpDetails(
                adults=adults,
                children=[rsvps.ChildDetails(c, "5-8") for c in children],
                accepted_conduct=True,
            )
            rsvps.save_rsvp(event, user, details)

        rsvp("ann", 2, ["Maya"])
        rsvp("dan", 1)
        rsvp("bob", 2)  # the event is full: Bob waits
        rsvp("cat", 1)
        rsvps.cancel_rsvp(event, db.session.get(User, people["cat"].id))
        db.session.commit()
        statuses = dict(db.session.execute(select(Rsvp.user_id, Rsvp.status)).all())
        assert statuses[people["bob"].id] == RsvpStatus.WAITING
    return people


def run(app, now):
    with app.app_context():
        sent = reminders.send_reminders(now)
        db.session.commit()
        return sent


def test_a_week_ahead_then_the_day_before_each_once(mail_app, smtp_sink, households):
    _, inbox = smtp_sink
    assert run(mail_app, STARTS - timedelta(days=8)) == reminders.Sent()  # too early
    assert run(mail_app, STARTS - timedelta(days=6)) == reminders.Sent(week=1)
    [week] = inbox.messages
    assert week["To"] == "ann@example.org"
    assert week["Subject"] == "[campwiki] GovBarCamp 2026 is in 6 days"
    body = week.get_payload(decode=True).decode()
    assert "GovBarCamp 2026 is in 6 days: Sat 17 – Sun 18 Oct 2026, starting at 10:00." in body
    assert "Where: Village hall, 1 High Street Ambridge" in body
    assert "Buses 12 and 14 stop outside." in body
    assert "Map: https://www.openstreetmap.org/#map=18/52.0/-1.0" in body
    assert "Your places: 2 adults and Maya." in body
    assert f"http://localhost/events/{SLUG}#rsvp" in body

    assert run(mail_app, STARTS - timedelta(days=3)) == reminders.Sent()  # already told
    assert run(mail_app, STARTS - timedelta(hours=20)) == reminders.Sent(day=1)
    assert inbox.messages[-1]["Subject"] == "[campwiki] GovBarCamp 2026 is tomorrow"
    assert run(mail_app, STARTS - timedelta(hours=2)) == reminders.Sent()
    assert run(mail_app, STARTS + timedelta(hours=1)) == reminders.Sent()  # it has begun
    assert [m["To"] for m in inbox.messages] == ["ann@example.org"] * 2


def test_a_late_household_gets_only_what_is_still_due(mail_app, smtp_sink, households):
    _, inbox = smtp_sink
    assert run(mail_app, STARTS - timedelta(hours=10)) == reminders.Sent(day=1)
    # 23:00 UTC is already midnight in London: the event is today.
    assert inbox.messages[0]["Subject"] == "[campwiki] GovBarCamp 2026 is today"
    assert run(mail_app, STARTS - timedelta(hours=5)) == reminders.Sent()


def test_nothing_is_sent_until_the_reminders_are_committed(mail_app, smtp_sink, households):
    _, inbox = smtp_sink
    with mail_app.app_context():
        reminders.send_reminders(STARTS - timedelta(days=2))
        assert inbox.messages == []
        db.session.rollback()
    assert run(mail_app, STARTS - timedelta(days=2)) == reminders.Sent(week=1)  # not lost
    assert len(inbox.messages) == 1


def test_the_command_needs_a_mail_server(runner):
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code != 0 and "No mail server" in result.output


def test_the_command_says_what_it_sent(mail_app, smtp_sink, households):
    result = mail_app.test_cli_runner().invoke(args=["send-reminders"])
    # Today is long after the fixture's event: nothing is due, and that is said plainly.
    assert result.exit_code == 0
    assert "Sent 0 week-ahead and 0 day-before reminders." in result.output


@pytest.mark.parametrize(
    ("hours_before", "expected"),
    [(1, "today"), (10, "today"), (20, "tomorrow"), (24 * 6, "in 6 days")],
)
def test_when_counts_days_in_the_events_own_calendar(app, create_event, hours_before, expected):
    create_event()
    with app.app_context():
        event = events.find_event(SLUG)
        assert reminders.when(event, STARTS - timedelta(hours=hours_before)) == expected
