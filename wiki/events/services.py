"""Business rules for events: states, copying, and RSVPs that never overfill the venue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort, current_app
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.links import date_range, event_url
from wiki.events.models import (
    MAX_ADULTS,
    MAX_CAPACITY,
    MAX_DOTS,
    AgeBand,
    Event,
    EventState,
    EventStateChange,
    Rsvp,
    RsvpChild,
    RsvpStatus,
)
from wiki.events.signals import event_copied
from wiki.extensions import db
from wiki.mail import send_after_commit
from wiki.pages import markup
from wiki.pages import services as pages
from wiki.pages.conduct import ensure_code_of_conduct
from wiki.pages.proposal import proposal_text
from wiki.rules import RuleError
from wiki.words import are_left, noun, plural

MAX_CHILDREN = 12


def get_event(slug: str) -> Event:
    """Return the event at ``slug`` or answer 404 (the loader every domain's views use)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event at this address.")
    return event


class EventError(RuleError):
    """A change to an event or RSVP cannot be made."""


@dataclass
class EventDetails:
    """What a facilitator types about an event, before it is checked."""

    name: str
    starts_on: date
    starts_time: time
    ends_on: date
    ends_time: time
    timezone: str = "Europe/London"
    summary: str = ""
    description: str = ""
    venue_name: str = ""
    venue_address: str = ""
    directions: str = ""
    map_url: str = ""
    capacity: int | None = None
    dots_per_person: int = 5
    max_dots_per_pitch: int = 3
    children_vote: bool = True
    allow_self_dots: bool = False
    hide_tallies: bool = False
    slug: str = ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventError("timezone", f"“{name}” is not a time zone we know.") from None


def local_times(details: EventDetails) -> tuple[datetime, datetime]:
    """Return the start and end as aware datetimes, checking that the end is after the start."""
    zone = _zone(details.timezone)
    starts = datetime.combine(details.starts_on, details.starts_time, zone)
    ends = datetime.combine(details.ends_on, details.ends_time, zone)
    if ends <= starts:
        raise EventError("ends_on", "The event must end after it starts.")
    return starts, ends


def _check(details: EventDetails, event: Event | None) -> None:
    if not details.name.strip():
        raise EventError("name", "Give the event a name.")
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        raise EventError(
            "capacity",
            f"Capacity must be a whole number from 1 to {MAX_CAPACITY:,}, or empty for no limit.",
        )
    for name, label in (
        ("dots_per_person", "Dots per person"),
        ("max_dots_per_pitch", "The most dots on one session"),
    ):
        if not 1 <= getattr(details, name) <= MAX_DOTS:
            raise EventError(name, f"{label} must be a whole number from 1 to {MAX_DOTS}.")
    if details.max_dots_per_pitch > details.dots_per_person:
        raise EventError(
            "max_dots_per_pitch", "The most dots on one session cannot exceed the dots per person."
        )
    if details.map_url and not details.map_url.startswith(("https://", "http://")):
        raise EventError("map_url", "The map link must start with https://.")
    if event is not None and event.rules_frozen:
        for name in (
            "dots_per_person",
            "max_dots_per_pitch",
            "children_vote",
            "allow_self_dots",
            "hide_tallies",
        ):
            if getattr(details, name) != getattr(event, name):
                raise EventError(name, "The voting rules are frozen once voting has opened.")


def _apply(event: Event, details: EventDetails) -> None:
    event.starts_at, event.ends_at = local_times(details)
    event.name = " ".join(details.name.split())
    event.timezone = details.timezone
    event.summary = details.summary.strip()
    event.description = details.description
    event.description_html = render_description(details.description)
    event.venue_name = details.venue_name.strip()
    event.venue_address = details.venue_address.strip()
    event.directions = details.directions
    event.map_url = details.map_url.strip()
    event.capacity = details.capacity
    if not event.rules_frozen:
        event.dots_per_person = details.dots_per_person
        event.max_dots_per_pitch = details.max_dots_per_pitch
        event.children_vote = details.children_vote
        event.allow_self_dots = details.allow_self_dots
        event.hide_tallies = details.hide_tallies


def render_description(text: str) -> str:
    """Render an event description's Markdown to sanitised HTML."""
    return pages.render(text).html if text.strip() else ""


def _unique_slug(wanted: str) -> str:
    base = markup.slugify(wanted)[:60] or "event"
    slug, n = base, 1
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_event(details: EventDetails, by: User, *, copy_from: Event | None = None) -> Event:
    """Create an event and start its proposal page from the template (or the earlier one's)."""
    _check(details, None)
    event = Event(
        slug=_unique_slug(details.slug or details.name),
        created_by_id=by.id,
        state=EventState.PROPOSAL,
    )
    _apply(event, details)
    db.session.add(event)
    db.session.flush()
    title = f"{event.name} proposal"
    if (
        copy_from is not None
        and copy_from.proposal_page
        and copy_from.proposal_page.current_revision
    ):
        body = copy_from.proposal_page.current_revision.body
        event.copied_from = copy_from
    else:
        body = proposal_text(event.name)
    while pages.find_page(pages.slug_for(title), include_deleted=True) is not None:
        title = f"{title} ({event.slug})"
    outcome = pages.create_page(title, body, by, summary=f"Started the proposal for {event.name}")
    event.proposal_page = outcome.page
    ensure_code_of_conduct(by)
    if copy_from is not None:
        event_copied.send(event, source=copy_from)
    return event


def copy_rules(source: Event) -> dict:
    """Return the settings a new event takes from an earlier one (no people, no votes)."""
    return {
        "timezone": source.timezone,
        "summary": source.summary,
        "description": source.description,
        "venue_name": source.venue_name,
        "venue_address": source.venue_address,
        "directions": source.directions,
        "map_url": source.map_url,
        "capacity": source.capacity,
        "dots_per_person": source.dots_per_person,
        "max_dots_per_pitch": source.max_dots_per_pitch,
        "children_vote": source.children_vote,
        "allow_self_dots": source.allow_self_dots,
        "hide_tallies": source.hide_tallies,
    }


def update_event(event: Event, details: EventDetails) -> None:
    """Change an event's details; voting rules only until voting opens."""
    if event.is_archived:
        raise EventError("name", "This event is over and archived; it can no longer change.")
    _check(details, event)
    confirmed = confirmed_people(event)
    if details.capacity is not None and details.capacity < confirmed:
        raise EventError(
            "capacity",
            f"{plural(confirmed, 'person')} {'is' if confirmed == 1 else 'are'} already "
            "confirmed; capacity cannot go below that.",
        )
    _apply(event, details)
    promote_waiting(event)


def change_state(event: Event, to: EventState, by: User) -> EventStateChange:
    """Move the event one step forward (or back), recording who did it and when.

    The event's row is locked first, so two facilitators pressing the same button at once
    make one move (and one announcement); the second is told the event has moved already.
    """
    event = lock_event(event)
    current = event.state_enum
    if to == current:
        raise EventError("state", f"The event is already at “{current.label}”.")
    if to not in (current.next, current.previous):
        raise EventError("state", f"An event in “{current.label}” cannot move to “{to.label}”.")
    change = EventStateChange(event_id=event.id, from_state=current, to_state=to, by_id=by.id)
    event.state = to
    if to == EventState.VOTING_CLOSED and event.hide_tallies:
        event.tallies_revealed = False
    db.session.add(change)
    db.session.flush()
    from wiki.events import announcements
    from wiki.live import services as live

    announcements.announce_move(event, current, to, by)
    live.publish(live.event_topic(event.id), "state-changed", {"state": str(to)})
    return change


# What changes for people when the event moves into each state, said before the move.
STATE_EFFECTS = {
    EventState.PROPOSAL: "Registration closes: households cannot RSVP until it opens again.",
    EventState.REGISTRATION: "Households can RSVP and pitch sessions; dots cannot be placed yet.",
    EventState.VOTING: "People can pitch sessions and place their dots.",
    EventState.VOTING_CLOSED: (
        "Nobody can place or take back dots any more, and no new sessions can be pitched."
    ),
    EventState.PUBLISHED: "",
    EventState.OVER: "The event is archived: its details, RSVPs and news can no longer change.",
}


def state_move_consequences(event: Event, to: EventState) -> list[str]:
    """Say what moving the event to ``to`` will do, and who will be told."""
    from wiki.events import announcements

    current = event.state_enum
    said = []
    if to == current.previous:
        news = announcements.state_announcement(event, current)
        if news is not None and not news.is_retracted:
            said.append(
                f"The announcement “{news.title}” is taken back: it leaves the news on the "
                "event page and the news feed. Nothing new is posted."
            )
        else:
            said.append("Nothing is announced.")
    else:
        title, _ = announcements.state_news(event, to)
        news = announcements.state_announcement(event, to)
        if news is not None and news.is_retracted:
            said.append(
                f"Everyone is told again: the announcement “{title}”, taken back when the "
                "event moved back, returns to the news and the news feed (it is not posted "
                "twice)."
            )
        else:
            said.append(f"Everyone is told: “{title}” goes on the event page and in the news feed.")
    if to == EventState.VOTING and not event.rules_frozen:
        said.append(
            f"The voting rules freeze: {plural(event.dots_per_person, 'dot')} each, at most "
            f"{event.max_dots_per_pitch} on one session."
        )
    if to == EventState.VOTING_CLOSED and event.hide_tallies:
        said.append("The dot counts stay hidden until a facilitator reveals them.")
    if STATE_EFFECTS[to]:
        said.append(STATE_EFFECTS[to])
    return said


def current_event() -> Event | None:
    """Return the event the home page shows: the next one not over, else the latest."""
    upcoming = db.session.scalar(
        select(Event).where(Event.state != EventState.OVER).order_by(Event.starts_at).limit(1)
    )
    return upcoming or db.session.scalar(select(Event).order_by(Event.starts_at.desc()).limit(1))


def all_events():
    """Return a query of every event, newest first."""
    return select(Event).order_by(Event.starts_at.desc())


def find_event(slug: str) -> Event | None:
    """Return the event at ``slug``."""
    return db.session.scalar(select(Event).where(Event.slug == slug))


def state_history(event: Event):
    """Return a query of the event's state changes, oldest first."""
    return (
        select(EventStateChange)
        .where(EventStateChange.event_id == event.id)
        .order_by(EventStateChange.at, EventStateChange.id)
    )


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
