"""Business rules for reports: what can be reported, who hears of it, and hiding content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from wiki.accounts.models import User
from wiki.auth import Role
from wiki.database import utcnow
from wiki.events import announcements
from wiki.events.models import Announcement
from wiki.extensions import db
from wiki.mail import mail_configured, send_after_commit
from wiki.moderation.models import Report, ReportStatus, TargetType
from wiki.pages import services as pages
from wiki.pages.models import Page, Revision
from wiki.pitches import services as pitches
from wiki.pitches.models import Comment, Pitch
from wiki.rendering import is_safe_next
from wiki.rules import RuleError
from wiki.urls import external_url

MAX_REASON = 2000
MAX_NOTE = 500
MAX_URL = 500
MAX_TITLE = 200
DEFAULT_DECLINE_REASON = "It does not follow the code of conduct."


class ModerationError(RuleError):
    """A report cannot be made or handled."""


@dataclass(frozen=True)
class Target:
    """Something that can be reported, as moderation needs to see it."""

    type: TargetType
    id: int
    title: str
    url: str
    item: Page | Revision | Pitch | Comment | Announcement
    # Hidden by a facilitator (a deleted page, a hidden comment...): "Show again" applies.
    hidden: bool
    # Whether people without a role can see it at all.
    public: bool

    @property
    def label(self) -> str:
        return self.type.label

    @property
    def can_hide(self) -> bool:
        if self.type is TargetType.PITCH:
            return self.item.is_active
        return not self.hidden

    @property
    def can_show_again(self) -> bool:
        # A declined pitch has given its dots back; it is pitched again, not shown again.
        return self.hidden and self.type is not TargetType.PITCH

    @property
    def hide_label(self) -> str:
        return {
            TargetType.PAGE: "Delete page",
            TargetType.REVISION: "Hide revision",
            TargetType.PITCH: "Decline session",
            TargetType.COMMENT: "Hide comment",
            TargetType.ANNOUNCEMENT: "Hide announcement",
        }[self.type]

    @property
    def show_label(self) -> str:
        return "Restore page" if self.type is TargetType.PAGE else "Show again"


def _short(text: str, limit: int = MAX_TITLE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _page(page_id: int) -> Target | None:
    page = db.session.get(Page, page_id)
    if page is None:
        return None
    url = url_for("pages.view", slug=page.slug)
    return Target(
        TargetType.PAGE,
        page.id,
        _short(page.title),
        url,
        page,
        page.is_deleted,
        not page.is_deleted,
    )


def _revision(revision_id: int) -> Target | None:
    revision = db.session.get(Revision, revision_id)
    if revision is None:
        return None
    page = revision.page
    return Target(
        TargetType.REVISION,
        revision.id,
        _short(f"{page.title}, revision {revision.number}"),
        url_for("pages.revision", slug=page.slug, number=revision.number),
        revision,
        revision.hidden,
        not (revision.hidden or page.is_deleted),
    )


def _pitch(pitch_id: int) -> Target | None:
    pitch = db.session.get(Pitch, pitch_id)
    if pitch is None:
        return None
    url = url_for("pitches.show", slug=pitch.event.slug, pitch_id=pitch.id)
    return Target(TargetType.PITCH, pitch.id, _short(pitch.title), url, pitch, False, True)


def _comment(comment_id: int) -> Target | None:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        return None
    pitch = db.session.get(Pitch, comment.pitch_id)
    author = comment.author.display_name if comment.author else "a former account"
    return Target(
        TargetType.COMMENT,
        comment.id,
        _short(f"Comment by {author} on “{pitch.title}”"),
        url_for("pitches.show", slug=pitch.event.slug, pitch_id=pitch.id, _anchor="comments"),
        comment,
        comment.hidden,
        not comment.hidden,
    )


def _announcement(announcement_id: int) -> Target | None:
    item = db.session.get(Announcement, announcement_id)
    if item is None:
        return None
    url = url_for("events.view", slug=item.event.slug, _anchor="news")
    return Target(
        TargetType.ANNOUNCEMENT,
        item.id,
        _short(item.title),
        url,
        item,
        item.hidden,
        not item.hidden,
    )


_LOADERS: dict[TargetType, Callable[[int], Target | None]] = {
    TargetType.PAGE: _page,
    TargetType.REVISION: _revision,
    TargetType.PITCH: _pitch,
    TargetType.COMMENT: _comment,
    TargetType.ANNOUNCEMENT: _announcement,
}


def find_target(target_type: str, target_id: int | None, *, staff: bool) -> Target | None:
    """Return the reportable thing, or None if it does not exist or ``staff`` may not see it."""
    try:
        kind = TargetType(target_type)
    except ValueError:
        return None
    if target_id is None:
        return None
    target = _LOADERS[kind](target_id)
    if target is None or not (target.public or staff):
        return None
    return target


def clean_reason(reason: str) -> str:
    """Return the reason with line endings tidied, or raise when it is empty or too long."""
    reason = reason.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not reason:
        raise ModerationError(
            "reason", "Say what is wrong, so the facilitators know what to look for."
        )
    if len(reason) > MAX_REASON:
        raise ModerationError(
            "reason", f"That is {len(reason):,} characters; keep it under {MAX_REASON:,}."
        )
    return reason


def file_report(target: Target, reason: str, reporter: User, where: str | None = None) -> Report:
    """Record a report about ``target`` and let the facilitators know.

    :param where: the page the person reported from; kept only if it is a path on this site.
    """
    reason = clean_reason(reason)
    if not (where and len(where) <= MAX_URL and is_safe_next(where)):
        where = target.url
    report = Report(
        target_type=target.type,
        target_id=target.id,
        target_url=where,
        target_title=target.title,
        reason=reason,
        reporter_id=reporter.id,
    )
    db.session.add(report)
    db.session.flush()
    _mail_facilitators(report, target, reporter)
    return report


def _mail_facilitators(report: Report, target: Target, reporter: User) -> None:
    if not mail_configured():
        return
    people = db.session.execute(
        select(User.email, User.display_name).where(
            User.role.in_([Role.FACILITATOR, Role.ADMIN]),
            User.email.is_not(None),
            User.email != "",
            User.email_confirmed_at.is_not(None),
            User.id != reporter.id,
        )
    ).all()
    if not people:
        return
    site = current_app.config["SITE_NAME"]
    inbox = external_url("moderation.inbox")
    subject = f"[{site}] A {target.label} was reported"
    # Only where to look: what was said, and by whom, stays on the site behind a login.
    messages = [
        (
            email,
            subject,
            f"Hello {name},\n\nSomeone reported the {target.label} “{report.target_title}” on "
            f"{site}.\n\nRead the report and decide what to do (only facilitators can open "
            f"this page):\n\n{inbox}\n\nYou get this message because you are a facilitator "
            f"on {site}.\n",
        )
        for email, name in people
    ]
    send_after_commit(messages, "Could not e-mail the facilitators about a report")


def open_reports():
    """Return a query of the reports nobody has dealt with yet, newest first."""
    return (
        select(Report)
        .where(Report.status == ReportStatus.OPEN)
        .options(selectinload(Report.reporter))
        .order_by(Report.created_at.desc(), Report.id.desc())
    )


def closed_reports():
    """Return a query of resolved and dismissed reports, most recently handled first."""
    return (
        select(Report)
        .where(Report.status != ReportStatus.OPEN)
        .options(selectinload(Report.reporter), selectinload(Report.resolved_by))
        .order_by(Report.resolved_at.desc(), Report.id.desc())
    )


def count_open() -> int:
    """Return how many reports wait for a facilitator."""
    return db.session.scalar(
        select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN)
    )


def clean_note(note: str | None) -> str:
    """Return a facilitator's note tidied, or raise when it is too long."""
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        raise ModerationError("note", f"Keep the note under {MAX_NOTE} characters.")
    return note


def close_report(report: Report, by: User, status: ReportStatus, note: str = "") -> bool:
    """Mark an open report resolved or dismissed; tell whether it was still open.

    A conditional UPDATE, so two facilitators pressing at once cannot both close it.
    """
    note = clean_note(note)
    done = db.session.execute(
        update(Report)
        .where(Report.id == report.id, Report.status == ReportStatus.OPEN)
        .values(status=status, resolved_by_id=by.id, resolved_at=utcnow(), resolution_note=note)
    )
    db.session.refresh(report)
    return done.rowcount == 1


def hide_target(target: Target, by: User, note: str = "") -> int:
    """Hide the content from the public and resolve every open report about it.

    Returns how many open reports this resolved.
    """
    note = clean_note(note)
    resolved = db.session.execute(
        update(Report)
        .where(
            Report.target_type == target.type,
            Report.target_id == target.id,
            Report.status == ReportStatus.OPEN,
        )
        .values(
            status=ReportStatus.RESOLVED,
            resolved_by_id=by.id,
            resolved_at=utcnow(),
            resolution_note=note or f"{target.hide_label}.",
        )
    ).rowcount
    item = target.item
    if target.type is TargetType.PAGE:
        pages.delete_page(item, by)
    elif target.type is TargetType.REVISION:
        _take_off_the_page(item, by)
        pages.hide_revision(item, by, note)
    elif target.type is TargetType.PITCH:
        if item.is_active:
            # Last: declining publishes a live event, which should end the transaction's work.
            try:
                pitches.decline_pitch(item, note or DEFAULT_DECLINE_REASON)
            except pitches.PitchError:
                pass  # declined or merged a moment ago: off the board all the same
    elif target.type is TargetType.COMMENT:
        item.hidden = True
    else:
        announcements.set_hidden(item, True)
    return resolved


def hide_consequences(target: Target) -> list[str]:
    """Say what hiding ``target`` does, before it is done."""
    item = target.item
    if target.type is TargetType.PAGE:
        said = pages.delete_consequences(item)
    elif target.type is TargetType.REVISION:
        said = ["Its text is hidden from everyone but facilitators; the database keeps it."]
        if item.page.current_revision_id == item.id:
            said.append(
                "It is the page's current text, so the page goes back to the newest revision "
                "nobody hid (or, if there is none, is deleted until a facilitator restores it)."
            )
    elif target.type is TargetType.PITCH:
        said = pitches.decline_consequences(item)
        said[-1] = (
            "Everyone can read your note on its page as the reason; without one they read: "
            f"“{DEFAULT_DECLINE_REASON}”"
        )
    elif target.type is TargetType.COMMENT:
        said = ["The comment is hidden from everyone but facilitators; you can show it again."]
    else:
        said = ["It leaves the event page and the news feed; you can show it again."]
    return [*said, "Every open report about it is resolved."]


def _take_off_the_page(revision: Revision, by: User) -> None:
    """If the page shows this revision now, put back the newest text nobody hid."""
    page = revision.page
    if page.current_revision_id != revision.id:
        return
    earlier = db.session.scalar(
        select(Revision)
        .where(
            Revision.page_id == page.id,
            Revision.number < revision.number,
            Revision.hidden.is_(False),
        )
        .order_by(Revision.number.desc())
        .limit(1)
    )
    if earlier is None:
        # Nothing fit to show: the page goes until a facilitator restores it.
        pages.delete_page(page, by)
    else:
        pages.revert_to(page, earlier, by)


def show_again(target: Target, by: User) -> None:
    """Undo hiding: restore the page, or show the revision, comment or announcement again."""
    item = target.item
    if target.type is TargetType.PAGE:
        pages.restore_page(item, by)
    elif target.type is TargetType.REVISION:
        pages.unhide_revision(item)
    elif target.type is TargetType.COMMENT:
        item.hidden = False
    elif target.type is TargetType.ANNOUNCEMENT:
        announcements.set_hidden(item, False)
    else:
        raise ModerationError("target", "A declined session cannot be shown again; pitch it anew.")
