"""Spreading the word: a news feed, a calendar file, share tags, a QR code and a poster."""

from __future__ import annotations

import hashlib
import html
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import segno
from flask import (
    Response,
    current_app,
    render_template,
    request,
    send_file,
)

from wiki.events import announcements, card
from wiki.events.links import date_range, event_url, local
from wiki.events.models import Announcement, Event, EventState
from wiki.events.views import bp, get_event
from wiki.extensions import db
from wiki.rendering import render
from wiki.urls import external_url

FEED_SIZE = 50
SHARE_TEXT_LENGTH = 160
# The VTIMEZONE covers the event and a week either side. Spelled out as plain offsets
# (no decades of RDATE lists), it reads the same in every calendar app, even one that
# does not know the zone's name.
ZONE_RULES_MARGIN = timedelta(days=7)
QR_ERROR = "m"
QR_SVG_CSP = "default-src 'none'"
# Block tags part words; inline ones (a link, emphasis) sit inside them.
BLOCK_TAG = re.compile(
    r"</?(?:p|br|hr|h[1-6]|ul|ol|li|dl|dt|dd|div|blockquote|pre|table|tr|td|th|figure)\b[^>]*>"
)
TAG = re.compile(r"<[^>]*>")
# Characters XML 1.0 forbids; one pasted into a title would make the whole feed unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain_text(fragment: str) -> str:
    """Return the words of a sanitised HTML fragment, tags dropped and spaces tidied."""
    return " ".join(html.unescape(TAG.sub("", BLOCK_TAG.sub(" ", fragment))).split())


def first_words(text: str, limit: int = SHARE_TEXT_LENGTH) -> str:
    """Shorten ``text`` to at most ``limit`` characters, at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:–—-")
    return f"{cut}…"


def share_description(event: Event) -> str:
    """Describe the event for link previews: date, venue, then its summary or first words."""
    where = ", ".join(part for part in (date_range(event), event.venue_name) if part)
    words = event.summary or plain_text(event.description_html)
    return f"{where} — {first_words(words)}" if words else where


def calendar_uid(event: Event) -> str:
    """Return the event's calendar UID, the same on every download so apps update, not copy."""
    return f"event-{event.id}@{urlsplit(event_url(event)).hostname or 'localhost'}"


def build_calendar(event: Event, *, now: datetime | None = None) -> icalendar.Calendar:
    """Build an iCalendar with the event in its own time zone, that zone's rules included."""
    zone = ZoneInfo(event.timezone)
    url = event_url(event)
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{current_app.config['SITE_NAME']}//campwiki//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", calendar_uid(event))
    vevent.add("dtstamp", now or datetime.now(UTC))
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("summary", event.name)
    about = event.summary or first_words(plain_text(event.description_html), 500)
    vevent.add("description", "\n\n".join(part for part in (about, url) if part))
    place = [event.venue_name, *event.venue_address.splitlines()]
    location = ", ".join(line.strip() for line in place if line.strip())
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    # A proposal's date may still move; calendar apps show a tentative event as such.
    status = "TENTATIVE" if event.state == EventState.PROPOSAL else "CONFIRMED"
    vevent.add("status", status)
    calendar.add_component(vevent)
    calendar.add_missing_timezones(
        local(event, event.starts_at).date() - ZONE_RULES_MARGIN,
        local(event, event.ends_at).date() + ZONE_RULES_MARGIN,
    )
    return calendar


def make_qr(event: Event) -> segno.QRCode:
    """Return a QR code for the event page's absolute URL."""
    return segno.make(event_url(event), error=QR_ERROR, micro=False)


def qr_svg(event: Event) -> bytes:
    """Return the event's QR code as a scalable SVG, dark on white so it scans on any page."""
    out = io.BytesIO()
    make_qr(event).save(
        out,
        kind="svg",
        light="#fff",
        title=f"QR code for {event_url(event)}",
        svgclass=None,
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue()


def qr_png(event: Event, scale: int = 10) -> bytes:
    """Return the event's QR code as a PNG, ``scale`` pixels to a module, for printing."""
    out = io.BytesIO()
    make_qr(event).save(out, kind="png", scale=scale, light="#fff")
    return out.getvalue()


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


@bp.context_processor
def share_helpers() -> dict:
    """Give event templates the share text and absolute URLs their meta tags need."""
    return {
        "share_description": share_description,
        "event_url": event_url,
        "share_card_url": lambda event: external_url("events.share_card", slug=event.slug),
        "date_range": date_range,
    }


@bp.get("/<slug>/news.atom")
def news_feed(slug: str):
    """Offer the event's announcements as an Atom feed."""
    event = get_event(slug)
    items = feed_items(event)
    body = render_template(
        "events/news_feed.xml", event=event, items=items, updated=feed_updated(event, items)
    )
    response = Response(XML_ILLEGAL.sub("", body), mimetype="application/atom+xml")
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<slug>.ics")
def calendar(slug: str):
    """Download the event as an iCalendar file for any calendar app."""
    event = get_event(slug)
    data = build_calendar(event).to_ical()
    return send_file(
        io.BytesIO(data),
        mimetype="text/calendar",
        as_attachment=True,
        download_name=f"{event.slug}.ics",
        max_age=0,
    )


@bp.get("/<slug>/qr.<any(svg, png):kind>")
def qr_code(slug: str, kind: str):
    """Serve a QR code for the event page: SVG to show, PNG to download."""
    event = get_event(slug)
    if kind == "png":
        data = qr_png(event)
        response = send_file(
            io.BytesIO(data),
            mimetype="image/png",
            as_attachment=True,
            download_name=f"{event.slug}-qr.png",
            etag=hashlib.sha256(data).hexdigest()[:32],
            max_age=0,
        )
    else:
        response = Response(qr_svg(event), mimetype="image/svg+xml")
        # An SVG opened on its own is a document; this one needs no script, style or fetch.
        response.headers["Content-Security-Policy"] = QR_SVG_CSP
        response.add_etag()
        response.make_conditional(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<slug>/card.png")
def share_card(slug: str):
    """Serve the picture a shared link to the event shows (og:image)."""
    event = get_event(slug)
    data = card.share_card(event, current_app.config["SITE_NAME"])
    response = send_file(
        io.BytesIO(data),
        mimetype="image/png",
        etag=hashlib.sha256(data).hexdigest()[:32],
        max_age=3600,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/<slug>/poster")
def poster(slug: str):
    """Show an A4 poster for the event, with a QR code, ready to print."""
    event = get_event(slug)
    return render(
        "events/poster.html",
        event=event,
        url=event_url(event),
    )
