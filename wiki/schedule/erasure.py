"""The schedule domain's share of deleting an account, and of the personal-data export.

What a person said about their own time (the slots they cannot be there for), their stars,
their calendar feed's address and when they last looked at their agenda go with them
(ON DELETE CASCADE). The grid's history, published versions, day pitches they typed in or
claimed and the plans they started stay, by "a former account" (ON DELETE SET NULL): the
programme does not change because someone left.
"""

from __future__ import annotations

from sqlalchemy import select

from wiki.accounts import signals
from wiki.accounts.models import User
from wiki.events.models import Event
from wiki.extensions import db
from wiki.pitches.models import Pitch
from wiki.schedule.models import Star, TimeSlot, Unavailability

ORDER = 60
HANDLES = frozenset(
    {
        "unavailability.user_id",
        "guest_hosts.claimed_by_id",
        "guest_hosts.created_by_id",
        "schedule_revisions.author_id",
        "solve_jobs.requested_by_id",
        "schedule_versions.published_by_id",
        "schedule_stars.user_id",
        "agenda_feeds.user_id",
        "agenda_looks.user_id",
    }
)


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    unavailable = db.session.execute(
        select(Event.name, TimeSlot.starts_at, TimeSlot.ends_at)
        .select_from(Unavailability)
        .join(TimeSlot, TimeSlot.id == Unavailability.slot_id)
        .join(Event, Event.id == Unavailability.event_id)
        .where(Unavailability.user_id == user.id)
        .order_by(TimeSlot.starts_at)
    )
    stars = db.session.execute(
        select(Event.name, Pitch.title, Star.created_at)
        .select_from(Star)
        .join(Pitch, Pitch.id == Star.pitch_id)
        .join(Event, Event.id == Star.event_id)
        .where(Star.user_id == user.id)
        .order_by(Star.created_at)
    )
    return signals.PersonalData(
        order=ORDER,
        sections={
            "availability": [
                {"event": e, "cannot_be_there_from": a.isoformat(), "until": b.isoformat()}
                for e, a, b in unavailable
            ],
            "stars": [
                {"event": e, "session": title, "starred_at": at.isoformat()}
                for e, title, at in stars
            ],
        },
    )
