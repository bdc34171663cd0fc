"""What every template can use: versioned static URLs, dates, the site's name."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for

from wiki.auth import Role
from wiki.words import noun, plural

LONDON = ZoneInfo("Europe/London")


@cache
def _file_version(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """Return a URL for a static file that changes whenever the file does."""
    path = Path(current_app.static_folder) / filename
    version = _file_version(str(path), path.stat().st_mtime)
    return url_for("static", filename=filename, v=version)


def format_datetime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """Format an aware datetime in UK time."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime(fmt)


def format_local(value: datetime | None, zone: str, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """Format an aware datetime in the given time zone (an event's own)."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).strftime(fmt)


def iso(value: datetime | None) -> str:
    """Format a datetime for a machine-readable <time datetime>."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def init_app(app: Flask) -> None:
    """Register template globals and filters."""
    app.jinja_env.globals.update(static_url=static_url, Role=Role)
    app.jinja_env.filters.update(
        datetime=format_datetime, iso=iso, local=format_local, plural=plural, noun=noun
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site():
        return {"site_name": app.config["SITE_NAME"]}

    @app.after_request
    def cache_static(response):
        # Versioned URLs never change content, so phones on venue Wi-Fi fetch them once.
        if request.endpoint == "static" and request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response
