"""The moment the venue's screens read the programme at.

The real time, except that tests and the development server (the demo) may ask for another
moment with ``?at=2027-06-12T10:10`` (local time in the event's zone), so "now and next" can
be shown and checked on the event's day whenever it is. Production never reads ``at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, request


def overridable() -> bool:
    """Tell whether this app lets a request set the clock (tests and development only)."""
    return bool(current_app.testing or current_app.config.get("ENV") == "development")


def now(zone: ZoneInfo) -> datetime:
    """Return the moment to read the programme at, aware; ``zone`` reads a naive ``?at=``."""
    at = request.args.get("at", "")
    if not at or not overridable():
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        abort(400, "The time in ?at= must look like 2027-06-12T10:10.")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
