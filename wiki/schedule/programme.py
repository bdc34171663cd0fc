"""A published programme as people read it: rooms, slots and the sessions placed in them.

A version stores its programme whole (``ScheduleVersion.programme``, JSON), written once when
it is published: titles, hosts and times as they were then. Every public page and every
export reads a ``Programme`` from there, never the draft, so v1 reads the same after v2.

Each session carries two things calendar and conference apps need to follow it across
versions: a ``guid`` fixed for the pitch's life (the frab GUID, the iCalendar UID) and a
``sequence`` raised whenever its time, room or title changes (iCalendar's SEQUENCE). Sessions
dropped from the programme stay listed in ``cancelled`` with a raised sequence, so a calendar
app that imported them is told they are off rather than left with a ghost.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

# The namespace of every campwiki session GUID (uuid5 of the event and pitch under it).
GUID_NAMESPACE = uuid.UUID("5b0c2f7e-3a63-4d1e-9d0a-6f1f3c2b8e41")


def session_guid(event_id: int, event_created: datetime, pitch_id: int) -> str:
    """Return the GUID a pitch keeps in every version of its event's programme."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{event_id}/{event_created.isoformat()}/{pitch_id}"))


@dataclass(frozen=True)
class RoomInfo:
    id: int
    name: str
    capacity: int
    family_friendly: bool = False
    step_free: bool = False
    facilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlotInfo:
    id: int
    starts_at: datetime
    ends_at: datetime
    kind: str = "session"
    label: str = ""
    family: bool = False

    @property
    def is_session(self) -> bool:
        return self.kind == "session"


@dataclass(frozen=True)
class Session:
    """One session as the programme shows it."""

    pitch_id: int
    guid: str
    title: str
    hosts: str
    room_id: int
    slot_ids: tuple[int, ...]
    starts_at: datetime
    ends_at: datetime
    family: bool = False
    kid_led: bool = False
    tags: tuple[str, ...] = ()
    format: str = ""
    summary: str = ""
    page_slug: str | None = None
    sequence: int = 0

    def placed_like(self, other: Session) -> bool:
        """Tell whether a calendar would see no change between the two."""
        return (self.room_id, self.starts_at, self.ends_at, self.title) == (
            other.room_id,
            other.starts_at,
            other.ends_at,
            other.title,
        )


@dataclass(frozen=True)
class Cancelled:
    """A session an earlier version had and this one dropped."""

    pitch_id: int
    guid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    sequence: int


@dataclass(frozen=True)
class Programme:
    """A whole programme: what one version published."""

    event_name: str
    timezone: str
    rooms: tuple[RoomInfo, ...]
    slots: tuple[SlotInfo, ...]
    sessions: tuple[Session, ...]
    cancelled: tuple[Cancelled, ...] = ()
    number: int = 0
    published_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"v{self.number}"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    @cached_property
    def by_pitch(self) -> dict[int, Session]:
        return {s.pitch_id: s for s in self.sessions}

    @cached_property
    def room_by_id(self) -> dict[int, RoomInfo]:
        return {r.id: r for r in self.rooms}

    @cached_property
    def slot_by_id(self) -> dict[int, SlotInfo]:
        return {s.id: s for s in self.slots}

    def session(self, pitch_id: int) -> Session | None:
        return self.by_pitch.get(pitch_id)

    def room(self, room_id: int) -> RoomInfo | None:
        return self.room_by_id.get(room_id)

    @cached_property
    def days(self) -> tuple[date, ...]:
        """The local dates the programme's slots fall on, in order."""
        return tuple(sorted({self.local(s.starts_at).date() for s in self.slots}))

    @cached_property
    def sessions_by_slot(self) -> dict[int, list[Session]]:
        """Every slot's sessions (a two-slot session under both), in room order."""
        order = {r.id: k for k, r in enumerate(self.rooms)}
        at: dict[int, list[Session]] = defaultdict(list)
        for session in self.sessions:
            for slot_id in session.slot_ids:
                at[slot_id].append(session)
        for sessions in at.values():
            sessions.sort(key=lambda s: (order.get(s.room_id, len(order)), s.title))
        return dict(at)

    def place_words(self, session: Session | Cancelled) -> str:
        """Say where and when a session is: "Room B 10:00" (with the day, on a longer event)."""
        start = self.local(session.starts_at)
        when = start.strftime("%H:%M")
        if len(self.days) > 1:
            when = f"{start.strftime('%a')} {when}"
        room = self.room(session.room_id) if isinstance(session, Session) else None
        return f"{room.name} {when}" if room is not None else when


# JSON: the programme's own shape, times as ISO 8601 in UTC.


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def to_json(programme: Programme) -> str:
    data = {
        "event_name": programme.event_name,
        "timezone": programme.timezone,
        "rooms": [asdict(r) for r in programme.rooms],
        "slots": [asdict(s) for s in programme.slots],
        "sessions": [asdict(s) for s in programme.sessions],
        "cancelled": [asdict(c) for c in programme.cancelled],
    }
    return json.dumps(_encode(data), separators=(",", ":"), ensure_ascii=False)


def _times(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    out = dict(data)
    for name in names:
        out[name] = datetime.fromisoformat(out[name])
    return out


def from_json(text: str, *, number: int = 0, published_at: datetime | None = None) -> Programme:
    data = json.loads(text)
    return Programme(
        event_name=data["event_name"],
        timezone=data["timezone"],
        rooms=tuple(RoomInfo(**{**r, "facilities": tuple(r["facilities"])}) for r in data["rooms"]),
        slots=tuple(SlotInfo(**_times(s, "starts_at", "ends_at")) for s in data["slots"]),
        sessions=tuple(
            Session(
                **{
                    **_times(s, "starts_at", "ends_at"),
                    "slot_ids": tuple(s["slot_ids"]),
                    "tags": tuple(s["tags"]),
                }
            )
            for s in data["sessions"]
        ),
        cancelled=tuple(
            Cancelled(**_times(c, "starts_at", "ends_at")) for c in data.get("cancelled", [])
        ),
        number=number,
        published_at=published_at,
    )


# Following the versions: sequences, cancellations and the change log.


def carry_over(programme: Programme, previous: Programme | None) -> Programme:
    """Give ``programme`` its GUIDs' history: sequences raised where a session changed, and
    the sessions dropped since ``previous`` (or dropped earlier and still off) as cancelled."""
    if previous is None:
        return programme
    sessions = []
    earlier_cancel = {c.pitch_id: c for c in previous.cancelled}
    for session in programme.sessions:
        before = previous.session(session.pitch_id)
        if before is not None:
            sequence = before.sequence + (0 if session.placed_like(before) else 1)
            session = replace(session, guid=before.guid, sequence=sequence)
        elif session.pitch_id in earlier_cancel:
            gone = earlier_cancel[session.pitch_id]
            session = replace(session, guid=gone.guid, sequence=gone.sequence + 1)
        sessions.append(session)
    present = {s.pitch_id for s in sessions}
    cancelled = [c for c in previous.cancelled if c.pitch_id not in present]
    for before in previous.sessions:
        if before.pitch_id not in present:
            cancelled.append(
                Cancelled(
                    pitch_id=before.pitch_id,
                    guid=before.guid,
                    title=before.title,
                    starts_at=before.starts_at,
                    ends_at=before.ends_at,
                    sequence=before.sequence + 1,
                )
            )
    return replace(programme, sessions=tuple(sessions), cancelled=tuple(cancelled))


@dataclass(frozen=True)
class Change:
    """One line of a version's change log."""

    kind: str  # added, moved, renamed, dropped
    pitch_id: int
    title: str
    before: str = ""
    after: str = ""

    @property
    def text(self) -> str:
        """The change in plain words, the title between asterisks (rendered as emphasis)."""
        title = f"*{self.title}*"
        if self.kind == "added":
            return f"{title} was added: {self.after}."
        if self.kind == "dropped":
            return f"{title} was dropped (it was {self.before})."
        if self.kind == "renamed":
            return f"*{self.before}* is now called {title}."
        return f"{title} moved from {self.before} to {self.after}."

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text}


def changes(previous: Programme | None, programme: Programme) -> list[Change]:
    """Say what changed from ``previous`` to ``programme``, session by session, in time order."""
    if previous is None:
        return []
    said: list[tuple[datetime, Change]] = []
    for session in programme.sessions:
        before = previous.session(session.pitch_id)
        if before is None:
            said.append(
                (
                    session.starts_at,
                    Change(
                        "added",
                        session.pitch_id,
                        session.title,
                        after=programme.place_words(session),
                    ),
                )
            )
            continue
        if before.title != session.title:
            said.append(
                (
                    session.starts_at,
                    Change("renamed", session.pitch_id, session.title, before=before.title),
                )
            )
        was, now = previous.place_words(before), programme.place_words(session)
        if (before.room_id, before.starts_at, before.ends_at) != (
            session.room_id,
            session.starts_at,
            session.ends_at,
        ):
            if was == now:  # same room and start, another length
                now = f"{now}, until {programme.local(session.ends_at):%H:%M}"
                was = f"{was}, until {previous.local(before.ends_at):%H:%M}"
            said.append(
                (session.starts_at, Change("moved", session.pitch_id, session.title, was, now))
            )
    for before in previous.sessions:
        if programme.session(before.pitch_id) is None:
            said.append(
                (
                    before.starts_at,
                    Change(
                        "dropped",
                        before.pitch_id,
                        before.title,
                        before=previous.place_words(before),
                    ),
                )
            )
    said.sort(key=lambda pair: (pair[0], pair[1].title))
    return [change for _, change in said]


def changes_from_json(text: str) -> list[Change]:
    return [
        Change(c["kind"], c["pitch_id"], c["title"], c.get("before", ""), c.get("after", ""))
        for c in json.loads(text or "[]")
    ]


def changes_to_json(items: Iterable[Change]) -> str:
    return json.dumps([c.as_dict() for c in items], ensure_ascii=False)


@dataclass
class Filters:
    """What a reader narrowed the programme to (query parameters, so a link keeps them)."""

    family: bool = False
    kid_led: bool = False
    step_free: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    room: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.family or self.kid_led or self.step_free or self.tags or self.room)

    def keeps(self, programme: Programme, session: Session) -> bool:
        if self.family and not (session.family or session.kid_led):
            return False
        if self.kid_led and not session.kid_led:
            return False
        room = programme.room(session.room_id)
        if self.step_free and not (room is not None and room.step_free):
            return False
        if self.room is not None and session.room_id != self.room:
            return False
        return not self.tags or bool(set(self.tags) & set(session.tags))


def now_and_next(
    programme: Programme, moment: datetime, *, room: int | None = None
) -> tuple[list[Session], list[Session]]:
    """Return what runs at ``moment`` and what starts next (all at the next start time).

    ``room`` narrows both to one room (a door's screen).
    """
    sessions = [s for s in programme.sessions if room is None or s.room_id == room]
    order = {r.id: k for k, r in enumerate(programme.rooms)}
    now = sorted(
        (s for s in sessions if s.starts_at <= moment < s.ends_at),
        key=lambda s: order.get(s.room_id, 0),
    )
    later = [s for s in sessions if s.starts_at > moment]
    if not later:
        return now, []
    first = min(s.starts_at for s in later)
    upcoming = sorted(
        (s for s in later if s.starts_at == first), key=lambda s: order.get(s.room_id, 0)
    )
    return now, upcoming
