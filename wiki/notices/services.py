"""Telling one person something: a notice in their inbox, and one e-mail about it.

``notify`` writes inside the caller's transaction, so a notice exists only if what it tells
of was saved. The e-mail goes after the commit (``mail_after_commit``): each notice's
``mailed_at`` is claimed first by a conditional UPDATE on a connection of its own, so a
notice is mailed at most once, however often the sending is tried.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from wiki.accounts.models import User
from wiki.database import on_commit, utcnow
from wiki.extensions import db
from wiki.mail import Mail, mail_configured, send_mail
from wiki.notices.models import Notice

INBOX_SIZE = 50


@dataclass(frozen=True)
class Message:
    """What one person is told: a title, lines of plain text, and where to see more."""

    user_id: int
    title: str
    lines: Sequence[str]
    link: str = ""


def notify(key: str, messages: Iterable[Message], *, event_id: int | None = None) -> list[int]:
    """Write one notice per message under ``key``; return the ids of those that are new.

    A person who already has a notice under ``key`` is not told again (the unique key).
    """
    rows = [
        {
            "user_id": m.user_id,
            "event_id": event_id,
            "key": key,
            "title": m.title[:200],
            "body": "\n".join(m.lines),
            "link": m.link,
            "created_at": utcnow(),
        }
        for m in messages
    ]
    if not rows:
        return []
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notice)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(Notice.id)
    )
    return list(db.session.scalars(statement))


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    )


def inbox(user: User, limit: int = INBOX_SIZE) -> list[Notice]:
    """Return the person's newest notices, newest first (the unread ones are marked)."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.user_id == user.id)
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the person's notices read (all of them, or those named); return how many."""
    statement = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if notice_ids is not None:
        statement = statement.where(Notice.id.in_(list(notice_ids)))
    return db.session.execute(statement.values(read_at=utcnow())).rowcount


def mail_after_commit(notice_ids: Sequence[int], *, site: str, base_url: str) -> None:
    """E-mail each new notice to its reader's confirmed address, once the commit is done."""
    if not notice_ids or not mail_configured():
        return
    ids = list(notice_ids)
    app = current_app._get_current_object()
    on_commit(db.session(), lambda: send_unmailed(app, ids, site=site, base_url=base_url))


def send_unmailed(app, notice_ids: Sequence[int], *, site: str, base_url: str) -> int:
    """Claim and send the notices named that have not been mailed; return how many went."""
    engine = app.extensions["campwiki.db"]
    with engine.begin() as connection:
        claimed = list(
            connection.execute(
                update(Notice)
                .where(Notice.id.in_(list(notice_ids)), Notice.mailed_at.is_(None))
                .values(mailed_at=utcnow())
                .returning(Notice.id, Notice.user_id, Notice.title, Notice.body, Notice.link)
            )
        )
        users = {
            u.id: u
            for u in connection.execute(
                select(User.id, User.email, User.email_confirmed_at, User.display_name).where(
                    User.id.in_([c.user_id for c in claimed])
                )
            )
        }
    mails: list[Mail] = []
    for notice in claimed:
        user = users.get(notice.user_id)
        if user is None or not user.email or user.email_confirmed_at is None:
            continue
        link = f"{base_url.rstrip('/')}{notice.link}" if notice.link else base_url
        body = f"Hello {user.display_name},\n\n{notice.body}\n\nSee it on {site}: {link}\n"
        mails.append((user.email, notice.title, body))
    sent = 0
    for to, subject, body in mails:
        try:
            send_mail(to, subject, body)
            sent += 1
        except (smtplib.SMTPException, OSError) as error:
            # Best effort: the notice stands in the inbox whether or not the mail went.
            app.logger.warning("Could not e-mail a notice to %s: %s", to, error)
    return sent
