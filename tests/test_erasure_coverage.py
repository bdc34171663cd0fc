"""Every column that holds a user id is some domain's to erase, and erasing leaves none.

Accounts does not know the other domains: each answers ``signals.user_deleting`` from its own
``erasure.py`` and names the columns it handles. These tests walk the schema, so a new table
that references users fails here until its domain says what becomes of it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Column, func, select
from sqlalchemy import inspect as inspect_db

from tests.helpers import PASSWORD
from tests.test_attachments import png
from wiki import ERASURE_DOMAINS
from wiki.accounts import erasure, services, signals
from wiki.accounts.models import Login, Role, User
from wiki.database import Base
from wiki.extensions import db
from wiki.idempotency import Submission
from wiki.notices.models import Notice

# A column named like this holds a person's id, with or without a foreign key.
# (A guest host is a name typed on the day, not an account: guest_host_id is no user id.)
USER_ID_NAME = re.compile(r"(^|(?<!guest)_)(user|author|host|reporter|voter|owner)_id$|_by_id$")


def user_id_columns() -> dict[str, Column]:
    """Return every column ("table.column") that references users.id or is named as if."""
    found = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            to_users = any(fk.column.table.name == "users" for fk in column.foreign_keys)
            if to_users or (table.name != "users" and USER_ID_NAME.search(column.name)):
                found[f"{table.name}.{column.name}"] = column
    return found


def test_every_column_holding_a_user_id_has_an_erasure_handler(app):
    handled = signals.handled_columns()
    missing = sorted(set(user_id_columns()) - set(handled))
    assert not missing, (
        "No domain erases these columns holding a user id: "
        + ", ".join(missing)
        + ". Add them to HANDLES in the erasure.py of the domain that owns the table."
    )


def test_no_erasure_handler_names_a_column_that_is_not_there(app):
    stale = sorted(set(signals.handled_columns()) - set(user_id_columns()))
    assert not stale, f"HANDLES names columns the schema does not have: {', '.join(stale)}"


def test_every_domain_answers_with_an_order_of_its_own(app):
    answers = signals.erasures()
    assert len(answers) == len(ERASURE_DOMAINS)
    assert [a.order for a in answers] == sorted({a.order for a in answers})
    # Accounts' own tables first; every other domain after it.
    assert answers[0].handles == erasure.HANDLES


def test_accounts_imports_no_other_domain():
    from pathlib import Path

    import wiki.accounts

    domains = "events|pitches|pages|moderation|attachments|live|admin|schedule|exports"
    pattern = re.compile(rf"^\s*(from|import) wiki\.({domains})\b")
    for path in Path(wiki.accounts.__file__).parent.glob("*.py"):
        for line in path.read_text().splitlines():
            assert not pattern.match(line), f"accounts reaches up: {path.name}: {line.strip()}"


@pytest.fixture
def everywhere(app, create_event, create_user):
    """Dan has a row in every table that can name a person; return his id."""
    from wiki.attachments import services as attachments
    from wiki.events import rsvps
    from wiki.events import services as events
    from wiki.events.announcements import post_announcement
    from wiki.events.models import EventState
    from wiki.moderation import services as moderation
    from wiki.moderation.models import ReportStatus
    from wiki.pages import services as pages
    from wiki.pitches import services as pitches
    from wiki.pitches import voting
    from wiki.schedule import models as schedule

    create_event()  # someone else's event, so Dan's is not the only one
    dan = create_user("dan", Role.FACILITATOR, display_name="Dan")
    create_user("eve", display_name="Eve")
    with app.test_request_context("/", method="POST"):
        dan = db.session.get(User, dan.id)
        eve = services.find_user("eve")
        services.start_login(dan)
        services.issue_reset_link(dan)
        services.issue_reset_link(eve, issued_by=dan)
        db.session.add(Submission(user_id=dan.id, token="t" * 24, url="/"))
        day, ten, four = date(2026, 11, 7), time(10, 0), time(16, 0)
        event = events.create_event(events.EventDetails("Dan's camp", day, ten, day, four), dan)
        events.change_state(event, EventState.REGISTRATION, dan)
        rsvps.save_rsvp(event, dan, rsvps.RsvpDetails(adults=1, accepted_conduct=True))
        post_announcement(event, "Welcome", "Bring a friend.", dan)
        events.change_state(event, EventState.VOTING, dan)
        pitch = pitches.create_pitch(event, pitches.PitchDetails(title="Eve's kites"), eve)
        pitches.create_pitch(event, pitches.PitchDetails(title="Dens", co_hosts="eve"), dan)
        pitches.create_pitch(event, pitches.PitchDetails(title="Sums", co_hosts="dan"), eve)
        voting.add_dot(event, pitch, voting.Voter(dan))
        pitches.add_comment(pitch, dan, "Count me in.")
        page = pages.create_page("Picnic", "Bring a blanket.", dan).page
        pages.hide_revision(page.current_revision, dan, "test")
        attachments.upload(page, "map.png", png(), dan)
        target = moderation.find_target("page", page.id, staff=True)
        report = moderation.file_report(target, "Please look.", dan)
        moderation.close_report(report, dan, ReportStatus.RESOLVED)
        slot = schedule.TimeSlot(
            event=event,
            starts_at=datetime(2026, 11, 7, 10, tzinfo=UTC),
            ends_at=datetime(2026, 11, 7, 11, tzinfo=UTC),
        )
        guest = schedule.GuestHost(
            event_id=event.id, name="Gus", claimed_by_id=dan.id, created_by_id=dan.id
        )
        draft = schedule.ScheduleDraft(event=event)
        db.session.add_all([slot, guest, draft])
        db.session.flush()
        db.session.add_all(
            [
                schedule.Unavailability(event_id=event.id, slot=slot, user_id=dan.id),
                schedule.ScheduleRevision(
                    draft_id=draft.id, number=1, kind="edit", grid="{}", author_id=dan.id
                ),
                schedule.SolveJob(event_id=event.id, time_limit=10, requested_by_id=dan.id),
                schedule.ScheduleVersion(
                    event_id=event.id,
                    number=1,
                    revision=1,
                    grid="{}",
                    programme="{}",
                    published_by_id=dan.id,
                ),
                schedule.Star(user_id=dan.id, pitch_id=pitch.id, event_id=event.id),
                schedule.AgendaFeed(user_id=dan.id, event_id=event.id, token="f" * 43),
                schedule.AgendaLook(user_id=dan.id, event_id=event.id, seen_version=1),
                Notice(user_id=dan.id, event_id=event.id, key="k", title="Moved"),
            ]
        )
        db.session.commit()
        return dan.id


def _rows_naming(user_id: int) -> dict[str, int]:
    counts = {}
    for name, column in user_id_columns().items():
        counts[name] = db.session.scalar(
            select(func.count()).select_from(column.table).where(column == user_id)
        )
    return counts


def test_deleting_a_user_leaves_no_row_anywhere_naming_them(app, everywhere):
    with app.test_request_context("/", method="POST"):
        before = _rows_naming(everywhere)
        absent = sorted(name for name, n in before.items() if n == 0)
        assert not absent, f"the fixture should give Dan a row in {', '.join(absent)}"
        erasure.delete_account(db.session.get(User, everywhere), PASSWORD)
        db.session.commit()
    with app.app_context():
        after = {name: n for name, n in _rows_naming(everywhere).items() if n}
        assert after == {}, f"rows still name the deleted user: {after}"
        assert db.session.get(User, everywhere) is None
        assert db.session.scalar(select(func.count()).select_from(Login)) == 0
        # The schema the test walked is the one migrated into the database.
        tables = set(inspect_db(db.engine).get_table_names())
        assert {c.table.name for c in user_id_columns().values()} <= tables


def test_the_export_keeps_its_sections_in_their_order(app, everywhere):
    with app.test_request_context("/"):
        data = erasure.personal_data(db.session.get(User, everywhere))
    assert list(data) == [
        "account",
        "logins",
        "rsvps",
        "pitches",
        "dots",
        "comments",
        "page_edits",
        "reports_filed",
        "availability",
        "stars",
        "notices",
    ]
    assert [p["you_are"] for p in data["pitches"]] == ["host", "co-host"]
    assert [r["about"] for r in data["reports_filed"]] == ["Picnic"]
