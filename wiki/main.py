"""The home page and the site's own small pages, search across every domain among them."""

from flask import Blueprint, request
from sqlalchemy import text

from wiki import search as site_search
from wiki.events import rsvps
from wiki.events import services as events
from wiki.extensions import db
from wiki.pages import services as pages
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


@bp.get("/-/search")
def search():
    """Search pages, sessions, comments and announcements."""
    query = request.args.get("q", "").strip()
    hits = site_search.search(query, limit=30) if query else []
    exact = pages.find_page(pages.slug_for(query)) if query else None
    return render("pages/search.html", block="results", query=query, hits=hits, exact=exact)
