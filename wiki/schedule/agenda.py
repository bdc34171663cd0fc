"""My agenda: the sessions a person hosts, dotted, starred, or whose child leads one.

Read against a published ``Programme``: which of its sessions are theirs and why, where two
of them run at once (a clash to resolve), and what changed in the versions published since
they last looked. Stars, the secret calendar-feed address and the last look are kept here.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.models import Event, Rsvp, RsvpChild
from wiki.extensions import db
from wiki.pitches.models import Ballot, Dot, Pitch, PitchCoHost
from wiki.rules import RuleError
from wiki.schedule import programme as programmes
from wiki.schedule import versions
from wiki.schedule.models import AgendaFeed, AgendaLook, ScheduleVersion, Star
from wiki.words import plural


class AgendaError(RuleError):
    """A star that cannot be placed (a session of another event, or not active)."""


# Why a session is on someone's agenda, in the order the page names them.
HOST, COHOST, CHILD, DOTTED, STARRED = "host", "co-host", "child", "dotted", "starred"
REASON_WORDS = {
    HOST: "you host it",
    COHOST: "you co-host it",
    CHILD: "{name} leads it",
    DOTTED: "you dotted it",
    STARRED: "you starred it",
}


@dataclass
class Reasons:
    """Why one pitch is someone's: the kinds, and the children concerned."""

    kinds: set[str] = field(default_factory=set)
    leading: list[str] = field(default_factory=list)  # the children who lead it
    dotted_for: list[str] = field(default_factory=list)  # the children whose dots are on it
    own_dots: bool = False

    def words(self) -> list[str]:
        said = []
        for kind in (HOST, COHOST, CHILD, DOTTED, STARRED):
            if kind not in self.kinds:
                continue
            if kind == CHILD:
                said.append(REASON_WORDS[CHILD].format(name=" and ".join(self.leading)))
            elif kind == DOTTED and self.dotted_for:
                who = ["you", *self.dotted_for] if self.own_dots else self.dotted_for
                said.append(f"{' and '.join(who)} dotted it")
            else:
                said.append(REASON_WORDS[kind])
        return said

    @property
    def must_attend(self) -> bool:
        return bool(self.kinds & {HOST, COHOST, CHILD})


@dataclass(frozen=True)
class Item:
    session: programmes.Session
    reasons: Reasons

    @property
    def must_attend(self) -> bool:
        return self.reasons.must_attend


@dataclass(frozen=True)
class Clash:
    """Sessions of one person's agenda that share a time."""

    starts_at: datetime
    items: tuple[Item, ...]
    message: str


@dataclass(frozen=True)
class Agenda:
    items: tuple[Item, ...]
    clashes: tuple[Clash, ...]
    # The changes since the person last looked, newest version first: (version name, changes).
    changed: tuple[tuple[str, tuple[programmes.Change, ...]], ...]
    starred: frozenset[int]
    seen_version: int

    @property
    def clashing(self) -> set[int]:
        return {i.session.pitch_id for c in self.clashes for i in c.items}


def reasons_for(event: Event, user: User) -> dict[int, Reasons]:
    """Return every pitch of the event that is the user's, with why (from the database)."""
    found: dict[int, Reasons] = defaultdict(Reasons)
    for pitch_id, child_name in db.session.execute(
        select(Pitch.id, RsvpChild.first_name)
        .outerjoin(RsvpChild, RsvpChild.id == Pitch.child_id)
        .where(Pitch.event_id == event.id, Pitch.host_id == user.id)
    ):
        if child_name is not None:
            found[pitch_id].kinds.add(CHILD)
            found[pitch_id].leading.append(child_name)
        else:
            found[pitch_id].kinds.add(HOST)
    # A child of the household leading a session a co-host holds the account of.
    for pitch_id, child_name in db.session.execute(
        select(Pitch.id, RsvpChild.first_name)
        .join(RsvpChild, RsvpChild.id == Pitch.child_id)
        .join(Rsvp, Rsvp.id == RsvpChild.rsvp_id)
        .where(Pitch.event_id == event.id, Rsvp.user_id == user.id, Pitch.host_id != user.id)
    ):
        found[pitch_id].kinds.add(CHILD)
        found[pitch_id].leading.append(child_name)
    for (pitch_id,) in db.session.execute(
        select(PitchCoHost.pitch_id)
        .join(Pitch, Pitch.id == PitchCoHost.pitch_id)
        .where(Pitch.event_id == event.id, PitchCoHost.user_id == user.id)
    ):
        found[pitch_id].kinds.add(COHOST)
    for pitch_id, child_name in db.session.execute(
        select(Dot.pitch_id, RsvpChild.first_name)
        .join(Ballot, Ballot.id == Dot.ballot_id)
        .outerjoin(RsvpChild, RsvpChild.id == Ballot.child_id)
        .where(Ballot.event_id == event.id, Ballot.user_id == user.id, Dot.count > 0)
    ):
        reasons = found[pitch_id]
        reasons.kinds.add(DOTTED)
        if child_name is None:
            reasons.own_dots = True
        elif child_name not in reasons.dotted_for:
            reasons.dotted_for.append(child_name)
    for (pitch_id,) in db.session.execute(
        select(Star.pitch_id).where(Star.event_id == event.id, Star.user_id == user.id)
    ):
        found[pitch_id].kinds.add(STARRED)
    return dict(found)


def _clash_message(programme: programmes.Programme, items: list[Item]) -> str:
    when = programme.local(min(i.session.starts_at for i in items)).strftime("%H:%M")
    hosted = [i for i in items if i.must_attend]
    others = [i for i in items if not i.must_attend]
    if len(hosted) > 1:
        titles = " and ".join(f"*{i.session.title}*" for i in hosted)
        return f"You are needed at {titles}, both at {when}: ask a facilitator to move one."
    if hosted:
        titles = " and ".join(f"*{i.session.title}*" for i in others)
        return f"You are needed at *{hosted[0].session.title}* at {when}, when {titles} runs too."
    kinds = {k for i in items for k in i.reasons.kinds}
    verb = "dotted" if kinds == {DOTTED} else "starred" if kinds == {STARRED} else "picked"
    return f"You {verb} {plural(len(items), 'session')} at {when}: pick one."


def clashes(programme: programmes.Programme, items: list[Item]) -> list[Clash]:
    """Group the items that share a slot (a two-slot session clashes in each of its slots)."""
    by_slot: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        for slot_id in item.session.slot_ids:
            by_slot[slot_id].append(item)
    found, seen = [], set()
    for slot in programme.slots:
        here = by_slot.get(slot.id, [])
        key = frozenset(i.session.pitch_id for i in here)
        if len(here) < 2 or key in seen:
            continue
        seen.add(key)
        found.append(Clash(slot.starts_at, tuple(here), _clash_message(programme, here)))
    return found


def build(
    event: Event, user: User, version: ScheduleVersion, *, seen_version: int | None = None
) -> Agenda:
    """Return the user's agenda in ``version``, with what changed since they last looked."""
    programme = versions.programme(version)
    reasons = reasons_for(event, user)
    items = sorted(
        (Item(s, reasons[s.pitch_id]) for s in programme.sessions if s.pitch_id in reasons),
        key=lambda i: (i.session.starts_at, i.session.title),
    )
    if seen_version is None:
        seen_version = last_look(event, user)
    changed = []
    if seen_version:
        for newer in versions.all_for(event):
            if seen_version < newer.number <= version.number:
                mine = tuple(c for c in versions.changes(newer) if c.pitch_id in reasons)
                if mine:
                    changed.append((newer.name, mine))
    return Agenda(
        items=tuple(items),
        clashes=tuple(clashes(programme, items)),
        changed=tuple(changed),
        starred=frozenset(p for p, r in reasons.items() if STARRED in r.kinds),
        seen_version=seen_version,
    )


# Stars.


def starred(event: Event, user: User) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        db.session.scalars(
            select(Star.pitch_id).where(Star.event_id == event.id, Star.user_id == user.id)
        )
    )


def _dialect():
    return postgresql if db.engine.dialect.name == "postgresql" else sqlite


def star(event: Event, user: User, pitch: Pitch) -> None:
    """Star the session (starring twice is one star)."""
    if pitch.event_id != event.id or not pitch.is_active:
        raise AgendaError("pitch", "That session is not in this event's programme.")
    db.session.execute(
        _dialect()
        .insert(Star)
        .values(user_id=user.id, pitch_id=pitch.id, event_id=event.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "pitch_id"])
    )


def unstar(event: Event, user: User, pitch: Pitch) -> None:
    db.session.execute(
        delete(Star).where(
            Star.user_id == user.id, Star.pitch_id == pitch.id, Star.event_id == event.id
        )
    )


# The last look.


def last_look(event: Event, user: User) -> int:
    return (
        db.session.scalar(
            select(AgendaLook.seen_version).where(
                AgendaLook.event_id == event.id, AgendaLook.user_id == user.id
            )
        )
        or 0
    )


def record_look(event: Event, user: User, number: int) -> None:
    """Remember the user has seen version ``number`` (never going back to an older one)."""
    table = AgendaLook.__table__
    db.session.execute(
        _dialect()
        .insert(AgendaLook)
        .values(user_id=user.id, event_id=event.id, seen_version=number, at=utcnow())
        .on_conflict_do_update(
            index_elements=["user_id", "event_id"],
            set_={"seen_version": number, "at": utcnow()},
            where=table.c.seen_version < number,
        )
    )


# The secret calendar feed.

TOKEN_BYTES = 32


def feed(event: Event, user: User) -> AgendaFeed:
    """Return the user's feed for the event, making its secret address the first time."""
    found = db.session.scalar(
        select(AgendaFeed).where(AgendaFeed.event_id == event.id, AgendaFeed.user_id == user.id)
    )
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = AgendaFeed(
                user_id=user.id, event_id=event.id, token=secrets.token_urlsafe(TOKEN_BYTES)
            )
            db.session.add(found)
            db.session.flush()
    except IntegrityError:  # made by another request meanwhile
        found = db.session.scalar(
            select(AgendaFeed).where(AgendaFeed.event_id == event.id, AgendaFeed.user_id == user.id)
        )
    return found


def reset_feed(event: Event, user: User) -> AgendaFeed:
    """Give the user's feed a new secret address; the old one stops working at once."""
    current = feed(event, user)
    db.session.execute(
        update(AgendaFeed)
        .where(AgendaFeed.id == current.id)
        .values(token=secrets.token_urlsafe(TOKEN_BYTES), created_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(current)
    return current


def find_feed(event: Event, token: str) -> AgendaFeed | None:
    """Return the feed with this token for this event, or None (a wrong or old token)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(AgendaFeed).where(AgendaFeed.token == token, AgendaFeed.event_id == event.id)
    )
