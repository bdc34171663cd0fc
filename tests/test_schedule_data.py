"""The schedule tables' own rules, dot times from the voting service, and the migration."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests.schedule_camp import build_camp
from wiki import migrations
from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.models import Event
from wiki.extensions import db
from wiki.pitches import services as pitches
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.schedule.models import GuestHost, SolveJob, Unavailability


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp with rooms, slots, hosts, voters and dots."""
    return build_camp(app, create_user, create_event)


def test_only_one_queued_or_running_solve_per_event(app, camp):
    with app.app_context():
        db.session.add(SolveJob(event_id=camp.event_id, status="done", time_limit=10))
        db.session.add(SolveJob(event_id=camp.event_id, status="queued", time_limit=10))
        db.session.commit()
        db.session.add(SolveJob(event_id=camp.event_id, status="running", time_limit=10))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(SolveJob(event_id=camp.event_id, status="failed", time_limit=10))
        db.session.commit()


def test_unavailability_names_exactly_one_person(app, camp):
    with app.app_context():
        guest = GuestHost(event_id=camp.event_id, name="Sam")
        db.session.add(guest)
        db.session.flush()
        slot = camp.session_slots[0]
        db.session.add(
            Unavailability(
                event_id=camp.event_id, slot_id=slot, user_id=camp.hosts[1], guest_host_id=guest.id
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(Unavailability(event_id=camp.event_id, slot_id=slot))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # Once per person and slot.
        db.session.add(Unavailability(event_id=camp.event_id, slot_id=slot, user_id=camp.hosts[1]))
        db.session.add(Unavailability(event_id=camp.event_id, slot_id=slot, user_id=camp.hosts[1]))
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_the_voting_service_stamps_each_dot_with_its_time(app, camp):
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        pitch = db.session.get(Pitch, camp.pitches[4])
        voter = db.session.get(User, camp.hosts[2])
        before = utcnow()
        pitches.add_dot(event, pitch, pitches.Voter(voter))
        db.session.commit()
        dot = db.session.scalar(
            select(Dot)
            .join(Ballot, Ballot.id == Dot.ballot_id)
            .where(Dot.pitch_id == pitch.id, Ballot.user_id == voter.id)
        )
        assert dot.placed_at >= before
        first = dot.placed_at
        pitches.add_dot(event, pitch, pitches.Voter(voter))
        db.session.commit()
        db.session.expire_all()
        again = db.session.scalar(
            select(Dot).where(Dot.pitch_id == pitch.id, Dot.ballot_id == dot.ballot_id)
        )
        assert again.count == 2 and again.placed_at >= first


def test_migration_down_and_up_keeps_every_dot_and_pitch(app, camp):
    with app.app_context():
        dots = db.session.scalar(select(func.count()).select_from(Dot))
        total = db.session.scalar(select(func.sum(Dot.count)))
        pitches_before = db.session.scalar(select(func.count()).select_from(Pitch))
        db.session.remove()
        config = migrations.alembic_config(app)
        command.downgrade(config, "rules01")
        with app.extensions["campwiki.db"].connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM dots")).scalar() == dots
            assert connection.execute(text("SELECT count(*) FROM pitches")).scalar() == (
                pitches_before
            )
        command.upgrade(config, "head")
        assert db.session.scalar(select(func.count()).select_from(Dot)) == dots
        assert db.session.scalar(select(func.sum(Dot.count))) == total
        assert db.session.scalar(select(func.count()).select_from(Pitch)) == pitches_before
        assert migrations.pending_changes(app) == []
