"""Rooms, days and time slots, who cannot be there when, people pitching on the day, and the
draft grid with its revisions and solve jobs.

Times are stored as aware UTC datetimes, as events store theirs; the event's ``timezone``
turns them into the local day and ``HH:MM`` that pages and the solver's problem show.

Dots and their times: a dot row (``dots``) holds how many dots one ballot put on one pitch,
with no time of its own. FORMAT.md's late-pitch correction needs the time each dot was placed
(the share of all dots placed after a pitch was submitted). Rather than a table of every dot
written by the voting service, ``dots.placed_at`` (added by this domain's migration, set by
the column's own insert and update defaults, so the voting service is untouched) records the
last time the (voter, pitch) pair changed. The problem gives each pair one vote record at that
time. Using the last change rather than the first counts a voter's early dots as late when
they added more later: that errs towards a smaller correction, which ``late_min_share`` bounds
anyway. Dots placed before the column existed have no time and count as placed when voting
opened.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.accounts.models import User
from wiki.database import Base, utcnow
from wiki.events.models import Event, RsvpChild
from wiki.pitches.models import Need

# A room's facilities: the pitch form's needs, less step-free, which rooms say on their own.
FACILITIES = tuple(n for n in Need if n != Need.STEP_FREE)


class SlotKind(enum.StrEnum):
    """What a time slot is for; only session slots take pitches (FORMAT.md's codes)."""

    SESSION = "session"
    BREAK = "break"
    LUNCH = "lunch"
    PLENARY = "plenary"

    @property
    def label(self) -> str:
        return {
            SlotKind.SESSION: "Sessions",
            SlotKind.BREAK: "Break",
            SlotKind.LUNCH: "Meal",
            SlotKind.PLENARY: "Plenary",
        }[self]


class RevisionKind(enum.StrEnum):
    SOLVE = "solve"
    MOVE = "move"
    SWAP = "swap"
    UNPLACE = "unplace"
    LOCK = "lock"
    UNLOCK = "unlock"
    UNDO = "undo"
    REDO = "redo"
    EDIT = "edit"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Room(Base):
    """A room (or tent, or patch of grass) sessions can take place in."""

    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("event_id", "name", name="uq_rooms_event_name"),
        CheckConstraint("capacity > 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    capacity: Mapped[int] = mapped_column(Integer)
    family_friendly: Mapped[bool] = mapped_column(Boolean, default=False)
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    # Comma-separated, sorted, from FACILITIES, as pitches keep their needs.
    facilities: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship()

    @property
    def facility_list(self) -> list[str]:
        return [f for f in self.facilities.split(",") if f]


class TimeSlot(Base):
    """A stretch of one day: sessions, a break, a meal or a plenary."""

    __tablename__ = "time_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint(_in("kind", SlotKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20), default=SlotKind.SESSION)
    label: Mapped[str] = mapped_column(String(80), default="")
    family_hours: Mapped[bool] = mapped_column(Boolean, default=False)

    event: Mapped[Event] = relationship()

    @property
    def kind_enum(self) -> SlotKind:
        return SlotKind(self.kind)

    @property
    def is_session(self) -> bool:
        return self.kind == SlotKind.SESSION


class GuestHost(Base):
    """Someone who pitched on the day without an account, known by the name typed for them."""

    __tablename__ = "guest_hosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The account that later said "that was me"; the guest's pitches then count as theirs.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])


class PitchGuestHost(Base):
    """Which guest host a day pitch belongs to (``Pitch.guest_host`` reads it).

    A table rather than a pitches column, so adding it never copies the pitches table.
    """

    __tablename__ = "pitch_guest_hosts"

    pitch_id: Mapped[int] = mapped_column(
        ForeignKey("pitches.id", ondelete="CASCADE"), primary_key=True
    )
    guest_host_id: Mapped[int] = mapped_column(
        ForeignKey("guest_hosts.id", ondelete="CASCADE"), index=True
    )


class Unavailability(Base):
    """One person who cannot be there for one slot: an account, a child, or a guest host."""

    __tablename__ = "unavailability"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN child_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN guest_host_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_person",
        ),
        # NULLs are distinct in a unique constraint, so each holds only for its own kind.
        UniqueConstraint("slot_id", "user_id", name="uq_unavailability_slot_user"),
        UniqueConstraint("slot_id", "child_id", name="uq_unavailability_slot_child"),
        UniqueConstraint("slot_id", "guest_host_id", name="uq_unavailability_slot_guest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("time_slots.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[int | None] = mapped_column(ForeignKey("rsvp_children.id", ondelete="CASCADE"))
    guest_host_id: Mapped[int | None] = mapped_column(
        ForeignKey("guest_hosts.id", ondelete="CASCADE")
    )

    slot: Mapped[TimeSlot] = relationship()
    child: Mapped[RsvpChild | None] = relationship()
    guest_host: Mapped[GuestHost | None] = relationship()


class ScheduleDraft(Base):
    """An event's draft grid: the revision at its head is the grid facilitators see."""

    __tablename__ = "schedule_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    # 0 while the draft has no revision yet.
    head_revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()


class ScheduleRevision(Base):
    """One state of a draft grid, made by a solve or an edit; undo and redo move the head."""

    __tablename__ = "schedule_revisions"
    __table_args__ = (
        UniqueConstraint("draft_id", "number", name="uq_schedule_revisions_draft_number"),
        CheckConstraint(_in("kind", RevisionKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("schedule_drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    parent: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    # FORMAT.md's grid, as JSON text.
    grid: Mapped[str] = mapped_column(Text)
    # What changed, in words ("Moved Composting with kids to the Hall at 11:00").
    summary: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class SolveJob(Base):
    """A request to plan an event's grid, run outside the web worker.

    A partial unique index lets an event have at most one queued or running job, so a
    second click finds the first instead of starting another.
    """

    __tablename__ = "solve_jobs"
    __table_args__ = (
        CheckConstraint(_in("status", JobStatus), name="status"),
        CheckConstraint("time_limit > 0", name="time_limit"),
        Index(
            "uq_solve_jobs_one_active",
            "event_id",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    time_limit: Mapped[float] = mapped_column(Float)
    # The draft revision the job planned from, and the one it wrote (if any).
    base_revision: Mapped[int | None] = mapped_column(Integer)
    result_revision: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The latest progress report, as JSON text (elapsed, best objective, bound...).
    progress: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)

    requested_by: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class ScheduleVersion(Base):
    """One published programme: v1, v2... Never changed once written.

    ``programme`` is the whole programme as people see it (rooms, slots, sessions with their
    titles and hosts, each session's stable GUID and iCalendar SEQUENCE), so an old version
    reads the same later, and the public pages and exports never read the draft.
    ``changes`` is the change log against the version before, as JSON (``programme.py``).
    The unique number per event lets two publishes at once make one version, not two v3s.
    """

    __tablename__ = "schedule_versions"
    __table_args__ = (
        UniqueConstraint("event_id", "number", name="uq_schedule_versions_event_number"),
        CheckConstraint("number > 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The draft revision published, and the grid (FORMAT.md's JSON) it held.
    revision: Mapped[int] = mapped_column(Integer)
    grid: Mapped[str] = mapped_column(Text)
    programme: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text, default="[]")
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    published_by: Mapped[User | None] = relationship()

    @property
    def name(self) -> str:
        return f"v{self.number}"


class Star(Base):
    """Someone marking a session to follow it: it joins their agenda and its changes reach them."""

    __tablename__ = "schedule_stars"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    pitch_id: Mapped[int] = mapped_column(
        ForeignKey("pitches.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaFeed(Base):
    """The secret address of one person's calendar feed for one event's agenda.

    Whoever holds the token reads that agenda and nothing else; resetting replaces the token,
    so the old address stops working at once.
    """

    __tablename__ = "agenda_feeds"
    __table_args__ = (UniqueConstraint("user_id", "event_id", name="uq_agenda_feeds_user_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class AgendaLook(Base):
    """The newest version a person had seen of an event's agenda: "changed since I last looked"."""

    __tablename__ = "agenda_looks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    seen_version: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)
