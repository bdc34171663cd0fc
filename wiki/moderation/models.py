"""Reports: someone telling the facilitators that a page, pitch or comment is not right."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.accounts.models import User
from wiki.database import Base, utcnow


class TargetType(enum.StrEnum):
    PAGE = "page"
    REVISION = "revision"
    PITCH = "pitch"
    COMMENT = "comment"
    ANNOUNCEMENT = "announcement"

    @property
    def label(self) -> str:
        return "session pitch" if self is TargetType.PITCH else self.value


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Report(Base):
    """One person's report about one piece of content; only facilitators ever see it."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(
            "target_type IN ('page', 'revision', 'pitch', 'comment', 'announcement')",
            name="target_type",
        ),
        CheckConstraint("status IN ('open', 'resolved', 'dismissed')", name="status"),
        # The inbox and the count in the menu both ask for the open reports, newest first.
        Index("ix_reports_status_created_at", "status", "created_at"),
        Index("ix_reports_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    # Where the person was when they reported it: always a path on this site.
    target_url: Mapped[str] = mapped_column(String(500))
    # The title as it was then; the content may be renamed or gone by the time anyone looks.
    target_title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.OPEN)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str] = mapped_column(String(500), default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def type_enum(self) -> TargetType:
        return TargetType(self.target_type)

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN

    def __repr__(self) -> str:
        return f"<Report {self.id} {self.target_type}:{self.target_id} ({self.status})>"
