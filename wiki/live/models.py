"""Live events: one row per announced change, its id doubling as the SSE event id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wiki.database import Base, utcnow


class LiveEvent(Base):
    __tablename__ = "live_events"
    __table_args__ = (
        # Replay reads one topic after an id; the same index serves lookups by topic alone.
        Index("ix_live_events_topic_id", "topic", "id"),
        # Never reuse an id, even after old rows are pruned: browsers resume by id.
        {"sqlite_autoincrement": True},
    )

    # SQLite only autoincrements an INTEGER PRIMARY KEY, so BIGINT is for PostgreSQL.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    topic: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    # Sent verbatim as the SSE data: JSON for a dict, the string itself otherwise.
    data: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<LiveEvent {self.id} {self.topic} {self.kind}>"
