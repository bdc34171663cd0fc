"""The home page and the site's own small pages."""

from flask import Blueprint
from sqlalchemy import text

from wiki.extensions import db
from wiki.rendering import render

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Show what campwiki is for and where to start."""
    return render("main/home.html")


@bp.get("/-/health")
def health():
    """Answer whether the app and its database respond."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
