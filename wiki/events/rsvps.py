"""RSVPs that never overfill the venue: households, capacity, the waiting list, counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.links import date_range, event_url
from wiki.events.models import (
    MAX_ADULTS,
    AgeBand,
    Event,
    EventError,
    Rsvp,
    RsvpChild,
    RsvpStatus,
)
from wiki.extensions import db
from wiki.mail import send_after_commit
from wiki.words import are_left, noun, plural

MAX_CHILDREN = 12


@dataclass
class ChildDetails:
    first_name: str
    age_band: str
    id: int | None = None


@dataclass
class RsvpDetails:
    """What a household says about itself when it RSVPs."""

    adults: int = 1
    children: list[ChildDetails] = field(default_factory=list)
    access_needs: str = ""
    dietary_needs: str = ""
    childcare_interest: bool = False
    show_name: bool = False
    accepted_conduct: bool = False


def _check_rsvp(details: RsvpDetails) -> list[ChildDetails]:
    if not 1 <= details.adults <= MAX_ADULTS:
        raise EventError("adults", f"A household brings from 1 to {MAX_ADULTS} adults.")
    children = [c for c in details.children if c.first_name.strip()]
    if len(children) > MAX_CHILDREN:
        raise EventError(
            "children",
            f"A household can bring at most {MAX_CHILDREN} children; you listed {len(children)}. "
            "For a larger group (a school or club), talk to the organisers.",
        )
    for child in children:
        if child.age_band not in {band.value for band in AgeBand}:
            raise EventError("children", f"Choose an age group for {child.first_name.strip()}.")
        if len(child.first_name.strip()) > 40:
            raise EventError("children", "Give children's first names only (up to 40 letters).")
    if not details.accepted_conduct:
        raise EventError("accepted_conduct", "Everyone coming accepts the code of conduct.")
    return children


def lock_event(event: Event) -> Event:
    """Return the event, locked for this transaction: every change to its places takes it.

    Two households can never both take the last place: SELECT ... FOR UPDATE on PostgreSQL,
    SQLite's write lock otherwise.
    """
    return db.session.scalars(
        select(Event)
        .where(Event.id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def confirmed_people(event: Event, *, excluding: Rsvp | None = None) -> int:
    """Return how many people (adults and children) hold a confirmed place."""
    children = (
        select(func.count(RsvpChild.id))
        .where(RsvpChild.rsvp_id == Rsvp.id, RsvpChild.removed_at.is_(None))
        .correlate(Rsvp)
        .scalar_subquery()
    )
    query = select(func.coalesce(func.sum(Rsvp.adults + children), 0)).where(
        Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.CONFIRMED
    )
    if excluding is not None and excluding.id is not None:
        query = query.where(Rsvp.id != excluding.id)
    return int(db.session.scalar(query))


def find_rsvp(event: Event, user: User) -> Rsvp | None:
    """Return the person's RSVP for the event, if any."""
    return db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == user.id))


@dataclass(frozen=True)
class RsvpOutcome:
    rsvp: Rsvp
    status: RsvpStatus
    message: str


def save_rsvp(event: Event, user: User, details: RsvpDetails) -> RsvpOutcome:
    """Create or change a household's RSVP; a full event puts new households on the waiting list."""
    if not event.registration_open:
        raise EventError("adults", "Registration for this event is not open.")
    children = _check_rsvp(details)
    event = lock_event(event)
    rsvp = find_rsvp(event, user)
    was = RsvpStatus(rsvp.status) if rsvp else None
    if rsvp is None:
        rsvp = Rsvp(event=event, user=user)
        try:
            with db.session.begin_nested():
                db.session.add(rsvp)
                _fill(rsvp, details, children)
        except IntegrityError:
            raise EventError(
                "adults", "Your RSVP was saved a moment ago; reload the page."
            ) from None
    else:
        _fill(rsvp, details, children)
    size = rsvp.party_size
    taken = confirmed_people(event, excluding=rsvp)
    fits = event.capacity is None or taken + size <= event.capacity
    if was == RsvpStatus.CONFIRMED and not fits:
        free = max(event.capacity - taken, 0)
        raise EventError(
            "adults",
            f"Only {plural(free, 'place')} left for your household, which would now be {size}. "
            "Your RSVP is unchanged; ask an organiser if you need more places.",
        )
    if was == RsvpStatus.CONFIRMED:
        status = RsvpStatus.CONFIRMED
    elif fits and not _anyone_waiting_before(event, rsvp):
        status = RsvpStatus.CONFIRMED
    else:
        status = RsvpStatus.WAITING
    if status == RsvpStatus.WAITING and was != RsvpStatus.WAITING:
        rsvp.queued_at = utcnow()
    rsvp.status = status
    rsvp.updated_at = utcnow()
    db.session.flush()
    if was == RsvpStatus.CONFIRMED:
        promote_waiting(event)
    if status == RsvpStatus.CONFIRMED:
        message = "You're coming! Your household's places are confirmed."
    else:
        message = waiting_message(event, rsvp, taken)
    return RsvpOutcome(rsvp, status, message)


def waiting_message(event: Event, rsvp: Rsvp, taken: int | None = None) -> str:
    """Say why a household waits, and where it stands: "4 people need places; 3 are left..."."""
    if taken is None:
        taken = confirmed_people(event, excluding=rsvp)
    size = rsvp.party_size
    position = waiting_position(rsvp)
    free = None if event.capacity is None else max(event.capacity - taken, 0)
    if free is not None and size > free:
        why = (
            f"{plural(size, 'person')} {'needs a place' if size == 1 else 'need places'}; "
            f"{are_left(free)}"
        )
    else:
        ahead = position - 1
        why = f"{plural(ahead, 'household')} {'was' if ahead == 1 else 'were'} waiting first"
    return (
        f"{why}, so your household is number {position} on the waiting list. "
        "You move up automatically when places free up."
    )


def _anyone_waiting_before(event: Event, rsvp: Rsvp) -> bool:
    query = select(func.count(Rsvp.id)).where(
        Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITING, Rsvp.id != rsvp.id
    )
    if rsvp.status == RsvpStatus.WAITING:
        query = query.where(Rsvp.queued_at < rsvp.queued_at)
    return bool(db.session.scalar(query))


def _fill(rsvp: Rsvp, details: RsvpDetails, children: list[ChildDetails]) -> None:
    rsvp.adults = details.adults
    rsvp.access_needs = details.access_needs.strip()
    rsvp.dietary_needs = details.dietary_needs.strip()
    rsvp.childcare_interest = details.childcare_interest
    rsvp.show_name = details.show_name
    rsvp.accepted_conduct_at = rsvp.accepted_conduct_at or utcnow()
    existing = {child.id: child for child in rsvp.children if child.id is not None}
    keep = set()
    for child in children:
        row = existing.get(child.id) if child.id else None
        if row is None:
            row = RsvpChild(first_name="", age_band=child.age_band)
            rsvp.children.append(row)
        row.first_name = child.first_name.strip()
        row.age_band = child.age_band
        row.removed_at = None
        if row.id is not None:
            keep.add(row.id)
    for child_id, row in existing.items():
        if child_id not in keep and row.removed_at is None:
            row.removed_at = utcnow()
    db.session.flush()


def cancel_rsvp(event: Event, user: User) -> Rsvp:
    """Cancel a household's RSVP and give its places to the waiting list, in order."""
    event = lock_event(event)
    rsvp = find_rsvp(event, user)
    if rsvp is None or rsvp.status == RsvpStatus.CANCELLED:
        raise EventError("rsvp", "You have no RSVP to cancel.")
    rsvp.status = RsvpStatus.CANCELLED
    rsvp.updated_at = utcnow()
    db.session.flush()
    promote_waiting(event)
    return rsvp


def _waiting_list(event: Event, *, excluding: Rsvp | None = None) -> list[Rsvp]:
    query = (
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITING)
        .order_by(Rsvp.queued_at, Rsvp.id)
    )
    if excluding is not None:
        query = query.where(Rsvp.id != excluding.id)
    return list(db.session.scalars(query))


def _would_promote(event: Event, waiting: list[Rsvp], taken: int) -> int:
    """Count the households ``promote_waiting`` would confirm with ``taken`` places taken."""
    promoted = 0
    for rsvp in waiting:
        if event.capacity is not None and taken + rsvp.party_size > event.capacity:
            break
        taken += rsvp.party_size
        promoted += 1
    return promoted


def cancel_rsvp_consequences(event: Event, rsvp: Rsvp) -> list[str]:
    """Say what cancelling ``rsvp`` will do: whose places go where, or who leaves the list."""
    size = rsvp.party_size
    children = rsvp.active_children
    party = plural(rsvp.adults, "adult")
    if children:
        names = ", ".join(child.first_name for child in children)
        party += f" and {plural(len(children), 'child')}: {names}"
    again = "You can RSVP again while registration is open"
    if rsvp.status == RsvpStatus.WAITING:
        return [
            f"Your household ({party}) leaves the waiting list, where it is number "
            f"{waiting_position(rsvp)}.",
            f"{again}, at the back of the waiting list.",
        ]
    waiting = _waiting_list(event, excluding=rsvp)
    promoted = _would_promote(event, waiting, confirmed_people(event, excluding=rsvp))
    places = plural(size, "place")
    go, become = ("goes", "becomes") if size == 1 else ("go", "become")
    if not waiting:
        where = f"Your {places} {become} free for the next household that RSVPs."
    elif promoted == len(waiting):
        where = f"Your {places} {go} to the {plural(len(waiting), 'household')} waiting."
    elif promoted:
        first = "first" if promoted == 1 else f"first {promoted}"
        where = f"Your {places} {go} to the {first} of the {len(waiting)} households waiting."
    else:
        needs = waiting[0].party_size
        where = (
            f"Your {places} {become} free, but the first of the "
            f"{plural(len(waiting), 'household')} waiting needs {plural(needs, 'place')}, "
            "so nobody moves up yet."
        )
    return [
        where,
        f"Your household ({party}) comes off the list of who is coming.",
        f"{again}; if the event is full by then, you join the waiting list."
        if event.capacity is not None
        else f"{again}.",
    ]


def promote_waiting(event: Event) -> list[Rsvp]:
    """Confirm waiting households in the order they joined, while their whole party fits.

    Strictly in order: a family at the head of the list is never overtaken by a smaller
    household behind it.
    """
    promoted = []
    waiting = db.session.scalars(
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITING)
        .order_by(Rsvp.queued_at, Rsvp.id)
    ).all()
    taken = confirmed_people(event)
    for rsvp in waiting:
        if event.capacity is not None and taken + rsvp.party_size > event.capacity:
            break
        rsvp.status = RsvpStatus.CONFIRMED
        rsvp.updated_at = utcnow()
        taken += rsvp.party_size
        promoted.append(rsvp)
    db.session.flush()
    _tell_promoted(event, promoted)
    return promoted


def _tell_promoted(event: Event, promoted: list[Rsvp]) -> None:
    # A family that moved up while nobody looked at the page would otherwise never know,
    # and might not keep the day free.
    site = current_app.config["SITE_NAME"]
    messages = [
        (
            rsvp.user.confirmed_email,
            f"[{site}] A place came up: you're coming to {event.name}",
            f"Hello {rsvp.user.display_name},\n\n"
            f"A place came up at {event.name} ({date_range(event)}), and your household was "
            f"next on the waiting list: your {rsvp.party_size} "
            f"{noun(rsvp.party_size, 'place is', 'places are')} now confirmed.\n\n"
            f"Details, and the way to change or cancel your RSVP:\n\n"
            f"{event_url(event, anchor='rsvp')}\n\n"
            "If you can no longer come, please cancel, so the next family gets the place.\n\n"
            f"You get this message because you joined the waiting list on {site}.\n",
        )
        for rsvp in promoted
        if rsvp.user.confirmed_email
    ]
    send_after_commit(messages, "Could not e-mail households promoted from the waiting list")


def waiting_position(rsvp: Rsvp) -> int:
    """Return the household's place on the waiting list, from 1."""
    return 1 + int(
        db.session.scalar(
            select(func.count(Rsvp.id)).where(
                Rsvp.event_id == rsvp.event_id,
                Rsvp.status == RsvpStatus.WAITING,
                (Rsvp.queued_at < rsvp.queued_at)
                | ((Rsvp.queued_at == rsvp.queued_at) & (Rsvp.id < rsvp.id)),
            )
        )
    )


@dataclass(frozen=True)
class Counts:
    """Who is coming, for everyone; ``needs`` only for organisers."""

    households: int
    adults: int
    children: int
    people: int
    children_by_band: dict[str, int]
    waiting_households: int
    waiting_people: int
    places_left: int | None
    access_needs: int
    dietary_needs: int
    childcare_interest: int


def counts(event: Event) -> Counts:
    """Count confirmed households, people and children by age band, and needs totals."""
    confirmed = db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.CONFIRMED)
    ).all()
    waiting = db.session.scalars(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITING)
    ).all()
    bands = Counter(child.age_band for rsvp in confirmed for child in rsvp.active_children)
    adults = sum(r.adults for r in confirmed)
    children = sum(bands.values())
    people = adults + children
    return Counts(
        households=len(confirmed),
        adults=adults,
        children=children,
        people=people,
        children_by_band={band.value: bands.get(band.value, 0) for band in AgeBand},
        waiting_households=len(waiting),
        waiting_people=sum(r.party_size for r in waiting),
        places_left=None if event.capacity is None else max(event.capacity - people, 0),
        access_needs=sum(1 for r in confirmed if r.access_needs),
        dietary_needs=sum(1 for r in confirmed if r.dietary_needs),
        childcare_interest=sum(1 for r in confirmed if r.childcare_interest),
    )


def public_attendees(event: Event) -> list[str]:
    """Return the display names of confirmed people who chose to be listed."""
    return list(
        db.session.scalars(
            select(User.display_name)
            .join(Rsvp, Rsvp.user_id == User.id)
            .where(
                Rsvp.event_id == event.id,
                Rsvp.status == RsvpStatus.CONFIRMED,
                Rsvp.show_name.is_(True),
            )
            .order_by(func.lower(User.display_name))
        )
    )


def households_with_needs(event: Event) -> list[Rsvp]:
    """Return confirmed and waiting households with needs, for organisers only."""
    return list(
        db.session.scalars(
            select(Rsvp)
            .where(
                Rsvp.event_id == event.id,
                Rsvp.status != RsvpStatus.CANCELLED,
                (Rsvp.access_needs != "") | (Rsvp.dietary_needs != "") | Rsvp.childcare_interest,
            )
            .order_by(case((Rsvp.status == RsvpStatus.CONFIRMED, 0), else_=1), Rsvp.created_at)
        )
    )
