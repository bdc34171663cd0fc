"""Wiki pages, their revisions (never changed once written), links and old names."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.accounts.models import User
from wiki.database import Base, utcnow

TALK_PREFIX = "talk/"


class RevisionKind(enum.StrEnum):
    CREATE = "create"
    EDIT = "edit"
    MERGE = "merge"
    REVERT = "revert"
    TICK = "tick"
    RENAME = "rename"
    DELETE = "delete"
    RESTORE = "restore"


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # Points at the newest revision. Saving moves it only if it still points at the
    # revision the editor started from: that is what makes a lost update impossible.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, name="fk_pages_current_revision_id_revisions")
    )
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None]
    discussion_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    current_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    discussion_of: Mapped[Page | None] = relationship(remote_side=[id])

    @property
    def is_discussion(self) -> bool:
        return self.discussion_of_id is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def revisions_query(self):
        """Return a query of this page's revisions, newest first."""
        return select(Revision).where(Revision.page_id == self.id).order_by(Revision.number.desc())

    def __repr__(self) -> str:
        return f"<Page {self.slug}>"


class Revision(Base):
    """One saved state of a page; written once and never updated, except to hide it."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("page_id", "number", name="uq_revisions_page_number"),
        Index("ix_revisions_created_at", "created_at"),
        Index("ix_revisions_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default=RevisionKind.EDIT)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    # Rendered and sanitised once, when saved; pages are read far more than written.
    html: Mapped[str] = mapped_column(Text)
    toc_html: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer)
    size_change: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    parent: Mapped[Revision | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    def __repr__(self) -> str:
        return f"<Revision {self.page_id}#{self.number}>"


class PageLink(Base):
    """A [[wiki link]] from a page to a slug, which may not exist yet (a wanted page)."""

    __tablename__ = "page_links"

    from_page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    to_slug: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    to_title: Mapped[str] = mapped_column(String(200))

    from_page: Mapped[Page] = relationship()


class PageAlias(Base):
    """An old slug of a renamed page, answered with a redirect."""

    __tablename__ = "page_aliases"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    page: Mapped[Page] = relationship()
