"""Announcements: how the word spreads, including every change of an event's state."""

from __future__ import annotations

from sqlalchemy import func, select

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.models import Announcement, Event, EventState
from wiki.extensions import db
from wiki.pages import services as pages
from wiki.rules import RuleError

MAX_TITLE = 200
MAX_BODY = 20_000

# What people are told when the event moves forward into each state. Moving back tells
# nobody anything new: it retracts the news of the state it leaves (see ``announce_move``).
STATE_NEWS = {
    EventState.REGISTRATION: (
        "Registration is open",
        "Say you're coming, and bring the family: RSVP for your whole household.",
    ),
    EventState.VOTING: (
        "Pitching and voting are open",
        "Pitch a session (kids too!) and spend your dots on the ones you want to see.",
    ),
    EventState.VOTING_CLOSED: ("Voting has closed", "Thank you for voting. The grid comes next."),
    EventState.PUBLISHED: ("The schedule is published", "See which session is where, and when."),
    EventState.OVER: ("That's a wrap", "Thank you for coming. Session notes stay on the wiki."),
}


class AnnouncementError(RuleError):
    """An announcement cannot be posted."""


def _checked(title: str, body: str) -> tuple[str, str]:
    title = " ".join(title.split())
    if not title:
        raise AnnouncementError("title", "Give the announcement a title.")
    if len(title) > MAX_TITLE:
        raise AnnouncementError("title", f"Keep the title under {MAX_TITLE} characters.")
    if len(body) > MAX_BODY:
        raise AnnouncementError(
            "body", f"The text is {len(body):,} characters; the limit is {MAX_BODY:,}."
        )
    return title, pages.normalise_text(body)


def post_announcement(
    event: Event, title: str, body: str, author: User, *, announces: EventState | None = None
) -> Announcement:
    """Publish an announcement for the event; its Markdown is rendered and sanitised."""
    title, body = _checked(title, body)
    now = utcnow()
    announcement = Announcement(
        event=event,
        title=title,
        body=body,
        body_html=pages.render(body).html if body else "",
        author_id=author.id,
        announces_state=announces,
        created_at=now,
        published_at=now,
    )
    db.session.add(announcement)
    db.session.flush()
    return announcement


def state_news(event: Event, state: EventState) -> tuple[str, str]:
    """Return the title and text that announce the event moving into ``state``."""
    title, body = STATE_NEWS[state]
    return f"{event.name}: {title}", body


def state_announcement(event: Event, state: EventState) -> Announcement | None:
    """Return the announcement of the event's move into ``state``, retracted or not."""
    return db.session.scalar(
        select(Announcement).where(
            Announcement.event_id == event.id, Announcement.announces_state == state
        )
    )


def announce_move(event: Event, came_from: EventState, to: EventState, by: User):
    """Tell people about a move, once: forward announces ``to``, back retracts ``came_from``.

    Moving forward into a state announced before (and retracted when the event moved back)
    publishes that same announcement again, brought up to date, rather than a second one.
    Returns the announcement posted, published again or retracted (None if there was none).
    """
    if to == came_from.previous:
        item = state_announcement(event, came_from)
        if item is not None and item.retracted_at is None:
            item.retracted_at = utcnow()
        return item
    item = state_announcement(event, to)
    if item is None:
        title, body = state_news(event, to)
        return post_announcement(event, title, body, by, announces=to)
    if item.retracted_at is not None:
        title, body = _checked(*state_news(event, to))
        item.title, item.body = title, body
        item.body_html = pages.render(body).html if body else ""
        item.retracted_at = None
        item.published_at = utcnow()
    return item


def announcements_for(event: Event, *, include_hidden: bool = False):
    """Return a query of the event's announcements as people see them, newest first.

    Retracted state news is left out always; hidden news unless ``include_hidden``.
    """
    query = select(Announcement).where(
        Announcement.event_id == event.id, Announcement.retracted_at.is_(None)
    )
    if not include_hidden:
        query = query.where(Announcement.hidden.is_(False))
    return query.order_by(Announcement.published_at.desc(), Announcement.id.desc())


def last_retracted(event: Event):
    """Return when news of the event was last retracted, or None."""
    return db.session.scalar(
        select(func.max(Announcement.retracted_at)).where(Announcement.event_id == event.id)
    )


def set_hidden(announcement: Announcement, hidden: bool) -> None:
    """Hide an announcement from everyone, or show it again."""
    announcement.hidden = hidden
