"""Dot counts: the tallies, who may see them and when, and the results."""

from __future__ import annotations

from sqlalchemy import String, case, cast, func, select

from wiki.events.models import Event
from wiki.extensions import db
from wiki.live import services as live
from wiki.pitches.models import Ballot, Dot, Pitch, PitchStatus


def announce_dots(event: Event, pitch: Pitch) -> None:
    """Tell every open board the pitch's new total, unless the event hides tallies.

    The new total travels as the message itself, so every board swaps it in without a
    request of its own. While tallies are hidden nothing is published at all: the event's
    stream is public and can be replayed, so even which session just got a dot would leak
    the vote before the reveal. The voter's own screen (their dots left, the switcher)
    changes from their own response, and the reveal makes every board fetch the totals.
    """
    if not tallies_visible(event):
        return
    # Counted by the INSERT that publishes it, after every earlier publisher committed,
    # so two votes at once can never both announce the same stale total.
    live.publish(
        live.event_topic(event.id), f"dots-{pitch.id}", cast(_tally_query(pitch.id), String)
    )


def tallies_visible(event: Event) -> bool:
    """Tell whether dot counts may be shown: always, unless hidden until a reveal."""
    return not event.hide_tallies or event.tallies_revealed


def reveal_tallies(event: Event) -> None:
    """Show the hidden dot counts on every screen at once."""
    event.tallies_revealed = True
    live.publish(live.event_topic(event.id), "tallies-revealed", {"event": event.id})


def _tally_query(pitch_id: int):
    return (
        select(func.coalesce(func.sum(Dot.count), 0))
        .where(Dot.pitch_id == pitch_id)
        .scalar_subquery()
    )


def tally(pitch: Pitch) -> int:
    """Return the dots on a pitch."""
    return int(db.session.scalar(select(_tally_query(pitch.id))))


def tallies(event: Event) -> dict[int, tuple[int, int]]:
    """Return {pitch id: (adult dots, child dots)} for the event."""
    rows = db.session.execute(
        select(
            Dot.pitch_id,
            func.sum(case((Ballot.child_key == 0, Dot.count), else_=0)),
            func.sum(case((Ballot.child_key != 0, Dot.count), else_=0)),
        )
        .join(Ballot, Ballot.id == Dot.ballot_id)
        .where(Ballot.event_id == event.id)
        .group_by(Dot.pitch_id)
    ).all()
    return {pitch_id: (int(adults or 0), int(children or 0)) for pitch_id, adults, children in rows}


def results(event: Event) -> list[tuple[Pitch, int, int]]:
    """Return (pitch, adult dots, child dots) for every active pitch, most dots first."""
    counts = tallies(event)
    pitches = db.session.scalars(
        select(Pitch).where(Pitch.event_id == event.id, Pitch.status == PitchStatus.ACTIVE)
    ).all()
    rows = [(p, *counts.get(p.id, (0, 0))) for p in pitches]
    return sorted(rows, key=lambda row: (-(row[1] + row[2]), row[0].title.lower()))
