"""Attachments of a page and their versions; a version is written once and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.accounts.models import User
from wiki.attachments import filetypes
from wiki.database import Base, utcnow
from wiki.pages.models import Page


class Attachment(Base):
    """A named file on a page; uploading the same name again adds a version."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("page_id", "filename", name="uq_attachments_page_filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(120))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "attachment_versions.id",
            use_alter=True,
            name="fk_attachments_current_version_id_attachment_versions",
        )
    )
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    page: Mapped[Page] = relationship()
    current_version: Mapped[AttachmentVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def versions_query(self):
        """Return a query of this attachment's versions, newest first."""
        return (
            select(AttachmentVersion)
            .where(AttachmentVersion.attachment_id == self.id)
            .order_by(AttachmentVersion.number.desc())
        )

    def __repr__(self) -> str:
        return f"<Attachment {self.page_id}/{self.filename}>"


class AttachmentVersion(Base):
    """One uploaded file; its bytes live in the database so every host sees the same."""

    __tablename__ = "attachment_versions"
    __table_args__ = (
        UniqueConstraint("attachment_id", "number", name="uq_attachment_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique (attachment_id, number) constraint, which leads with it.
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # Deferred: listings must never drag megabytes out of the database.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(String(300), default="")

    attachment: Mapped[Attachment] = relationship(foreign_keys=[attachment_id])
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def file_type(self) -> filetypes.FileType:
        return filetypes.BY_MEDIA_TYPE[self.media_type]

    @property
    def is_image(self) -> bool:
        return self.file_type.is_image

    def __repr__(self) -> str:
        return f"<AttachmentVersion {self.attachment_id}#{self.number}>"
