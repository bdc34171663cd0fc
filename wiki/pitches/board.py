"""The board: the event's active pitches, filtered and ordered for one person."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wiki.events.models import Event, RsvpChild
from wiki.extensions import db
from wiki.pitches.models import Audience, Pitch, PitchStatus
from wiki.pitches.tallies import tallies, tallies_visible
from wiki.pitches.voting import Voter, my_dots


def fair_order(pitches: list[Pitch], seed: str) -> list[Pitch]:
    """Shuffle pitches the same way every time for one person, differently for another."""
    return sorted(
        pitches,
        key=lambda p: hashlib.blake2b(f"{seed}:{p.id}".encode(), digest_size=8).digest(),
    )


@dataclass
class BoardFilter:
    family: bool = False
    format: str = ""
    tag: str = ""
    mine: bool = False
    sort: str = "fair"


def board(event: Event, filters: BoardFilter, *, seed: str, voter: Voter | None) -> list[Pitch]:
    """Return the event's active pitches, filtered and ordered for one person."""
    query = select(Pitch).where(Pitch.event_id == event.id, Pitch.status == PitchStatus.ACTIVE)
    if filters.family:
        query = query.where(Pitch.audience == Audience.FAMILY)
    if filters.format:
        query = query.where(Pitch.format == filters.format)
    # Hosts and kid leaders are on every card (and in the household rule): load them at once.
    query = query.options(
        selectinload(Pitch.co_hosts), joinedload(Pitch.child).joinedload(RsvpChild.rsvp)
    )
    pitches = list(db.session.scalars(query.order_by(Pitch.created_at.desc(), Pitch.id.desc())))
    if filters.tag:
        pitches = [p for p in pitches if filters.tag in p.tag_list]
    if filters.mine and voter is not None:
        mine = my_dots(event, voter)
        pitches = [p for p in pitches if p.id in mine]
    if filters.sort == "newest":
        return pitches
    if filters.sort == "dots" and tallies_visible(event):
        counts = tallies(event)
        return sorted(pitches, key=lambda p: -sum(counts.get(p.id, (0, 0))))
    return fair_order(pitches, seed)
