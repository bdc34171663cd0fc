"""Absolute addresses and dates of an event, as posters, feeds and e-mails show them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from wiki.events.models import Event
from wiki.urls import external_url


def event_url(event: Event, anchor: str | None = None) -> str:
    """Return the event page's absolute URL, the one posters and calendars point at."""
    return external_url("events.view", slug=event.slug, _anchor=anchor)


def local(event: Event, value: datetime) -> datetime:
    """Return ``value`` in the event's own time zone."""
    return value.astimezone(ZoneInfo(event.timezone))


def date_range(event: Event) -> str:
    """Say the event's dates briefly: "Sat 17 Oct 2026", or "Sat 17 – Sun 18 Oct 2026"."""
    starts, ends = local(event, event.starts_at), local(event, event.ends_at)
    last = f"{ends:%a} {ends.day} {ends:%b %Y}"
    if starts.date() == ends.date():
        return last
    if (starts.year, starts.month) == (ends.year, ends.month):
        return f"{starts:%a} {starts.day} – {last}"
    if starts.year == ends.year:
        return f"{starts:%a} {starts.day} {starts:%b} – {last}"
    return f"{starts:%a} {starts.day} {starts:%b %Y} – {last}"
