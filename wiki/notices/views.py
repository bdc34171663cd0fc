"""A person's inbox: what the site told them, with the unread count in every page's header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from wiki.extensions import db
from wiki.forms import EmptyForm
from wiki.notices import services
from wiki.notices.models import Notice
from wiki.rendering import render, safe_next

bp = Blueprint("notices", __name__, url_prefix="/notices")


def unread_notices() -> int:
    """Return the reader's unread count; 0 without a query for anyone not logged in."""
    if not current_user.is_authenticated:
        return 0
    return services.unread_count(current_user)


@bp.app_context_processor
def notices_context() -> dict:
    return {"unread_notices": unread_notices}


@bp.get("")
@login_required
def inbox():
    items = services.inbox(current_user)
    return render("notices/inbox.html", notices=items, form=EmptyForm())


@bp.get("/<int:notice_id>")
@login_required
def follow(notice_id: int):
    """Mark the notice read and go where it points (a path on this site, never elsewhere)."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404, "There is no such notice in your inbox.")
    services.mark_read(current_user, [notice.id])
    # A GET that writes: reads skip the request's commit, so this one commits itself.
    db.session.commit()
    return redirect(safe_next(notice.link, url_for("notices.inbox")))


@bp.post("/read")
@login_required
def read_all():
    count = services.mark_read(current_user)
    flash("Marked every notice read." if count else "Nothing was unread.", "success")
    return redirect(url_for("notices.inbox"))
