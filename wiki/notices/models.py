"""A notice: something the site tells one person, in their inbox and (once) by e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from wiki.database import Base, utcnow


class Notice(Base):
    """One message to one person.

    ``key`` names what the notice is about ("programme:4:v2"); one per person and key, so the
    same news can never reach someone twice, however the sender is retried. ``mailed_at`` is
    claimed by a conditional UPDATE before the mail goes, so it is sent at most once.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notices_user_key"),
        Index(
            "ix_notices_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (user_id, key) serves lookups by person, and the unread
    # count must read ix_notices_unread (see migration 0015).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    # Plain text, one line per thing that happened.
    body: Mapped[str] = mapped_column(Text, default="")
    # A path on this site where the reader can see more ("/events/camp/schedule/agenda").
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]

    @property
    def lines(self) -> list[str]:
        return [line for line in self.body.split("\n") if line]

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
