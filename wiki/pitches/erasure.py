"""The pitches domain's share of deleting an account and of a person's data export.

Sessions they pitched stay, with no host, so someone can adopt them; their ballots go with
their dots (and their children's), and open boards hear of the new totals; comments stay,
by "a former account".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from wiki.accounts import signals
from wiki.accounts.models import User
from wiki.events.models import Event
from wiki.extensions import db
from wiki.pitches import services as pitches
from wiki.pitches import tallies
from wiki.pitches.models import Ballot, Comment, Dot, Pitch, PitchCoHost

ORDER = 20
HANDLES = frozenset(
    {
        "pitches.host_id",
        "pitches.created_by_id",
        "pitch_co_hosts.user_id",
        "ballots.user_id",
        "pitch_comments.author_id",
    }
)


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES, prepare=_lock_votes)


def _lock_votes(user: User) -> Callable[[], None]:
    """Note which pitches lose dots, and lock their pitches and ballots."""
    dotted = db.session.execute(
        select(Ballot.event_id, Dot.pitch_id)
        .join(Dot, Dot.ballot_id == Ballot.id)
        .where(Ballot.user_id == user.id, Dot.count > 0)
        .distinct()
        .order_by(Ballot.event_id, Dot.pitch_id)
    ).all()
    pitches.lock_for_erasure(user)

    def announce() -> None:
        # Announced last, once every change the new totals count is made.
        for event_id, pitch_id in dotted:
            event = db.session.get(Event, event_id)
            pitch = db.session.get(Pitch, pitch_id)
            if event is not None and pitch is not None and event.voting_open:
                tallies.announce_dots(event, pitch)

    return announce


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    return signals.PersonalData(
        order=ORDER,
        sections={
            "pitches": _pitches(user),
            "dots": _dots(user),
            "comments": [
                {
                    "event": event_name,
                    "session": title,
                    "text": comment.body,
                    "hidden_by_moderators": comment.hidden,
                    "created_at": comment.created_at.isoformat(),
                }
                for comment, title, event_name in db.session.execute(
                    select(Comment, Pitch.title, Event.name)
                    .join(Pitch, Pitch.id == Comment.pitch_id)
                    .join(Event, Event.id == Pitch.event_id)
                    .where(Comment.author_id == user.id)
                    .order_by(Comment.id)
                )
            ],
        },
    )


def _pitches(user: User) -> list[dict[str, Any]]:
    co_hosted = select(PitchCoHost.pitch_id).where(PitchCoHost.user_id == user.id)
    found = db.session.scalars(
        select(Pitch)
        .where(
            (Pitch.host_id == user.id) | (Pitch.created_by_id == user.id) | Pitch.id.in_(co_hosted)
        )
        .order_by(Pitch.id)
    )
    return [
        {
            "event": pitch.event.name,
            "title": pitch.title,
            "summary": pitch.summary,
            "you_are": (
                "host"
                if pitch.host_id == user.id
                else "co-host"
                if pitch.hosted_by(user)
                else "the person who pitched it"
            ),
            "status": str(pitch.status),
            "created_at": pitch.created_at.isoformat(),
        }
        for pitch in found
    ]


def _dots(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Ballot, Dot.count, Pitch.title)
        .join(Dot, Dot.ballot_id == Ballot.id)
        .join(Pitch, Pitch.id == Dot.pitch_id)
        .where(Ballot.user_id == user.id, Dot.count > 0)
        .order_by(Ballot.id, Pitch.id)
    ).all()
    return [
        {
            "event": db.session.get(Event, ballot.event_id).name,
            "session": title,
            "dots": count,
            "placed_for": ballot.child.first_name if ballot.child else "you",
        }
        for ballot, count, title in rows
    ]
