"""Schedule rules: an event's rooms and slots saved whole, who cannot be there when, pitches
made on the day, and copying rooms and slots onto a copied event.

Rooms and slots are saved as a whole grid: every row is checked first, and only when none is
wrong does anything change, so a bad row never leaves the others half-saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wiki.accounts.models import User
from wiki.events.models import Event
from wiki.events.signals import event_copied
from wiki.extensions import db
from wiki.live import services as live
from wiki.pitches.models import Audience, Pitch, PitchFormat, PitchStatus
from wiki.pitches.services import children_of
from wiki.rules import RuleError
from wiki.schedule import layout
from wiki.schedule.models import (
    FACILITIES,
    GuestHost,
    PitchGuestHost,
    Room,
    SlotKind,
    TimeSlot,
    Unavailability,
)
from wiki.schedule.problems import event_rooms, event_slots
from wiki.words import plural

MAX_ROOMS = 60
MAX_SLOTS = 120
MAX_NAME = 80
MAX_TITLE = 120


class ScheduleError(RuleError):
    """A rule about rooms, slots or day pitches is broken; ``field`` names the input."""


class GridError(RuleError):
    """Rows of a grid form that break rules: ``problems`` holds (row, field, message).

    Nothing was saved; the view shows each message beside its row's field.
    """

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        super().__init__(
            problems[0][1] if problems else "rows",
            f"Nothing was saved: {plural(len(problems), 'problem')} to fix, marked below.",
        )


@dataclass(frozen=True)
class RoomRow:
    """One row of the rooms grid, as typed (``id`` None for a new room)."""

    id: int | None
    name: str
    capacity: int | None
    family_friendly: bool = False
    step_free: bool = False
    facilities: tuple[str, ...] = ()
    order: int | None = None
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        return self.id is None and not self.name.strip() and self.capacity is None


@dataclass(frozen=True)
class SlotRow:
    """One row of the slots grid, as typed, in the event's local time."""

    id: int | None
    day: date | None
    start: time | None
    end: time | None
    kind: str = SlotKind.SESSION
    label: str = ""
    family_hours: bool = False
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        return self.id is None and self.day is None and self.start is None and self.end is None


def _zone(event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def save_rooms(event: Event, rows: Iterable[RoomRow]) -> list[Room]:
    """Make the event's rooms exactly the rows given (less removed and blank ones)."""
    rows = list(rows)
    existing = {room.id: room for room in event_rooms(event)}
    problems: list[tuple[int, str, str]] = []
    kept: list[tuple[int, RoomRow]] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.is_blank or row.remove:
            continue
        if row.id is not None and row.id not in existing:
            problems.append((index, "name", "This room is no longer there; reload the page."))
            continue
        name = " ".join(row.name.split())
        if not name:
            problems.append((index, "name", "Give the room a name."))
        elif len(name) > MAX_NAME:
            problems.append((index, "name", f"Keep the name under {MAX_NAME} characters."))
        elif name.casefold() in seen:
            problems.append(
                (index, "name", f"Another room is called “{name}”: each room needs its own name.")
            )
        else:
            seen[name.casefold()] = index
        if row.capacity is None:
            problems.append((index, "capacity", "Say how many people the room holds."))
        elif row.capacity < 1:
            problems.append((index, "capacity", "A room holds at least one person."))
        if set(row.facilities) - {f.value for f in FACILITIES}:
            problems.append((index, "facilities", "Choose facilities from the list."))
        kept.append((index, row))
    if len(kept) > MAX_ROOMS:
        problems.append((0, "name", f"An event can have at most {MAX_ROOMS} rooms."))
    if problems:
        raise GridError(problems)
    # A row without an order keeps its place (the page numbers rows from 1).
    kept.sort(key=lambda item: (item[0] + 1 if item[1].order is None else item[1].order, item[0]))
    keep_ids = {row.id for _, row in kept if row.id is not None}
    for room_id, room in existing.items():
        if room_id not in keep_ids:
            db.session.delete(room)
    # Free every name first, so two rooms can swap names without tripping the unique rule.
    for room_id in keep_ids:
        existing[room_id].name = f"~{room_id}~"
    db.session.flush()
    saved = []
    for position, (_, row) in enumerate(kept, start=1):
        room = existing[row.id] if row.id is not None else Room(event_id=event.id)
        room.name = " ".join(row.name.split())
        room.capacity = row.capacity
        room.family_friendly = row.family_friendly
        room.step_free = row.step_free
        room.facilities = ",".join(sorted(set(row.facilities)))
        room.position = position
        db.session.add(room)
        saved.append(room)
    db.session.flush()
    return saved


def save_slots(event: Event, rows: Iterable[SlotRow]) -> list[TimeSlot]:
    """Make the event's time slots exactly the rows given (less removed and blank ones)."""
    rows = list(rows)
    zone = _zone(event)
    existing = {slot.id: slot for slot in event_slots(event)}
    problems: list[tuple[int, str, str]] = []
    timed: list[tuple[int, datetime, datetime, SlotRow]] = []
    for index, row in enumerate(rows):
        if row.is_blank or row.remove:
            continue
        if row.id is not None and row.id not in existing:
            problems.append((index, "day", "This slot is no longer there; reload the page."))
            continue
        missing = False
        for name, value, what in (
            ("day", row.day, "Choose the day."),
            ("start", row.start, "Say when the slot starts."),
            ("end", row.end, "Say when the slot ends."),
        ):
            if value is None:
                problems.append((index, name, what))
                missing = True
        if row.kind not in {k.value for k in SlotKind}:
            problems.append((index, "kind", "Choose what the slot is for."))
        if len(row.label.strip()) > MAX_NAME:
            problems.append((index, "label", f"Keep the label under {MAX_NAME} characters."))
        if missing:
            continue
        starts = datetime.combine(row.day, row.start, zone)
        ends = datetime.combine(row.day, row.end, zone)
        if ends <= starts:
            problems.append(
                (
                    index,
                    "end",
                    f"This slot ends ({layout.clock(row.end)}) before it starts "
                    f"({layout.clock(row.start)}).",
                )
            )
            continue
        timed.append((index, starts, ends, row))
    for first, second in layout.overlaps([(s, e) for _, s, e, _ in timed]):
        a, b = timed[first], timed[second]
        for this, other in ((a, b), (b, a)):
            problems.append(
                (
                    this[0],
                    "start",
                    f"Overlaps {layout.describe(other[3].label, other[1], other[2])}.",
                )
            )
    if len(timed) > MAX_SLOTS:
        problems.append((0, "day", f"An event can have at most {MAX_SLOTS} time slots."))
    if problems:
        raise GridError(sorted(set(problems)))
    keep_ids = {row.id for *_, row in timed if row.id is not None}
    for slot_id, slot in existing.items():
        if slot_id not in keep_ids:
            db.session.delete(slot)
    saved = []
    for _, starts, ends, row in sorted(timed, key=lambda item: item[1]):
        slot = existing[row.id] if row.id is not None else TimeSlot(event_id=event.id)
        slot.starts_at = starts
        slot.ends_at = ends
        slot.kind = row.kind
        slot.label = " ".join(row.label.split())
        slot.family_hours = row.family_hours and row.kind == SlotKind.SESSION
        db.session.add(slot)
        saved.append(slot)
    db.session.flush()
    return saved


def slot_rows(event: Event) -> list[SlotRow]:
    """Return the event's slots as rows of the grid, in the event's local time."""
    zone = _zone(event)
    rows = []
    for slot in event_slots(event):
        start = slot.starts_at.astimezone(zone)
        end = slot.ends_at.astimezone(zone)
        rows.append(
            SlotRow(
                id=slot.id,
                day=start.date(),
                start=start.time().replace(tzinfo=None),
                end=end.time().replace(tzinfo=None),
                kind=slot.kind,
                label=slot.label,
                family_hours=slot.family_hours,
            )
        )
    return rows


def event_days(event: Event) -> list[date]:
    """Return the local dates the event runs on, first to last."""
    zone = _zone(event)
    first = event.starts_at.astimezone(zone).date()
    last = event.ends_at.astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)][:14]


# --- who cannot be there -------------------------------------------------------------------


@dataclass(frozen=True)
class Absentee:
    """Someone whose unavailability a person may mark: themselves, a child, a guest host."""

    key: str  # "me", "c<child id>", "g<guest host id>"
    name: str
    user_id: int | None = None
    child_id: int | None = None
    guest_host_id: int | None = None


def guest_hosts(event: Event) -> list[GuestHost]:
    """Return the event's guest hosts, first added first."""
    return list(
        db.session.scalars(
            select(GuestHost).where(GuestHost.event_id == event.id).order_by(GuestHost.id)
        )
    )


def absentees_for(event: Event, user: User) -> list[Absentee]:
    """Return whose unavailability ``user`` may mark: themselves, their children, and (for a
    facilitator) the event's guest hosts."""
    people = [Absentee("me", user.display_name, user_id=user.id)]
    people += [
        Absentee(f"c{child.id}", child.first_name, child_id=child.id)
        for child in children_of(event, user)
    ]
    if user.is_facilitator:
        people += [
            Absentee(f"g{guest.id}", guest.name, guest_host_id=guest.id)
            for guest in guest_hosts(event)
            if guest.claimed_by_id is None
        ]
    return people


def _marks_of(event: Event, person: Absentee):
    query = select(Unavailability).where(Unavailability.event_id == event.id)
    if person.user_id is not None:
        return query.where(Unavailability.user_id == person.user_id)
    if person.child_id is not None:
        return query.where(Unavailability.child_id == person.child_id)
    return query.where(Unavailability.guest_host_id == person.guest_host_id)


def unavailable_slots(event: Event, person: Absentee) -> set[int]:
    """Return the ids of the slots ``person`` said they cannot be there for."""
    return {mark.slot_id for mark in db.session.scalars(_marks_of(event, person))}


def set_unavailable(event: Event, person: Absentee, slot_ids: Iterable[int]) -> None:
    """Make ``person``'s unavailability exactly ``slot_ids`` (session slots of the event)."""
    sessions = {s.id for s in event_slots(event) if s.is_session}
    wanted = set(slot_ids)
    if wanted - sessions:
        raise ScheduleError("slots", "Choose session slots of this event.")
    for mark in db.session.scalars(_marks_of(event, person)):
        if mark.slot_id not in wanted:
            db.session.delete(mark)
        else:
            wanted.discard(mark.slot_id)
    for slot_id in sorted(wanted):
        db.session.add(
            Unavailability(
                event_id=event.id,
                slot_id=slot_id,
                user_id=person.user_id,
                child_id=person.child_id,
                guest_host_id=person.guest_host_id,
            )
        )
    db.session.flush()


# --- pitches on the day --------------------------------------------------------------------


@dataclass(frozen=True)
class DayPitchDetails:
    title: str
    host_name: str
    length_slots: int = 1
    family_friendly: bool = False


def add_day_pitch(event: Event, details: DayPitchDetails, by: User) -> Pitch:
    """Add a session pitched on the day, hosted by a guest known by the name typed."""
    title = " ".join(details.title.split())
    name = " ".join(details.host_name.split())
    if event.is_archived:
        raise ScheduleError("title", "This event is over and archived; it can no longer change.")
    if not title:
        raise ScheduleError("title", "Give the session a title.")
    if len(title) > MAX_TITLE:
        raise ScheduleError("title", f"Keep the title under {MAX_TITLE} characters.")
    if not name:
        raise ScheduleError("host_name", "Type the host's name, as they gave it.")
    if len(name) > MAX_NAME:
        raise ScheduleError("host_name", f"Keep the name under {MAX_NAME} characters.")
    if details.length_slots not in (1, 2):
        raise ScheduleError("length_slots", "A session lasts one or two slots.")
    guest = GuestHost(event_id=event.id, name=name, created_by_id=by.id)
    pitch = Pitch(
        event_id=event.id,
        title=title,
        format=PitchFormat.TALK,
        length_slots=details.length_slots,
        audience=Audience.FAMILY if details.family_friendly else Audience.EVERYONE,
        created_by_id=by.id,
        status=PitchStatus.ACTIVE,
    )
    db.session.add_all([guest, pitch])
    db.session.flush()
    db.session.add(PitchGuestHost(pitch_id=pitch.id, guest_host_id=guest.id))
    db.session.flush()
    db.session.expire(pitch, ["guest_host"])
    live.publish(live.event_topic(event.id), "pitch-added", {"pitch": pitch.id})  # open boards
    return pitch


def day_pitches(event: Event) -> list[Pitch]:
    """Return the event's pitches made on the day, newest first."""
    return list(
        db.session.scalars(
            select(Pitch)
            .join(PitchGuestHost, PitchGuestHost.pitch_id == Pitch.id)
            .where(Pitch.event_id == event.id)
            .order_by(Pitch.id.desc())
        )
    )


def find_guest_host(event: Event, guest_id: int | None) -> GuestHost | None:
    """Return the event's guest host with this id, or None."""
    if guest_id is None:
        return None
    guest = db.session.get(GuestHost, guest_id)
    return guest if guest is not None and guest.event_id == event.id else None


def claim_guest_host(event: Event, guest: GuestHost, user: User) -> None:
    """Link a guest host to the account that says it was them: their pitches become the
    account's, and what the guest could not attend, the account cannot either."""
    if guest.event_id != event.id:
        raise ScheduleError("username", "That guest host belongs to another event.")
    if guest.claimed_by_id is not None:
        raise ScheduleError("username", f"{guest.name} is already linked to an account.")
    guest.claimed_by_id = user.id
    pitch_ids = select(PitchGuestHost.pitch_id).where(PitchGuestHost.guest_host_id == guest.id)
    for pitch in db.session.scalars(select(Pitch).where(Pitch.id.in_(pitch_ids))):
        if pitch.host_id is None:
            pitch.host_id = user.id
    mine = {
        m.slot_id
        for m in db.session.scalars(
            select(Unavailability).where(
                Unavailability.event_id == event.id, Unavailability.user_id == user.id
            )
        )
    }
    for mark in db.session.scalars(
        select(Unavailability).where(Unavailability.guest_host_id == guest.id)
    ):
        if mark.slot_id in mine:
            db.session.delete(mark)
        else:
            mark.guest_host_id = None
            mark.user_id = user.id
    db.session.flush()


# --- copying an event ----------------------------------------------------------------------


def copy_layout(source: Event, target: Event) -> None:
    """Give ``target`` the rooms of ``source`` and its slots, moved onto target's dates."""
    if event_rooms(target) or event_slots(target):
        return
    for room in event_rooms(source):
        db.session.add(
            Room(
                event_id=target.id,
                name=room.name,
                capacity=room.capacity,
                family_friendly=room.family_friendly,
                step_free=room.step_free,
                facilities=room.facilities,
                position=room.position,
            )
        )
    source_zone, target_zone = _zone(source), _zone(target)
    shift = (
        target.starts_at.astimezone(target_zone).date()
        - source.starts_at.astimezone(source_zone).date()
    )
    for slot in event_slots(source):
        # Same wall-clock times on the shifted dates, whatever the clocks did in between.
        start = slot.starts_at.astimezone(source_zone)
        end = slot.ends_at.astimezone(source_zone)
        db.session.add(
            TimeSlot(
                event_id=target.id,
                starts_at=datetime.combine(start.date() + shift, start.time(), target_zone),
                ends_at=datetime.combine(end.date() + shift, end.time(), target_zone),
                kind=slot.kind,
                label=slot.label,
                family_hours=slot.family_hours,
            )
        )
    db.session.flush()


@event_copied.connect
def _copy_on_event_copied(event: Event, source: Event, **_extra) -> None:
    copy_layout(source, event)
