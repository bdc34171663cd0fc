"""Business rules for attachments: what may be uploaded, by whom, and how it is named."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from wiki.accounts.models import User
from wiki.attachments import filetypes
from wiki.attachments.models import Attachment, AttachmentVersion
from wiki.database import utcnow
from wiki.extensions import db
from wiki.pages.models import Page
from wiki.pages.services import can_edit
from wiki.rules import RuleError
from wiki.words import plural

MAX_STEM = 100
MAX_COMMENT = 300
MIB = 1024 * 1024

_SPACES_RE = re.compile(r"\s+")
_DASHES_RE = re.compile(r"-{2,}")


class AttachmentError(RuleError):
    """An upload cannot be accepted."""


@dataclass(frozen=True)
class UploadOutcome:
    """What an upload did: a new attachment, a new version of one, or nothing."""

    status: str  # "created", "versioned" or "unchanged"
    attachment: Attachment
    version: AttachmentVersion


def format_size(size: int) -> str:
    """Return a size for people: "812 bytes", "34 KB", "5 MB", "6.2 MB"."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < MIB:
        return f"{_trim(size / 1024)} KB"
    return f"{_trim(size / MIB)} MB"


def _trim(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def max_bytes() -> int:
    """Return the largest file, in bytes, that may be attached."""
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def daily_allowance() -> int:
    """Return how many bytes one person may upload in 24 hours (facilitators: no limit)."""
    return int(current_app.config["ATTACHMENT_DAILY_BYTES"])


def uploaded_today(user: User) -> int:
    """Return how many bytes ``user`` has uploaded in the last 24 hours."""
    return db.session.scalar(
        select(func.coalesce(func.sum(AttachmentVersion.size), 0)).where(
            AttachmentVersion.uploaded_by_id == user.id,
            AttachmentVersion.created_at > utcnow() - timedelta(hours=24),
        )
    )


def _check_allowance(uploader: User, size: int) -> None:
    # Every version is kept, so without a cap one account could fill the disk in an
    # afternoon, 5 MB at a time.
    if uploader.is_facilitator:
        return
    # Two uploads at once by one person are counted one after the other.
    db.session.execute(select(User.id).where(User.id == uploader.id).with_for_update())
    allowance = daily_allowance()
    used = uploaded_today(uploader)
    if used + size > allowance:
        raise AttachmentError(
            "file",
            f"You have uploaded {format_size(used)} in the last 24 hours, and each person may "
            f"upload {format_size(allowance)} a day: this {format_size(size)} file would go "
            "over. Try again tomorrow, or ask a facilitator to attach it.",
        )


def clean_filename(name: str, kind: filetypes.FileType) -> str:
    """Return a display name safe in a URL, a header and a file system, ending as ``kind`` does.

    A name whose extension does not fit the content gets the right one added, so the name
    never claims a type the bytes are not ("notes.html" holding a PNG is "notes.html.png").
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        ch if ch.isalnum() or ch in "._-" else " " if ch.isspace() else "-" for ch in name
    )
    kept = _DASHES_RE.sub("-", _SPACES_RE.sub(" ", kept)).strip()
    stem, dot, extension = kept.rpartition(".")
    if dot and extension.lower() in kind.extensions:
        extension = extension.lower()
    else:
        stem, extension = kept, kind.extensions[0]
    # No leading dot (a hidden file) and no trailing dot or space (Windows drops them).
    stem = stem.strip(" .-_")[:MAX_STEM].rstrip(" .-_") or "file"
    return f"{stem}.{extension}"


def content_disposition(filename: str, *, inline: bool = True) -> str:
    """Return a Content-Disposition header value: an ASCII name plus the real one (RFC 6266)."""
    stem, _, extension = filename.rpartition(".")
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = _SPACES_RE.sub(" ", stem.replace('"', "").replace("\\", "")).strip(" .-_")
    fallback = f"{stem or 'file'}.{extension}"
    quoted = quote(filename, safe="!#$&+-.^_`|~")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"


def can_upload(user: User | None, page: Page) -> bool:
    """Tell whether ``user`` may attach files to ``page``: whoever may edit it, while it exists."""
    return not page.is_deleted and can_edit(user, page)


def upload(
    page: Page, filename: str, data: bytes, uploader: User, comment: str = ""
) -> UploadOutcome:
    """Attach a file to ``page``, or add it as a new version of the attachment of that name."""
    limit = max_bytes()
    if not data:
        raise AttachmentError("file", "The file is empty. Choose another file.")
    if len(data) > limit:
        raise AttachmentError(
            "file", f"The file is {format_size(len(data))}; the limit is {format_size(limit)}."
        )
    _check_allowance(uploader, len(data))
    sniffed = filetypes.sniff(data)
    if sniffed is None:
        raise AttachmentError(
            "file",
            "This file is not one campwiki can attach. Its contents show it is not a "
            f"{filetypes.allowed_names()} file, whatever its name says.",
        )
    attachment, created = _find_or_create(page, clean_filename(filename, sniffed.kind))
    attachment = _lock(attachment)
    if attachment.is_deleted and not uploader.is_facilitator:
        raise AttachmentError(
            "file",
            f"A deleted attachment is called “{attachment.filename}”; a facilitator can "
            "restore it. To attach your file, give it another name.",
        )
    digest = hashlib.sha256(data).hexdigest()
    current = attachment.current_version
    if current is not None and current.sha256 == digest:
        attachment.deleted_at = None
        return UploadOutcome("unchanged", attachment, current)
    version = AttachmentVersion(
        attachment=attachment,
        number=attachment.version_count + 1,
        content=data,
        media_type=sniffed.kind.media_type,
        size=len(data),
        sha256=digest,
        width=sniffed.width,
        height=sniffed.height,
        uploaded_by=uploader,
        comment=" ".join((comment or "").split())[:MAX_COMMENT],
    )
    db.session.add(version)
    db.session.flush()
    attachment.current_version = version
    attachment.version_count = version.number
    # A facilitator uploading a deleted attachment's name brings it back, new file on top.
    attachment.deleted_at = None
    db.session.flush()
    return UploadOutcome("created" if created else "versioned", attachment, version)


def _find_or_create(page: Page, filename: str) -> tuple[Attachment, bool]:
    attachment = find_attachment(page, filename)
    if attachment is not None:
        return attachment, False
    attachment = Attachment(page=page, filename=filename)
    try:
        with db.session.begin_nested():
            db.session.add(attachment)
    except IntegrityError:
        # Someone attached a file of that name a moment ago: ours becomes its next version.
        return find_attachment(page, filename), False
    return attachment, True


def _lock(attachment: Attachment) -> Attachment:
    # Numbering versions reads version_count and writes it back; the row lock (SQLite's
    # write lock is already held, see wiki.database) makes that one step.
    return db.session.scalars(
        select(Attachment)
        .where(Attachment.id == attachment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def find_attachment(page: Page, filename: str) -> Attachment | None:
    """Return the attachment of ``page`` called ``filename``, deleted or not."""
    return db.session.scalar(
        select(Attachment).where(Attachment.page_id == page.id, Attachment.filename == filename)
    )


def attachments_for(page: Page | None, *, include_deleted: bool = False) -> list[Attachment]:
    """Return the attachments of ``page`` by name, with their current versions loaded."""
    if page is None or page.id is None:
        return []
    query = (
        select(Attachment)
        .where(Attachment.page_id == page.id)
        .options(
            selectinload(Attachment.current_version).selectinload(AttachmentVersion.uploaded_by)
        )
        .order_by(func.lower(Attachment.filename), Attachment.id)
    )
    if not include_deleted:
        query = query.where(Attachment.deleted_at.is_(None))
    return list(db.session.scalars(query))


def versions_of(attachment: Attachment) -> list[AttachmentVersion]:
    """Return every version of ``attachment``, newest first, without their bytes."""
    query = attachment.versions_query().options(selectinload(AttachmentVersion.uploaded_by))
    return list(db.session.scalars(query))


def get_version(attachment: Attachment, number: int) -> AttachmentVersion | None:
    """Return version ``number`` of ``attachment``."""
    return db.session.scalar(
        select(AttachmentVersion).where(
            AttachmentVersion.attachment_id == attachment.id, AttachmentVersion.number == number
        )
    )


def file_url(attachment: Attachment, version: AttachmentVersion | None = None) -> str:
    """Return the address of the attachment's current file, or of one old version."""
    if version is None:
        return url_for("attachments.download", id=attachment.id, filename=attachment.filename)
    return url_for(
        "attachments.download_version",
        id=attachment.id,
        number=version.number,
        filename=attachment.filename,
    )


def embed_markdown(attachment: Attachment) -> str:
    """Return the Markdown that shows an image, or links a PDF, from a page."""
    url = file_url(attachment)
    version = attachment.current_version
    if version is not None and version.is_image:
        alt = attachment.filename.rpartition(".")[0].replace("_", " ").replace("-", " ")
        return f"![{' '.join(alt.split()) or 'Picture'}]({url})"
    return f"[{attachment.filename}]({url})"


def delete_attachment(attachment: Attachment, by: User) -> None:
    """Hide an attachment from everyone but facilitators; its versions are kept."""
    attachment.deleted_at = utcnow()


def delete_consequences(attachment: Attachment) -> list[str]:
    """Say what deleting ``attachment`` does, before it is done."""
    versions = attachment.version_count
    return [
        f"Nobody but facilitators can open “{attachment.filename}” any more: a page that "
        "shows it shows a missing picture, and links to it lead nowhere.",
        f"Its {plural(versions, 'version')} {'is' if versions == 1 else 'are'} kept, and a "
        "facilitator can restore it.",
    ]


def restore_attachment(attachment: Attachment, by: User) -> None:
    """Bring a deleted attachment back."""
    attachment.deleted_at = None
