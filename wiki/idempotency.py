"""Forms that create things are safe to submit twice.

Every rendered form that creates something (a comment, a pitch, an announcement, a report, a
page, an event) carries a fresh one-time token in a hidden field (``SubmitOnce``, rendered by the
``submit_once`` macro). The view claims the token before it creates anything: an INSERT of
(user, token) that the unique constraint lets through once. The first request creates the
thing and records where it led; a second one with the same token (a double click, four
parallel posts, the back button and submit again) gets the same redirect instead of a copy.

The database decides, not a read before a write: on PostgreSQL a second INSERT waits for the
first request's transaction and then sees its row; SQLite's write lock orders them. A request
that fails (a 422, a rule refused) rolls back, claim included, so the corrected form can be
sent again with its token.

A form without a token (a tab opened before tokens existed, a hand-made request) is a fresh
request: it creates as it always did. Refusing it would lose what someone typed in an old tab,
and the token only guards against accidents, never against a person who means to post twice.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask import Response, flash, redirect
from sqlalchemy import ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from wiki.database import Base, utcnow
from wiki.extensions import db

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
REPEATED = "That was sent already, so nothing was added twice. Here it is."


class Submission(Base):
    """One form submission that created something: who sent it, its token, where it led."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("user_id", "token", name="uq_submissions_user_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_token() -> str:
    """Return a fresh token for one rendered form."""
    return secrets.token_urlsafe(18)


class SubmissionTokenField(HiddenField):
    """The form's one-time token: its data is the token, or None when the form had none."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, default=new_token, **kwargs)
        self.claimed: int | None = None

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist else ""
        self.data = raw if TOKEN_RE.fullmatch(raw) else None

    def _value(self):
        # A form re-rendered after a failure keeps its token (the failed try was rolled
        # back, so the token is still free); one that came without gets a new one.
        if self.data is None:
            self.data = new_token()
        return self.data


class SubmitOnce:
    """Mix into a form that creates something, so a second submit creates nothing."""

    submission_token = SubmissionTokenField()


def claim(form, user) -> Submission | None:
    """Claim the form's token for ``user``; return the earlier submission if one had it.

    None means: go ahead and create (this request is the first with the token, or the form
    had none), then answer with ``done``; otherwise answer with ``repeat``.
    """
    field = form.submission_token
    if field.data is None:
        return None
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    claimed = db.session.execute(
        dialect.insert(Submission)
        .values(user_id=user.id, token=field.data, url="", created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "token"])
        .returning(Submission.id)
    ).scalar()
    if claimed is not None:
        field.claimed = claimed
        return None
    return db.session.scalar(
        select(Submission).where(Submission.user_id == user.id, Submission.token == field.data)
    )


def done(form, response: Response) -> Response:
    """Remember where the form's first submission led (``response``'s redirect); return it."""
    claimed = form.submission_token.claimed
    if claimed is not None and response.location:
        db.session.execute(
            update(Submission).where(Submission.id == claimed).values(url=response.location[:500]),
            execution_options={"synchronize_session": False},
        )
    return response


def repeat(previous: Submission) -> Response:
    """Answer a repeated submission as the first one was answered: with its redirect."""
    flash(REPEATED, "info")
    return redirect(previous.url or "/", 303)
