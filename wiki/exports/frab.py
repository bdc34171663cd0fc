"""The frab / c3voc conference schedule, as ``schedule.xml`` and ``schedule.json``.

The format conference apps read (Giggity, EventFahrplan, info-beamer, Engelsystem); both
documents validate against the schemas of https://github.com/voc/schedule (``validator/``).
Times are written in the conference's own zone with their offset, so an app shows the
local time whatever the phone's zone, and each day carries its own offset across a change
to or from summer time.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GENERATOR = "campwiki"
JSON_SCHEMA_URL = "https://c3voc.de/schedule/schema.json"

# The JSON schema's acronym pattern; the XML schema's ([a-z0-9_-]{4,}) accepts all of these.
ACRONYM = re.compile(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?")
# Zones the JSON schema's time_zone_name accepts; others ("Etc/GMT+1") are left unsaid.
JSON_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
# Characters XML 1.0 forbids; one pasted into a title would make the whole file unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The schemas write durations as H:MM with at most two digits of hours.
LONGEST = timedelta(hours=100)


def stable_guid(*parts: object) -> str:
    """Return a UUID that is the same for the same ``parts``, on every export.

    Pass what names the thing for good, starting with the site's address, e.g.
    ``stable_guid("https://camp.example", "slot", 12)``: a UUID 5 in the URL namespace, as
    the c3voc tools derive theirs, so the guid never changes when a title or time does.
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(str(part) for part in parts)))


def _http_url(value: str, what: str) -> None:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{what} must be an absolute http(s) URL: {value!r}")


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{what} must be a UUID: {value!r}") from None


@dataclass(frozen=True, slots=True)
class Room:
    """A room, in the order the programme shows rooms; ``guid`` stays when it is renamed."""

    name: str
    guid: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "guid", _uuid(self.guid, "a room's guid"))


@dataclass(frozen=True, slots=True)
class Conference:
    """The published programme's own details.

    :param acronym: lower-case, at least four characters (``barcamp_leeds27``).
    :param start: the first day, in the conference's zone; ``end`` the last, inclusive.
    :param timezone: an IANA zone name, e.g. ``Europe/London``.
    :param version: the programme's version name (``v2``), raised on each publication.
    :param base_url: the site's address; ``url`` the conference's page.
    :param rooms: every room, in order; each day lists them all, with or without sessions.
    :param day_start: when a day's programme starts, local; ``day_end`` when it ends (the
        next morning when not after ``day_start``). A session outside widens its day.
    :param day_change: a session before this local hour belongs to the previous day.
    """

    acronym: str
    title: str
    start: date
    end: date
    timezone: str
    version: str
    base_url: str
    url: str
    rooms: Sequence[Room] = ()
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    day_change: time = time(4, 0)
    timeslot_duration: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if not ACRONYM.fullmatch(self.acronym):
            raise ValueError(f"acronym must match {ACRONYM.pattern}: {self.acronym!r}")
        if self.end < self.start:
            raise ValueError("a conference cannot end before it starts")
        ZoneInfo(self.timezone)  # raises on an unknown zone
        _http_url(self.base_url, "base_url")
        _http_url(self.url, "url")
        names = [room.name for room in self.rooms]
        if len(set(names)) != len(names):
            raise ValueError("room names must be unique")
        object.__setattr__(self, "rooms", tuple(self.rooms))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Session:
    """One scheduled session, or one slot of a session that runs more than once.

    :param guid: a UUID that stays the same on every export (see :func:`stable_guid`);
        unique, like ``id``, across the programme, so a session held twice needs two.
    :param id: a positive number, unique across the programme.
    :param slug: the session's own short name (its page's slug); the export writes the
        event slug as ``<acronym>-<id>-<slug>``.
    :param starts_at: aware; written in the conference's zone.
    :param duration: whole minutes, under 100 hours.
    :param room: the name of one of the conference's rooms.
    :param persons: the hosts as ``(id, name)`` pairs.
    :param do_not_record: BarCamp sessions are not recorded unless the host says so.
    """

    guid: str
    id: int
    slug: str
    title: str
    starts_at: datetime
    duration: timedelta
    room: str
    url: str
    subtitle: str = ""
    track: str = ""
    type: str = "talk"
    language: str = ""
    abstract: str = ""
    description: str = ""
    persons: Sequence[tuple[int, str]] = ()
    do_not_record: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "guid", _uuid(self.guid, "a session's guid"))
        if self.id < 1:
            raise ValueError("a session's id must be positive")
        if self.starts_at.tzinfo is None:
            raise ValueError("sessions need aware datetimes")
        if not timedelta(0) < self.duration < LONGEST or self.duration % timedelta(minutes=1):
            raise ValueError(f"a duration must be whole minutes under 100 hours: {self.duration}")
        _http_url(self.url, "a session's url")
        object.__setattr__(self, "persons", tuple((int(i), n) for i, n in self.persons))

    @property
    def ends_at(self) -> datetime:
        # Elapsed time, not wall-clock time: a session across a change of offset still lasts.
        return (self.starts_at.astimezone(UTC) + self.duration).astimezone(self.starts_at.tzinfo)


@dataclass(frozen=True, slots=True)
class Day:
    """A conference day as the format groups it: rooms in order, sessions by start."""

    index: int
    date: date
    start: datetime
    end: datetime
    rooms: tuple[tuple[Room, tuple[Session, ...]], ...]


def days_of(conference: Conference, sessions: Sequence[Session]) -> list[Day]:
    """Group ``sessions`` by conference day and room; every day and room is listed.

    :raises ValueError: when a session is outside the conference's days or rooms, or two
        share a guid or an id (the XML schema requires both unique).
    """
    zone = conference.zone
    for attribute in ("guid", "id"):
        values = [getattr(s, attribute) for s in sessions]
        if len(set(values)) != len(values):
            raise ValueError(f"two sessions share a {attribute}")
    rooms = {room.name for room in conference.rooms}
    change = timedelta(hours=conference.day_change.hour, minutes=conference.day_change.minute)
    by_day: dict[date, list[Session]] = {}
    for session in sessions:
        if session.room not in rooms:
            raise ValueError(f"session {session.id} is in an unknown room {session.room!r}")
        local = session.starts_at.astimezone(zone).replace(tzinfo=None)
        by_day.setdefault((local - change).date(), []).append(session)
    count = (conference.end - conference.start).days + 1
    dates = [conference.start + timedelta(days=i) for i in range(count)]
    if stray := sorted(set(by_day) - set(dates)):
        raise ValueError(f"sessions fall outside the conference's days: {stray}")

    days = []
    for index, day in enumerate(dates, start=1):
        held = sorted(by_day.get(day, []), key=lambda s: (s.starts_at, s.id))
        start = datetime.combine(day, conference.day_start, tzinfo=zone)
        end_date = day if conference.day_end > conference.day_start else day + timedelta(1)
        end = datetime.combine(end_date, conference.day_end, tzinfo=zone)
        if held:
            start = min(start, min(s.starts_at for s in held).astimezone(zone))
            end = max(end, max(s.ends_at for s in held).astimezone(zone))
        in_rooms = tuple(
            (room, tuple(s for s in held if s.room == room.name)) for room in conference.rooms
        )
        days.append(Day(index, day, start, end, in_rooms))
    return days


def event_slug(conference: Conference, session: Session) -> str:
    """Return the event's slug, ``<acronym>-<id>-<slug>``, as both schemas spell slugs."""
    folded = unicodedata.normalize("NFKD", session.slug or session.title)
    tail = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode().lower())
    tail = tail.strip("-")
    if len(tail) < 2:
        tail = "-".join(filter(None, [tail, "session"]))
    return f"{conference.acronym.replace('-', '_')}-{session.id}-{tail}"


def _clean(value: str) -> str:
    # Dropped from both documents, so the XML and the JSON tell the same text.
    return XML_ILLEGAL.sub("", value)


def _time(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds")


def _hours_minutes(value: timedelta) -> str:
    minutes = int(value.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _tracks(sessions: Sequence[Session]) -> list[str]:
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.id))
    return list(dict.fromkeys(s.track for s in ordered if s.track))


def _sub(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text:
        element.text = _clean(text)
    return element


def _xml_event(parent: ET.Element, conference: Conference, session: Session) -> None:
    zone = conference.zone
    event = _sub(parent, "event", guid=session.guid, id=str(session.id))
    _sub(event, "date", _time(session.starts_at, zone))
    _sub(event, "start", session.starts_at.astimezone(zone).strftime("%H:%M"))
    _sub(event, "duration", _hours_minutes(session.duration))
    _sub(event, "room", session.room)
    _sub(event, "slug", event_slug(conference, session))
    _sub(event, "url", session.url)
    recording = _sub(event, "recording")
    _sub(recording, "license")
    _sub(recording, "optout", "true" if session.do_not_record else "false")
    _sub(event, "title", session.title)
    _sub(event, "subtitle", session.subtitle)
    _sub(event, "track", session.track)
    _sub(event, "type", session.type)
    if session.language:
        _sub(event, "language", session.language)
    _sub(event, "abstract", session.abstract)
    _sub(event, "description", session.description)
    persons = _sub(event, "persons")
    for person_id, name in session.persons:
        _sub(persons, "person", name, id=str(person_id))
    _sub(event, "links")
    _sub(event, "attachments")


def schedule_xml(conference: Conference, sessions: Sequence[Session]) -> bytes:
    """Return ``schedule.xml``: UTF-8, every day of the conference, every room each day."""
    days = days_of(conference, sessions)
    zone = conference.zone
    root = ET.Element("schedule")
    _sub(root, "generator", name=GENERATOR)
    _sub(root, "version", conference.version)
    head = _sub(root, "conference")
    _sub(head, "acronym", conference.acronym)
    _sub(head, "title", conference.title)
    _sub(head, "start", conference.start.isoformat())
    _sub(head, "end", conference.end.isoformat())
    _sub(head, "days", str(len(days)))
    _sub(head, "timeslot_duration", _hours_minutes(conference.timeslot_duration))
    _sub(head, "base_url", conference.base_url)
    _sub(head, "url", conference.url)
    _sub(head, "time_zone_name", conference.timezone)
    for track in _tracks(sessions):
        _sub(head, "track", track, name=track)
    for day in days:
        element = _sub(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=_time(day.start, zone),
            end=_time(day.end, zone),
        )
        for room, held in day.rooms:
            room_element = _sub(element, "room", name=room.name, guid=room.guid)
            for session in held:
                _xml_event(room_element, conference, session)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _json_event(conference: Conference, session: Session) -> dict[str, object]:
    zone = conference.zone
    return {
        "guid": session.guid,
        "id": session.id,
        "date": _time(session.starts_at, zone),
        "start": session.starts_at.astimezone(zone).strftime("%H:%M"),
        "end": _time(session.ends_at, zone),
        "duration": _hours_minutes(session.duration),
        "room": session.room,
        "slug": event_slug(conference, session),
        "url": session.url,
        "title": _clean(session.title),
        "subtitle": _clean(session.subtitle),
        "track": _clean(session.track) or None,
        "type": session.type,
        "language": session.language or None,
        "abstract": _clean(session.abstract),
        "description": _clean(session.description),
        "do_not_record": session.do_not_record,
        # frab's person shape; the schema takes exactly one of frab's and pretalx's.
        "persons": [{"id": i, "public_name": _clean(name)} for i, name in session.persons],
        "links": [],
    }


def schedule_json(conference: Conference, sessions: Sequence[Session]) -> bytes:
    """Return ``schedule.json``: the same programme as :func:`schedule_xml`, UTF-8."""
    days = days_of(conference, sessions)
    zone = conference.zone
    head: dict[str, object] = {
        "acronym": conference.acronym,
        "title": _clean(conference.title),
        "start": conference.start.isoformat(),
        "end": conference.end.isoformat(),
        "daysCount": len(days),
        "timeslot_duration": _hours_minutes(conference.timeslot_duration),
    }
    if JSON_ZONE_NAME.match(conference.timezone):
        head["time_zone_name"] = conference.timezone
    head["url"] = conference.url
    head["tracks"] = [{"name": track} for track in _tracks(sessions)]
    head["rooms"] = [{"name": room.name, "guid": room.guid} for room in conference.rooms]
    head["days"] = [
        {
            "index": day.index,
            "date": day.date.isoformat(),
            "day_start": _time(day.start, zone),
            "day_end": _time(day.end, zone),
            "rooms": {
                room.name: [_json_event(conference, s) for s in held] for room, held in day.rooms
            },
        }
        for day in days
    ]
    document = {
        "$schema": JSON_SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": conference.version,
            "base_url": conference.base_url,
            "conference": head,
        },
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
