"""Session pitches (wishes included), their hosts, comments, and the dots people place."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.accounts.models import User
from wiki.database import Base, utcnow
from wiki.events.models import Event, RsvpChild
from wiki.pages.models import Page

if TYPE_CHECKING:
    from wiki.schedule.models import GuestHost


class PitchFormat(enum.StrEnum):
    TALK = "talk"
    DISCUSSION = "discussion"
    WORKSHOP = "workshop"
    HANDS_ON = "hands-on"
    KID_LED = "kid-led"
    OUTDOOR = "outdoor"

    @property
    def label(self) -> str:
        return {
            PitchFormat.TALK: "Talk",
            PitchFormat.DISCUSSION: "Discussion",
            PitchFormat.WORKSHOP: "Workshop",
            PitchFormat.HANDS_ON: "Hands-on",
            PitchFormat.KID_LED: "Kid-led",
            PitchFormat.OUTDOOR: "Outdoor / walk",
        }[self]


class Audience(enum.StrEnum):
    EVERYONE = "everyone"
    FAMILY = "family"
    ADULTS = "adults"

    @property
    def label(self) -> str:
        return {
            Audience.EVERYONE: "Everyone",
            Audience.FAMILY: "Family-friendly",
            Audience.ADULTS: "Adults only",
        }[self]


class Need(enum.StrEnum):
    PROJECTOR = "projector"
    FLIP_CHART = "flip-chart"
    QUIET = "quiet"
    OUTDOOR = "outdoor"
    STEP_FREE = "step-free"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class PitchStatus(enum.StrEnum):
    ACTIVE = "active"
    DECLINED = "declined"
    MERGED = "merged"


class Pitch(Base):
    __tablename__ = "pitches"
    __table_args__ = (
        CheckConstraint("length_slots IN (1, 2)", name="length_slots"),
        CheckConstraint("status IN ('active', 'declined', 'merged')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20), default=PitchFormat.TALK)
    length_slots: Mapped[int] = mapped_column(Integer, default=1)
    audience: Mapped[str] = mapped_column(String(20), default=Audience.EVERYONE)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    young_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    # Comma-separated, sorted: small fixed vocabularies that are only ever filtered on.
    needs: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[str] = mapped_column(String(300), default="")
    # None for a wish: "I'd love someone to run..." until somebody adopts it.
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    child_id: Mapped[int | None] = mapped_column(
        ForeignKey("rsvp_children.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=PitchStatus.ACTIVE)
    declined_reason: Mapped[str] = mapped_column(String(300), default="")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("pitches.id", ondelete="SET NULL")
    )
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"))
    picture_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
    host: Mapped[User | None] = relationship(foreign_keys=[host_id])
    child: Mapped[RsvpChild | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    page: Mapped[Page | None] = relationship()
    merged_into: Mapped[Pitch | None] = relationship(remote_side=[id])
    co_hosts: Mapped[list[User]] = relationship(secondary="pitch_co_hosts", order_by="User.id")
    # A pitch made on the day for someone with no account (see wiki.schedule.models): its
    # host_id stays None until an account claims it.
    guest_host: Mapped[GuestHost | None] = relationship(
        secondary="pitch_guest_hosts", uselist=False
    )

    @property
    def is_wish(self) -> bool:
        # host_id first: only a pitch without an account host loads its guest host.
        return self.host_id is None and self.guest_host is None

    @property
    def host_name(self) -> str | None:
        """Return the name to show for the host: the account's, or the one typed on the day."""
        if self.host is not None:
            return self.host.display_name
        if self.guest_host is not None:
            return self.guest_host.name
        return None

    @property
    def is_active(self) -> bool:
        return self.status == PitchStatus.ACTIVE

    @property
    def need_list(self) -> list[str]:
        return [n for n in self.needs.split(",") if n]

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def format_label(self) -> str:
        return PitchFormat(self.format).label

    @property
    def audience_label(self) -> str:
        label = Audience(self.audience).label
        if self.audience == Audience.FAMILY and (self.min_age is not None or self.max_age):
            low = self.min_age if self.min_age is not None else 0
            label += f", ages {low}–{self.max_age}" if self.max_age else f", ages {low}+"
        return label

    def hosted_by(self, user) -> bool:
        """Tell whether ``user`` hosts or co-hosts this pitch."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return self.host_id == user.id or any(c.id == user.id for c in self.co_hosts)


class PitchCoHost(Base):
    __tablename__ = "pitch_co_hosts"

    pitch_id: Mapped[int] = mapped_column(
        ForeignKey("pitches.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class Ballot(Base):
    """One voter's budget of dots for an event: a person's own, or a child's cast by a guardian.

    ``spent`` only moves by conditional UPDATEs, and a CHECK keeps it within ``budget``, so no
    burst of requests can spend more dots than the voter has, on either database.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "child_key", name="uq_ballots_voter"),
        CheckConstraint("spent >= 0 AND spent <= budget", name="within_budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("rsvp_children.id", ondelete="CASCADE"))
    # child_id or 0: a unique constraint treats NULLs as distinct, so it cannot use child_id.
    child_key: Mapped[int] = mapped_column(Integer, default=0)
    budget: Mapped[int] = mapped_column(Integer)
    per_pitch: Mapped[int] = mapped_column(Integer)
    spent: Mapped[int] = mapped_column(Integer, default=0)

    child: Mapped[RsvpChild | None] = relationship()

    @property
    def left(self) -> int:
        return self.budget - self.spent


class Dot(Base):
    """How many dots one ballot put on one pitch."""

    __tablename__ = "dots"
    __table_args__ = (CheckConstraint("count >= 0", name="count"),)

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    pitch_id: Mapped[int] = mapped_column(
        ForeignKey("pitches.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    count: Mapped[int] = mapped_column(Integer, default=0)
    # When the pair last changed, for the scheduler's late-pitch correction (see
    # wiki.schedule.models); the column defaults set it on every INSERT and UPDATE.
    placed_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


class Comment(Base):
    """A question or remark on a pitch."""

    __tablename__ = "pitch_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
