"""Spreading the word: an event as the news feed, calendar file, share text and QR code show it.

This module turns events into the plain data of ``wiki.exports`` and calls its writers; the
routes that serve the results are in ``views.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, url_for

from wiki.events import announcements
from wiki.events.links import date_range, event_url
from wiki.events.models import Announcement, Event, EventState
from wiki.exports import atom, card, ical, qr
from wiki.exports.share import first_words, plain_text, share_text
from wiki.extensions import db

FEED_SIZE = 50
CALENDAR_DESCRIPTION_LENGTH = 500


def share_description(event: Event) -> str:
    """Describe the event for link previews: date, venue, then its summary or first words."""
    words = event.summary or plain_text(event.description_html)
    return share_text((date_range(event), event.venue_name), words)


def calendar_uid(event: Event) -> str:
    """Return the event's calendar UID, the same on every download so apps update, not copy."""
    return f"event-{event.id}@{urlsplit(event_url(event)).hostname or 'localhost'}"


def calendar_event(event: Event) -> ical.CalendarEvent:
    """Return the event as a calendar entry, in its own time zone."""
    url = event_url(event)
    about = event.summary or first_words(
        plain_text(event.description_html), CALENDAR_DESCRIPTION_LENGTH
    )
    place = [event.venue_name, *event.venue_address.splitlines()]
    return ical.CalendarEvent(
        uid=calendar_uid(event),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        summary=event.name,
        description="\n\n".join(part for part in (about, url) if part),
        url=url,
        location=", ".join(line.strip() for line in place if line.strip()),
        # A proposal's date may still move; calendar apps show a tentative event as such.
        status="TENTATIVE" if event.state == EventState.PROPOSAL else "CONFIRMED",
    )


def calendar_file(event: Event, *, now: datetime | None = None) -> bytes:
    """Return the event as an iCalendar file, its zone's rules included."""
    return ical.calendar(
        [calendar_event(event)],
        product=current_app.config["SITE_NAME"],
        stamp=now or datetime.now(UTC),
    )


def qr_svg(event: Event) -> bytes:
    """Return a QR code for the event page's absolute URL, as SVG."""
    return qr.qr_svg(event_url(event))


def qr_png(event: Event, scale: int = 10) -> bytes:
    """Return a QR code for the event page's absolute URL, as PNG for printing."""
    return qr.qr_png(event_url(event), scale)


def share_card(event: Event, site_name: str) -> bytes:
    """Return the picture a shared link to the event shows: its name, dates and venue."""
    details = [date_range(event)]
    if event.venue_name:
        details.append(event.venue_name)
    return card.share_card(event.name, details, site_name)


def feed_items(event: Event, limit: int = FEED_SIZE) -> list[Announcement]:
    """Return the event's visible announcements for its feed, newest first."""
    query = announcements.announcements_for(event).limit(limit)
    return list(db.session.scalars(query))


def feed_updated(event: Event, items: list[Announcement]) -> datetime:
    """Return when the feed last changed: its newest entry or retraction, or the event's start.

    Retracted news leaves the feed; the time it left counts as a change, so readers look again.
    """
    times = [event.created_at, *(item.published_at for item in items[:1])]
    retracted = announcements.last_retracted(event)
    return max(times + ([retracted] if retracted else []))


def news_feed(event: Event) -> bytes:
    """Return the event's visible announcements as an Atom feed."""
    items = feed_items(event)
    page, news = event_url(event), event_url(event, "news")
    feed_url = url_for("events.news_feed", slug=event.slug, _external=True)
    return atom.feed(
        atom.Feed(
            id=feed_url,
            title=f"{event.name}: news",
            subtitle=f"Announcements about {event.name} from its organisers",
            self_url=feed_url,
            alternate_url=news,
            updated=feed_updated(event, items),
            author=current_app.config["SITE_NAME"],
            entries=[
                atom.Entry(
                    id=f"{page}#announcement-{item.id}",
                    title=item.title,
                    link=news,
                    published=item.created_at,
                    updated=item.published_at,
                    author=item.author.display_name if item.author else "The organisers",
                    content_html=item.body_html,
                )
                for item in items
            ],
        )
    )
