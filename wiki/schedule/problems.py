"""Build the solver's problem (FORMAT.md) for an event from the database.

Ids are stable strings: ``r<room id>``, ``s<slot id>``, ``p<pitch id>``, ``u<user id>`` for an
account, ``c<child id>`` for a child of a household, ``g<guest host id>`` for someone who
pitched on the day without an account.

What goes in:

- every slot of the event in time order (breaks, meals and plenaries too, so that a two-slot
  session is never planned across one); ``day`` counts the event's local dates;
- every room, in the facilitators' order;
- active pitches that have a host (wishes wait for one); a pitch led by a child is kid-led,
  hosted by the child with the parent as guardian; a day pitch is hosted by its guest host,
  or by the account that claimed it;
- every (ballot, pitch) pair with dots as one vote, at the time the pair last changed (see
  ``wiki.schedule.models``); a child's ballot votes as the child, placed by the guardian;
- people: everyone the pitches, votes and unavailability name;
- times in hours after voting first opened; a pitch submitted before that counts from 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wiki.events.models import Event, EventState, EventStateChange, Rsvp, RsvpChild
from wiki.extensions import db
from wiki.pitches.models import Audience, Ballot, Dot, Pitch, PitchFormat, PitchStatus
from wiki.rules import RuleError
from wiki.schedule.models import GuestHost, Room, SlotKind, TimeSlot, Unavailability
from wiki.schedule.solver import problem as solver

HOUR = 3600.0


class SetupError(RuleError):
    """The event is not ready to plan (no rooms, no session slots); ``field`` says which."""


def room_id(room: Room | int) -> str:
    return f"r{room if isinstance(room, int) else room.id}"


def slot_id(slot: TimeSlot | int) -> str:
    return f"s{slot if isinstance(slot, int) else slot.id}"


def pitch_id(pitch: Pitch | int) -> str:
    return f"p{pitch if isinstance(pitch, int) else pitch.id}"


def user_person(user_id: int) -> str:
    return f"u{user_id}"


def child_person(child_id: int) -> str:
    return f"c{child_id}"


def guest_person(guest_id: int) -> str:
    return f"g{guest_id}"


def parse_id(value: str, prefix: str) -> int | None:
    """Return the database id in a problem id such as ``p12``, or None if it is not one."""
    digits = value[len(prefix) :] if value.startswith(prefix) else ""
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None


def weights_from_config() -> solver.Weights:
    """Return the objective's weights: the documented defaults, overridden by the settings."""
    configured = current_app.config.get("SCHEDULE_WEIGHTS") or {}
    known = {f.name for f in fields(solver.Weights)}
    return solver.Weights(**{k: float(v) for k, v in configured.items() if k in known})


def event_rooms(event: Event) -> list[Room]:
    """Return the event's rooms in the facilitators' order."""
    return list(
        db.session.scalars(
            select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id)
        )
    )


def event_slots(event: Event) -> list[TimeSlot]:
    """Return the event's time slots in time order."""
    return list(
        db.session.scalars(
            select(TimeSlot)
            .where(TimeSlot.event_id == event.id)
            .order_by(TimeSlot.starts_at, TimeSlot.id)
        )
    )


def voting_window(event: Event) -> tuple[datetime, datetime]:
    """Return when voting first opened and when it (last) closed, or its latest dot or pitch
    while it is still open."""
    changes = list(
        db.session.scalars(
            select(EventStateChange)
            .where(EventStateChange.event_id == event.id)
            .order_by(EventStateChange.at, EventStateChange.id)
        )
    )
    opened = next((c.at for c in changes if c.to_state == EventState.VOTING), None)
    if opened is None:
        opened = event.created_at
    closed = next(
        (c.at for c in reversed(changes) if c.from_state == EventState.VOTING),
        None,
    )
    if event.state == EventState.VOTING or closed is None or closed < opened:
        # Still open (or never closed): the last dot or pitch so far, not the clock, so the
        # same database gives the same problem.
        latest = [
            db.session.scalar(
                select(func.max(Dot.placed_at))
                .join(Ballot, Ballot.id == Dot.ballot_id)
                .where(Ballot.event_id == event.id)
            ),
            db.session.scalar(select(func.max(Pitch.created_at)).where(Pitch.event_id == event.id)),
        ]
        closed = max([opened, *(moment for moment in latest if moment is not None)])
    return opened, closed


def _hours(moment: datetime | None, opened: datetime) -> float:
    if moment is None:
        return 0.0
    return round(max(0.0, (moment - opened).total_seconds() / HOUR), 4)


def build_slots(event: Event, slots: list[TimeSlot]) -> tuple[solver.Slot, ...]:
    """Return the event's slots as the solver sees them: local day index and times."""
    zone = ZoneInfo(event.timezone)
    days: dict = {}
    out = []
    for slot in slots:
        start = slot.starts_at.astimezone(zone)
        end = slot.ends_at.astimezone(zone)
        day = days.setdefault(start.date(), len(days))
        out.append(
            solver.Slot(
                id=slot_id(slot),
                day=day,
                start=start.strftime("%H:%M"),
                kind=slot.kind,
                family=slot.family_hours and slot.kind == SlotKind.SESSION,
                label=slot.label or None,
                end=end.strftime("%H:%M") if end.date() == start.date() else "23:59",
            )
        )
    return tuple(out)


def build_rooms(rooms: list[Room]) -> tuple[solver.Room, ...]:
    """Return the event's rooms as the solver sees them."""
    return tuple(
        solver.Room(
            id=room_id(room),
            name=room.name,
            capacity=room.capacity,
            family_friendly=room.family_friendly,
            step_free=room.step_free,
            facilities=tuple(room.facility_list),
        )
        for room in rooms
    )


def schedulable_pitches(event: Event) -> list[Pitch]:
    """Return the event's active pitches that have a host (an account or a guest)."""
    found = db.session.scalars(
        select(Pitch)
        .where(Pitch.event_id == event.id, Pitch.status == PitchStatus.ACTIVE)
        .options(
            selectinload(Pitch.co_hosts),
            selectinload(Pitch.guest_host),
            selectinload(Pitch.child),
            selectinload(Pitch.host),
        )
        .order_by(Pitch.id)
    )
    return [p for p in found if not p.is_wish]


class _People:
    """Collect the people a problem names, each once, with a name for messages."""

    def __init__(self) -> None:
        self.people: dict[str, solver.Person] = {}

    def adult(self, person: str, name: str | None) -> str:
        known = self.people.get(person)
        if known is None or (known.name is None and name):
            self.people[person] = solver.Person(id=person, name=name or None)
        return person

    def child(self, child: RsvpChild, guardian_user: int, guardian_name: str | None) -> str:
        guardian = self.adult(user_person(guardian_user), guardian_name)
        person = child_person(child.id)
        self.people.setdefault(
            person,
            solver.Person(id=person, kind="child", guardian=guardian, name=child.first_name),
        )
        return person


def build_problem(
    event: Event,
    *,
    locked: Mapping[str, solver.Placement] | None = None,
    previous: Mapping[str, solver.Placement] | None = None,
) -> solver.Problem:
    """Return the event's scheduling problem; refuse (SetupError) when it cannot be planned.

    :param locked: placements that must stay, by pitch id (``{"p3": ("r1", "s7")}``).
    :param previous: the published grid, when re-planning.
    """
    rooms = event_rooms(event)
    slots = event_slots(event)
    if not rooms:
        raise SetupError("rooms", "Add at least one room before planning the grid.")
    if not any(s.is_session for s in slots):
        raise SetupError("slots", "Add at least one session slot before planning the grid.")
    opened, closed = voting_window(event)
    people = _People()

    guardian_of: dict[int, tuple[int, str]] = {}
    for child, rsvp in db.session.execute(
        select(RsvpChild, Rsvp)
        .join(Rsvp, Rsvp.id == RsvpChild.rsvp_id)
        .where(Rsvp.event_id == event.id)
        .options(selectinload(Rsvp.user))
    ):
        guardian_of[child.id] = (rsvp.user_id, rsvp.user.display_name)

    def child_of(child: RsvpChild) -> str:
        user_id, name = guardian_of.get(child.id, (child.rsvp.user_id, None))
        return people.child(child, user_id, name)

    pitches = []
    for pitch in schedulable_pitches(event):
        guardian = None
        kid_led = pitch.child is not None and pitch.host_id is not None
        if kid_led:
            host = child_of(pitch.child)
            guardian = people.adult(user_person(pitch.host_id), pitch.host_name)
        elif pitch.host_id is not None:
            host = people.adult(user_person(pitch.host_id), pitch.host_name)
        else:
            host = people.adult(guest_person(pitch.guest_host.id), pitch.guest_host.name)
        cohosts = tuple(
            people.adult(user_person(c.id), c.display_name)
            for c in pitch.co_hosts
            if user_person(c.id) not in (host, guardian)
        )
        pitches.append(
            solver.Pitch(
                id=pitch_id(pitch),
                title=pitch.title,
                host=host,
                cohosts=cohosts,
                length=pitch.length_slots,
                needs=tuple(pitch.need_list),
                family_friendly=pitch.audience == Audience.FAMILY
                or pitch.format == PitchFormat.KID_LED,
                kid_led=kid_led,
                guardian=guardian,
                submitted_at=_hours(pitch.created_at, opened),
            )
        )
    known_pitches = {p.id for p in pitches}

    votes = []
    rows = db.session.execute(
        select(Ballot, Dot)
        .join(Dot, Dot.ballot_id == Ballot.id)
        .where(Ballot.event_id == event.id, Dot.count > 0)
        .options(selectinload(Ballot.child))
        .order_by(Dot.placed_at, Ballot.id, Dot.pitch_id)
    )
    for ballot, dot in rows:
        if pitch_id(dot.pitch_id) not in known_pitches:
            continue
        placed_by = people.adult(user_person(ballot.user_id), None)
        voter = child_of(ballot.child) if ballot.child is not None else placed_by
        votes.append(
            solver.Vote(
                voter=voter,
                pitch=pitch_id(dot.pitch_id),
                dots=dot.count,
                at=_hours(dot.placed_at, opened),
                placed_by=placed_by,
            )
        )

    unavailable: dict[str, set[str]] = {}
    guests = {
        g.id: g for g in db.session.scalars(select(GuestHost).where(GuestHost.event_id == event.id))
    }
    for mark in db.session.scalars(
        select(Unavailability)
        .where(Unavailability.event_id == event.id)
        .options(selectinload(Unavailability.child))
    ):
        if mark.user_id is not None:
            person = people.adult(user_person(mark.user_id), None)
        elif mark.child is not None:
            person = child_of(mark.child)
        else:
            guest = guests[mark.guest_host_id]
            # A claimed guest host is the account now: their marks are the account's.
            person = (
                people.adult(user_person(guest.claimed_by_id), None)
                if guest.claimed_by_id is not None
                else people.adult(guest_person(guest.id), guest.name)
            )
        unavailable.setdefault(person, set()).add(slot_id(mark.slot_id))

    built_slots = build_slots(event, slots)
    built_rooms = build_rooms(rooms)
    # A published placement whose pitch, room or slot has gone since cannot be kept anyway.
    known_rooms = {r.id for r in built_rooms}
    known_slots = {s.id for s in built_slots}
    previous = {
        p: (r, s)
        for p, (r, s) in (previous or {}).items()
        if p in known_pitches and r in known_rooms and s in known_slots
    }
    return solver.Problem(
        name=event.name,
        params=solver.Params(
            dot_budget=event.dots_per_person,
            max_dots_per_pitch=event.max_dots_per_pitch,
            voting_open=0.0,
            voting_close=_hours(closed, opened),
            late_min_share=float(current_app.config["SCHEDULE_LATE_MIN_SHARE"]),
        ),
        weights=weights_from_config(),
        slots=built_slots,
        rooms=built_rooms,
        people=tuple(people.people.values()),
        pitches=tuple(pitches),
        votes=tuple(votes),
        unavailable={k: frozenset(v) for k, v in unavailable.items()},
        locked=dict(locked or {}),
        previous=previous,
    )


def problem_json(event: Event, **kwargs) -> str:
    """Return the event's problem as FORMAT.md's JSON text."""
    return json.dumps(solver.problem_to_dict(build_problem(event, **kwargs)), indent=1)
