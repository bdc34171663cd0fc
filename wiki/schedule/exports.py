"""A published programme as the exports read it: frab's conference, calendar entries, CSV rows.

This module turns a ``Programme`` into the plain data of ``wiki.exports`` (whose writers make
the files); the routes that serve them, with their ETags, are in ``export_views.py``. It
knows nothing of requests: the addresses it writes come from a ``Links`` the view builds.

Identities stay put across versions so apps update rather than duplicate: a session's frab
GUID and iCalendar UID come from its ``guid`` (fixed for the pitch's life), a room's GUID
from the site, the event and the room's id (it survives a rename).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from wiki.exports import frab, ical, spreadsheet
from wiki.schedule.programme import Cancelled, Programme, Session

CSV_TYPE = "text/csv; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Links:
    """The absolute addresses an export writes, built by the caller (a view, a test).

    :param site: the site's address (``https://camp.example/``): frab's ``base_url`` and the
        root of the room GUIDs.
    :param programme: the programme page.
    :param pitch: a pitch id's page.
    :param page: a notes page's slug's address.
    """

    site: str
    programme: str
    pitch: Callable[[int], str]
    page: Callable[[str], str]

    @property
    def host(self) -> str:
        return urlsplit(self.site).hostname or "campwiki"


def acronym(slug: str) -> str:
    """Return frab's acronym for an event slug: lower case, ``_`` for anything else, 4+ long.

    ``govbarcamp-2026`` becomes ``govbarcamp_2026``, which both schemas accept.
    """
    folded = re.sub(r"[^a-z0-9_]+", "_", slug.lower()).strip("_") or "camp"
    if len(folded) < 4:
        folded = f"{folded}_camp"
    return folded


def room_guid(links: Links, event_id: int, room_id: int) -> str:
    return frab.stable_guid(links.site.rstrip("/"), "event", event_id, "room", room_id)


def host_names(hosts: str) -> list[str]:
    """Split a session's hosts ("Kit, with Pat, Sam") into people ("Kit, with Pat", "Sam")."""
    names: list[str] = []
    for part in (p.strip() for p in hosts.split(",")):
        if not part:
            continue
        if part.startswith("with ") and names:
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


def person_id(event_id: int, name: str) -> int:
    """Return a person's frab id: the programme keeps hosts' names only, so the id is made
    from the name (the same name is the same person on every export of the event)."""
    return zlib.crc32(f"{event_id}/{name}".encode()) % 2_000_000_000 + 1


def session_url(links: Links, session: Session) -> str:
    return links.pitch(session.pitch_id)


def description(links: Links, session: Session) -> str:
    """Say who hosts the session and where its pitch and notes are, for a calendar entry."""
    lines = [f"Hosted by {session.hosts}." if session.hosts else ""]
    lines.append(f"Pitch: {links.pitch(session.pitch_id)}")
    if session.page_slug:
        lines.append(f"Notes: {links.page(session.page_slug)}")
    return "\n".join(line for line in lines if line)


def conference(programme: Programme, links: Links, *, slug: str, event_id: int) -> frab.Conference:
    """Return frab's conference: the programme's days, every room in order, its version."""
    days = programme.days or (programme.local(stamp(programme)).date(),)
    return frab.Conference(
        acronym=acronym(slug),
        title=programme.event_name,
        start=days[0],
        end=days[-1],
        timezone=programme.timezone,
        version=programme.name,
        base_url=links.site,
        url=links.programme,
        rooms=[frab.Room(r.name, room_guid(links, event_id, r.id)) for r in programme.rooms],
    )


def frab_sessions(programme: Programme, links: Links, *, event_id: int) -> list[frab.Session]:
    """Return every placed session as frab's, in the programme's order."""
    out = []
    for s in programme.sessions:
        room = programme.room(s.room_id)
        if room is None:
            continue
        out.append(
            frab.Session(
                guid=s.guid,
                id=s.pitch_id,
                slug=s.page_slug or s.title,
                title=s.title,
                starts_at=s.starts_at,
                duration=s.ends_at - s.starts_at,
                room=room.name,
                url=session_url(links, s),
                track=s.format,
                type=s.format.lower() or "talk",
                abstract=s.summary,
                persons=[(person_id(event_id, n), n) for n in host_names(s.hosts)],
            )
        )
    return out


def calendar_uid(links: Links, guid: str) -> str:
    """Return the iCalendar UID of a session: its GUID at the site's host, on every version."""
    return f"{guid}@{links.host}"


def calendar_events(
    programme: Programme, links: Links, *, only: Collection[int] | None = None
) -> list[ical.CalendarEvent]:
    """Return one entry per session, and a CANCELLED one per dropped session.

    :param only: pitch ids to keep (a person's agenda); None keeps the whole programme.
    """
    out = []
    for s in programme.sessions:
        if only is not None and s.pitch_id not in only:
            continue
        room = programme.room(s.room_id)
        out.append(
            ical.CalendarEvent(
                uid=calendar_uid(links, s.guid),
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                timezone=programme.timezone,
                summary=s.title,
                sequence=s.sequence,
                description=description(links, s),
                url=session_url(links, s),
                location=room.name if room is not None else "",
            )
        )
    out.extend(
        cancelled_event(programme, links, c)
        for c in programme.cancelled
        if only is None or c.pitch_id in only
    )
    return out


def cancelled_event(programme: Programme, links: Links, gone: Cancelled) -> ical.CalendarEvent:
    """Return a dropped session as a cancelled entry, its sequence raised so apps take it."""
    return ical.CalendarEvent(
        uid=calendar_uid(links, gone.guid),
        starts_at=gone.starts_at,
        ends_at=gone.ends_at,
        timezone=programme.timezone,
        summary=gone.title,
        sequence=gone.sequence,
        description="This session was dropped from the programme.",
        status="CANCELLED",
    )


def rows(programme: Programme, links: Links) -> list[spreadsheet.ProgrammeRow]:
    """Return one spreadsheet row per session, rooms in the programme's order."""
    out = []
    for s in programme.sessions:
        room = programme.room(s.room_id)
        out.append(
            spreadsheet.ProgrammeRow(
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                timezone=programme.timezone,
                room=room.name if room is not None else "",
                title=s.title,
                url=session_url(links, s),
                hosts=host_names(s.hosts),
                family_friendly=s.family,
                kid_led=s.kid_led,
                tags=s.tags,
            )
        )
    return out


def stamp(programme: Programme) -> datetime:
    """Return the calendar's DTSTAMP: the publication, so one version is always one file."""
    return programme.published_at or datetime(2000, 1, 1, tzinfo=UTC)
