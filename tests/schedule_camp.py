"""A small BarCamp to schedule, for tests: rooms, a day of slots, hosts, voters and dots.

``build_camp(app, create_user, create_event)`` returns a ``Camp`` of plain ids, so tests (and
the editor's tests) can look things up in their own app context. Everything is made straight
through the models, with fixed times, so the same call builds the same camp.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from wiki.accounts.models import Role
from wiki.events.models import Event, EventStateChange, Rsvp, RsvpChild
from wiki.extensions import db
from wiki.pitches.models import Audience, Ballot, Dot, Pitch, PitchCoHost
from wiki.schedule.models import Room, TimeSlot, Unavailability

ROOMS = [
    # name, capacity, family-friendly, step-free, facilities
    ("Family tent", 30, True, True, "flip-chart"),
    ("Hall", 80, False, True, "projector"),
    ("Meadow", 40, True, False, "outdoor"),
]
# Local times on the event's first day: (start, end, kind, label, family hours).
SLOTS = [
    ("10:00", "10:45", "session", "Session 1", True),
    ("11:00", "11:45", "session", "Session 2", True),
    ("11:45", "12:00", "break", "Break", False),
    ("12:00", "12:45", "session", "Session 3", False),
    ("12:45", "13:30", "lunch", "Lunch", False),
    ("13:30", "14:15", "session", "Session 4", False),
    ("14:15", "15:00", "session", "Session 5", False),
]


@dataclass
class Camp:
    """Ids of what ``build_camp`` made."""

    event_id: int
    slug: str
    facilitator: str  # username
    facilitator_id: int
    hosts: list[int] = field(default_factory=list)
    voters: list[int] = field(default_factory=list)
    rooms: list[int] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    session_slots: list[int] = field(default_factory=list)
    pitches: list[int] = field(default_factory=list)
    guardian_id: int = 0
    child_id: int = 0
    kid_pitch_id: int = 0
    workshop_id: int = 0
    late_pitch_id: int = 0


def _at(day, hhmm: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), zone)


def build_camp(
    app,
    create_user,
    create_event,
    *,
    name: str = "Schedule Camp",
    voters: int = 12,
    pitches: int = 8,
    seed: int = 1,
    rooms: bool = True,
    slots: bool = True,
) -> Camp:
    """Make an event in voting with rooms, slots, hosts, a kid-led pitch, voters and dots."""
    rng = random.Random(seed)
    event = create_event(name, state="voting")
    facilitator = create_user(f"fac{seed}", Role.FACILITATOR, display_name="Fatima")
    host_users = [
        create_user(f"host{seed}x{i}", display_name=f"Host {i}") for i in range(pitches // 2)
    ]
    voter_users = [
        create_user(f"voter{seed}x{i}", display_name=f"Voter {i}") for i in range(voters)
    ]
    guardian = create_user(f"parent{seed}", display_name="Pat Parent")
    with app.app_context():
        ev = db.session.get(Event, event.id)
        zone = ZoneInfo(ev.timezone)
        day = ev.starts_at.astimezone(zone).date()
        opened = (
            db.session.query(EventStateChange).filter_by(event_id=ev.id, to_state="voting").one().at
        )
        camp = Camp(
            event_id=ev.id,
            slug=ev.slug,
            facilitator=facilitator.username,
            facilitator_id=facilitator.id,
            hosts=[u.id for u in host_users],
            voters=[u.id for u in voter_users],
            guardian_id=guardian.id,
        )
        if rooms:
            for position, (room_name, capacity, family, step_free, facilities) in enumerate(
                ROOMS, start=1
            ):
                room = Room(
                    event_id=ev.id,
                    name=room_name,
                    capacity=capacity,
                    family_friendly=family,
                    step_free=step_free,
                    facilities=facilities,
                    position=position,
                )
                db.session.add(room)
                db.session.flush()
                camp.rooms.append(room.id)
        if slots:
            for start, end, kind, label, family in SLOTS:
                slot = TimeSlot(
                    event_id=ev.id,
                    starts_at=_at(day, start, zone),
                    ends_at=_at(day, end, zone),
                    kind=kind,
                    label=label,
                    family_hours=family,
                )
                db.session.add(slot)
                db.session.flush()
                camp.slots.append(slot.id)
                if kind == "session":
                    camp.session_slots.append(slot.id)
        rsvp = Rsvp(event_id=ev.id, user_id=guardian.id, adults=1)
        db.session.add(rsvp)
        db.session.flush()
        child = RsvpChild(rsvp_id=rsvp.id, first_name="Kit", age_band="9-12")
        db.session.add(child)
        db.session.flush()
        camp.child_id = child.id

        made = []
        for i in range(pitches):
            host = host_users[i % len(host_users)]
            pitch = Pitch(
                event_id=ev.id,
                title=f"Session idea {i + 1}",
                host_id=host.id,
                created_by_id=host.id,
                length_slots=1,
                audience=Audience.FAMILY if i == 1 else Audience.EVERYONE,
                needs="projector" if i == 2 else "",
                created_at=opened + timedelta(hours=1 + i),
            )
            made.append(pitch)
        made[3].length_slots = 2
        made[-1].created_at = opened + timedelta(hours=60)  # pitched late
        kid = Pitch(
            event_id=ev.id,
            title="Dinosaur facts",
            host_id=guardian.id,
            child_id=child.id,
            created_by_id=guardian.id,
            format="kid-led",
            audience=Audience.FAMILY,
            young_leader=True,
            created_at=opened + timedelta(hours=2),
        )
        made.append(kid)
        db.session.add_all(made)
        db.session.flush()
        db.session.add(PitchCoHost(pitch_id=made[0].id, user_id=host_users[1].id))
        camp.pitches = [p.id for p in made]
        camp.kid_pitch_id = kid.id
        camp.workshop_id = made[3].id
        camp.late_pitch_id = made[-2].id

        for n, voter in enumerate([*voter_users, guardian]):
            ballot = Ballot(
                event_id=ev.id,
                user_id=voter.id,
                child_key=0,
                budget=ev.dots_per_person,
                per_pitch=ev.max_dots_per_pitch,
                spent=0,
            )
            db.session.add(ballot)
            db.session.flush()
            chosen = rng.sample(made, k=min(3, len(made)))
            for k, pitch in enumerate(chosen):
                count = 1 + (n + k) % 2
                ballot.spent += count
                db.session.add(
                    Dot(
                        ballot_id=ballot.id,
                        pitch_id=pitch.id,
                        count=count,
                        placed_at=max(pitch.created_at, opened) + timedelta(minutes=5 + n),
                    )
                )
        child_ballot = Ballot(
            event_id=ev.id,
            user_id=guardian.id,
            child_id=child.id,
            child_key=child.id,
            budget=ev.dots_per_person,
            per_pitch=ev.max_dots_per_pitch,
            spent=2,
        )
        db.session.add(child_ballot)
        db.session.flush()
        db.session.add(
            Dot(
                ballot_id=child_ballot.id,
                pitch_id=kid.id,
                count=2,
                placed_at=opened + timedelta(hours=3),
            )
        )
        if camp.session_slots:
            # The first host leaves at lunch.
            db.session.add(
                Unavailability(
                    event_id=ev.id, slot_id=camp.session_slots[-1], user_id=host_users[0].id
                )
            )
        db.session.commit()
    return camp
