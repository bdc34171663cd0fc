"""Announcements: how the word spreads, including every change of an event's state."""

from __future__ import annotations

from sqlalchemy import select

from wiki.accounts.models import User
from wiki.events.models import Announcement, Event, EventState
from wiki.extensions import db
from wiki.pages import services as pages
from wiki.rules import RuleError

MAX_TITLE = 200
MAX_BODY = 20_000

STATE_NEWS = {
    EventState.PROPOSAL: ("Back to drafting", "The event is back at the proposal stage."),
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


def post_announcement(event: Event, title: str, body: str, author: User) -> Announcement:
    """Publish an announcement for the event; its Markdown is rendered and sanitised."""
    title = " ".join(title.split())
    if not title:
        raise AnnouncementError("title", "Give the announcement a title.")
    if len(title) > MAX_TITLE:
        raise AnnouncementError("title", f"Keep the title under {MAX_TITLE} characters.")
    if len(body) > MAX_BODY:
        raise AnnouncementError(
            "body", f"The text is {len(body):,} characters; the limit is {MAX_BODY:,}."
        )
    body = pages.normalise_text(body)
    announcement = Announcement(
        event=event,
        title=title,
        body=body,
        body_html=pages.render(body).html if body else "",
        author_id=author.id,
    )
    db.session.add(announcement)
    db.session.flush()
    return announcement


def announce_state(event: Event, state: EventState, by: User) -> Announcement:
    """Announce that the event moved into ``state``."""
    title, body = STATE_NEWS[state]
    return post_announcement(event, f"{event.name}: {title}", body, by)


def announcements_for(event: Event, *, include_hidden: bool = False):
    """Return a query of the event's announcements, newest first."""
    query = select(Announcement).where(Announcement.event_id == event.id)
    if not include_hidden:
        query = query.where(Announcement.hidden.is_(False))
    return query.order_by(Announcement.created_at.desc(), Announcement.id.desc())


def set_hidden(announcement: Announcement, hidden: bool) -> None:
    """Hide an announcement from everyone, or show it again."""
    announcement.hidden = hidden
