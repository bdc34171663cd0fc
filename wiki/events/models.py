"""Events, the states they move through, households' RSVPs and their children."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.accounts.models import User
from wiki.database import Base, utcnow
from wiki.pages.models import Page
from wiki.rules import RuleError


class EventError(RuleError):
    """A change to an event or RSVP cannot be made."""


class EventState(enum.StrEnum):
    PROPOSAL = "proposal"
    REGISTRATION = "registration"
    VOTING = "voting"
    VOTING_CLOSED = "voting_closed"
    PUBLISHED = "published"
    OVER = "over"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def next(self) -> EventState | None:
        order = list(EventState)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None

    @property
    def previous(self) -> EventState | None:
        order = list(EventState)
        index = order.index(self)
        return order[index - 1] if index > 0 else None


STATE_LABELS = {
    EventState.PROPOSAL: "Proposal (drafting)",
    EventState.REGISTRATION: "Registration open",
    EventState.VOTING: "Pitching and voting open",
    EventState.VOTING_CLOSED: "Voting closed",
    EventState.PUBLISHED: "Schedule published",
    EventState.OVER: "Over",
}

# What a facilitator presses to move the event into each state.
STATE_ACTIONS = {
    EventState.REGISTRATION: "Open registration",
    EventState.VOTING: "Open pitching and voting",
    EventState.VOTING_CLOSED: "Close voting",
    EventState.PUBLISHED: "Publish the schedule",
    EventState.OVER: "Mark the event as over",
}


class AgeBand(enum.StrEnum):
    UNDER_5 = "0-4"
    FIVE_TO_8 = "5-8"
    NINE_TO_12 = "9-12"
    TEENS = "13-17"

    @property
    def label(self) -> str:
        return {
            AgeBand.UNDER_5: "Under 5",
            AgeBand.FIVE_TO_8: "5 to 8",
            AgeBand.NINE_TO_12: "9 to 12",
            AgeBand.TEENS: "13 to 17",
        }[self]


class RsvpStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


# Bounds of the numbers a facilitator or household types; the CHECKs below hold the lower
# ones, these upper ones keep every number far inside the INTEGER columns.
MAX_CAPACITY = 100_000
MAX_DOTS = 100
MAX_ADULTS = 10


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity"),
        CheckConstraint("ends_at >= starts_at", name="dates"),
        CheckConstraint("dots_per_person >= 1", name="dots_per_person"),
        CheckConstraint("max_dots_per_pitch >= 1", name="max_dots_per_pitch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(Text, default="")
    directions: Mapped[str] = mapped_column(Text, default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=EventState.PROPOSAL)
    # Voting rules, frozen once voting opens.
    dots_per_person: Mapped[int] = mapped_column(Integer, default=5)
    max_dots_per_pitch: Mapped[int] = mapped_column(Integer, default=3)
    children_vote: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_self_dots: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_tallies: Mapped[bool] = mapped_column(Boolean, default=False)
    tallies_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    proposal_page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL")
    )
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal_page: Mapped[Page | None] = relationship()
    copied_from: Mapped[Event | None] = relationship(remote_side=[id])

    @property
    def state_enum(self) -> EventState:
        return EventState(self.state)

    @property
    def is_archived(self) -> bool:
        return self.state == EventState.OVER

    @property
    def registration_open(self) -> bool:
        return self.state in (
            EventState.REGISTRATION,
            EventState.VOTING,
            EventState.VOTING_CLOSED,
            EventState.PUBLISHED,
        )

    @property
    def voting_open(self) -> bool:
        return self.state == EventState.VOTING

    @property
    def rules_frozen(self) -> bool:
        return list(EventState).index(self.state_enum) >= list(EventState).index(EventState.VOTING)

    def __repr__(self) -> str:
        return f"<Event {self.slug} ({self.state})>"


class EventStateChange(Base):
    """Who moved an event from one state to another, and when."""

    __tablename__ = "event_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship()


class Rsvp(Base):
    """A household saying it is coming: its adults, children and needs."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_rsvps_event_user"),
        CheckConstraint("adults >= 1", name="adults"),
        CheckConstraint("status IN ('confirmed', 'waiting', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RsvpStatus.CONFIRMED)
    adults: Mapped[int] = mapped_column(Integer, default=1)
    access_needs: Mapped[str] = mapped_column(Text, default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    childcare_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_conduct_at: Mapped[datetime | None]
    # Order on the waiting list: the time the household (last) joined it.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the "a week to go" and "tomorrow" e-mails went out (see events.reminders).
    week_reminder_at: Mapped[datetime | None]
    day_reminder_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    event: Mapped[Event] = relationship()
    children: Mapped[list[RsvpChild]] = relationship(
        back_populates="rsvp", order_by="RsvpChild.id", cascade="all, delete-orphan"
    )

    @property
    def active_children(self) -> list[RsvpChild]:
        return [child for child in self.children if child.removed_at is None]

    @property
    def party_size(self) -> int:
        return self.adults + len(self.active_children)


class RsvpChild(Base):
    """A child coming with a household; shown by first name only, and may get dots."""

    __tablename__ = "rsvp_children"

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(40))
    age_band: Mapped[str] = mapped_column(String(10))
    # Kept, not deleted, when taken off an RSVP: dots and kid-led pitches may point here.
    removed_at: Mapped[datetime | None]

    rsvp: Mapped[Rsvp] = relationship(back_populates="children")


class Announcement(Base):
    """News about an event, from its facilitators: posted, fed to readers, never edited away.

    One announces each state the event moves forward into (``announces_state``); moving back
    retracts it and moving forward again publishes the same one again, so going back and forth
    never tells people the same thing twice, nor leaves news that is no longer true.
    """

    __tablename__ = "announcements"
    __table_args__ = (
        UniqueConstraint("event_id", "announces_state", name="uq_announcements_event_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it (last) went out: its creation, or when a retracted state announcement came back.
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # The state whose opening this announces; None for news a facilitator wrote.
    announces_state: Mapped[str | None] = mapped_column(String(20))
    # Set while the event is back before that state: shown nowhere until it moves on again.
    retracted_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship()
    event: Mapped[Event] = relationship()

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None
