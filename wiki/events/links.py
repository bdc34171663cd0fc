"""Absolute addresses and dates of an event, as posters, feeds and e-mails show them."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for

from wiki.events.models import Event


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL: the request's host inside a request, else ``BASE_URL``'s."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


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
