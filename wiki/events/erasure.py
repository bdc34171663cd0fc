"""The events domain's share of deleting an account and of a person's data export.

The household's RSVP goes, with its children (ON DELETE CASCADE), and the places it held go
to the waiting list; events, state changes and announcements they made stay, unnamed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from wiki.accounts import signals
from wiki.accounts.models import User
from wiki.events import rsvps
from wiki.events.models import Event, Rsvp, RsvpStatus
from wiki.extensions import db

ORDER = 10
HANDLES = frozenset(
    {
        "rsvps.user_id",
        "events.created_by_id",
        "event_state_changes.by_id",
        "announcements.author_id",
    }
)


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES, prepare=_lock_places)


def _lock_places(user: User) -> Callable[[], None]:
    """Lock every event where the household holds or awaits a place, in id order."""
    held = db.session.scalars(
        select(Event)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(Rsvp.user_id == user.id, Rsvp.status != RsvpStatus.CANCELLED)
        .order_by(Event.id)
    ).all()
    held = [rsvps.lock_event(event) for event in held]

    def promote() -> None:
        for event in held:
            rsvps.promote_waiting(event)

    return promote


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    rsvps = db.session.scalars(select(Rsvp).where(Rsvp.user_id == user.id).order_by(Rsvp.id))
    return signals.PersonalData(order=ORDER, sections={"rsvps": [_rsvp(rsvp) for rsvp in rsvps]})


def _rsvp(rsvp: Rsvp) -> dict[str, Any]:
    return {
        "event": rsvp.event.name,
        "status": str(rsvp.status),
        "adults": rsvp.adults,
        "children": [
            {"first_name": child.first_name, "age_band": child.age_band}
            for child in rsvp.active_children
        ],
        "access_needs": rsvp.access_needs,
        "dietary_needs": rsvp.dietary_needs,
        "childcare_interest": rsvp.childcare_interest,
        "show_name_to_others": rsvp.show_name,
        "accepted_code_of_conduct_at": (
            rsvp.accepted_conduct_at.isoformat() if rsvp.accepted_conduct_at else None
        ),
        "created_at": rsvp.created_at.isoformat(),
        "updated_at": rsvp.updated_at.isoformat(),
    }
