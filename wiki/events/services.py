"""Business rules for events: details, the states they move through, and copying."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort
from sqlalchemy import select

from wiki.accounts.models import User
from wiki.events import announcements
from wiki.events.models import (
    MAX_CAPACITY,
    MAX_DOTS,
    Event,
    EventError,
    EventState,
    EventStateChange,
)
from wiki.events.rsvps import confirmed_people, lock_event, promote_waiting
from wiki.events.signals import event_copied
from wiki.extensions import db
from wiki.live import services as live
from wiki.pages import markup
from wiki.pages import services as pages
from wiki.pages.conduct import ensure_code_of_conduct
from wiki.pages.proposal import proposal_text
from wiki.words import plural


def get_event(slug: str) -> Event:
    """Return the event at ``slug`` or answer 404 (the loader every domain's views use)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, "There is no event at this address.")
    return event


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
