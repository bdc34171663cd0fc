"""The home page and the site's own small pages."""

from flask import Blueprint
from sqlalchemy import text

from wiki.events import rsvps
from wiki.events import services as events
from wiki.extensions import db
from wiki.rendering import render

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Show the current event and where to start."""
    event = events.current_event()
    return render(
        "main/home.html",
        event=event,
        counts=rsvps.counts(event) if event else None,
    )


@bp.get("/-/health")
def health():
    """Answer whether the app and its database respond."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
