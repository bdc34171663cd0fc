"""iCalendar files: any number of events, each in its own time zone, that zone's rules included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

# The VTIMEZONE covers the events and a week either side. Spelled out as plain offsets
# (no decades of RDATE lists), it reads the same in every calendar app, even one that
# does not know the zone's name.
ZONE_RULES_MARGIN = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One entry of a calendar file.

    :param uid: the same on every download, so calendar apps update the entry, not copy it.
    :param sequence: raised each time the entry changes after it was first published.
    :param starts_at: aware; written in ``timezone``, the zone the entry happens in.
    """

    uid: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    summary: str
    sequence: int = 0
    description: str = ""
    url: str = ""
    location: str = ""
    # TENTATIVE for a date that may still move; calendar apps show it as such.
    status: str = "CONFIRMED"

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("calendar events need aware datetimes")


def calendar(events: Sequence[CalendarEvent], *, product: str, stamp: datetime) -> bytes:
    """Return an iCalendar file (CRLF lines, folded) holding ``events``.

    :param product: who made the file, for PRODID: a site name.
    :param stamp: when the file was made (DTSTAMP), aware.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{product}//campwiki//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for event in events:
        zone = ZoneInfo(event.timezone)
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        if event.sequence:
            vevent.add("sequence", event.sequence)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.starts_at.astimezone(zone))
        vevent.add("dtend", event.ends_at.astimezone(zone))
        vevent.add("summary", event.summary)
        if event.description:
            vevent.add("description", event.description)
        if event.location:
            vevent.add("location", event.location)
        if event.url:
            vevent.add("url", event.url)
        vevent.add("status", event.status)
        cal.add_component(vevent)
    if events:
        first = min(e.starts_at.astimezone(ZoneInfo(e.timezone)).date() for e in events)
        last = max(e.ends_at.astimezone(ZoneInfo(e.timezone)).date() for e in events)
        cal.add_missing_timezones(first - ZONE_RULES_MARGIN, last + ZONE_RULES_MARGIN)
    return cal.to_ical()
