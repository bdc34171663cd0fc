"""The published programme's exports: iCalendar, frab's XML and JSON, CSV, a personal feed.

Every export reads a published version, never the draft: the latest, or ``?v=<n>`` for an
older one. A version never changes, so each answer is named by an ETag made from the
version and the format, and a calendar or conference app that asks again with
``If-None-Match`` (or ``If-Modified-Since``) is answered 304 before anything is built.

The personal feed's address is its own password (calendar apps cannot log in), so it is
answered the same way whatever is wrong with it, is marked private, is never sent on as a
referrer, and is kept out of the error log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.http import is_resource_modified

from wiki.events.models import Event
from wiki.events.services import get_event
from wiki.exports import frab, ical, spreadsheet
from wiki.extensions import db
from wiki.schedule import agenda, exports, versions
from wiki.schedule.models import ScheduleVersion
from wiki.urls import external_url

bp = Blueprint("feeds", __name__, url_prefix="/events")

# Raised when a writer's output changes shape, so caches holding the old one refetch.
EXPORT_REVISION = 1
NOT_PUBLISHED = "This event's programme is not published yet: there is nothing to export."
NO_FEED = "There is no calendar feed at this address. Copy the current one from your agenda."
PUBLIC_CACHE = "public, no-cache"
PRIVATE_CACHE = "private, no-cache"


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _version(event: Event) -> ScheduleVersion:
    """Return the version asked for (``?v=<n>``, else the latest), or answer 404 in words."""
    asked = request.args.get("v")
    if asked is None:
        version = versions.latest(event)
        if version is None:
            abort(_plain(404, NOT_PUBLISHED))
        return version
    number = asked.removeprefix("v")
    known = number.isascii() and number.isdigit() and len(number) < 9
    version = versions.get(event, int(number)) if known else None
    if version is None:
        if versions.latest(event) is None:
            abort(_plain(404, NOT_PUBLISHED))
        abort(
            _plain(
                404,
                f"There is no version {asked!r} of this programme. Leave out ?v= for the latest.",
            )
        )
    return version


def links(event: Event) -> exports.Links:
    """Return the absolute addresses the exports of ``event`` write."""
    return exports.Links(
        site=external_url("main.home"),
        programme=external_url("programme.show", slug=event.slug),
        pitch=lambda pitch_id: external_url("pitches.show", slug=event.slug, pitch_id=pitch_id),
        page=lambda page_slug: external_url("pages.view", slug=page_slug),
    )


def _tag(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:32]


def _answer(
    build: Callable[[], bytes],
    *,
    etag: str,
    last_modified: datetime,
    mimetype: str,
    cache: str = PUBLIC_CACHE,
    headers: dict[str, str] | None = None,
    dated: bool = True,
) -> Response:
    """Answer 304 when the client holds ``etag`` (or the version's date), else ``build()``.

    The check comes first, so a 304 never builds the document. The ETag is strong: one
    version in one format is one byte string (the calendar's DTSTAMP is the publication).
    ``dated=False`` sends Last-Modified but answers only to the ETag, for a document that
    changes without a date to show for it.
    """
    response = Response(content_type=mimetype)
    response.set_etag(etag)
    response.last_modified = last_modified
    response.headers["Cache-Control"] = cache
    response.headers.update(headers or {})
    since = last_modified if dated else None
    if not is_resource_modified(request.environ, etag=etag, last_modified=since):
        response.status_code = 304
        response.headers.pop("Content-Type", None)
        response.headers.pop("Content-Disposition", None)
        return response
    response.set_data(build())
    return response


def _public(slug: str, kind: str, build, mimetype: str, headers=None) -> Response:
    event = get_event(slug)
    version = _version(event)
    programme = versions.programme(version)
    site = links(event)
    return _answer(
        lambda: build(event, programme, site),
        etag=_tag(EXPORT_REVISION, kind, version.id, site.site),
        last_modified=version.published_at,
        mimetype=mimetype,
        headers=headers(version) if headers else None,
    )


def _ics(event, programme, site) -> bytes:
    return ical.calendar(
        exports.calendar_events(programme, site),
        product=current_app.config["SITE_NAME"],
        stamp=exports.stamp(programme),
    )


def _frab(write):
    def build(event, programme, site) -> bytes:
        return write(
            exports.conference(programme, site, slug=event.slug, event_id=event.id),
            exports.frab_sessions(programme, site, event_id=event.id),
        )

    return build


def _csv(event, programme, site) -> bytes:
    return spreadsheet.programme_csv(exports.rows(programme, site)).encode()


@bp.get("/<slug>/schedule.ics")
def ics(slug: str):
    """Serve the whole published programme as an iCalendar file, one entry per session."""
    return _public(slug, "ics", _ics, exports.ICS_TYPE)


@bp.get("/<slug>/schedule.xml")
def xml(slug: str):
    """Serve the published programme as frab's ``schedule.xml``."""
    return _public(slug, "xml", _frab(frab.schedule_xml), exports.XML_TYPE)


@bp.get("/<slug>/schedule.json")
def json(slug: str):
    """Serve the published programme as frab's ``schedule.json``."""
    return _public(slug, "json", _frab(frab.schedule_json), exports.JSON_TYPE)


@bp.get("/<slug>/schedule.csv")
def csv(slug: str):
    """Serve the published programme as a CSV file to open in a spreadsheet."""

    def attachment(version: ScheduleVersion) -> dict[str, str]:
        name = f"{slug}-programme-{version.name}.csv"
        return {"Content-Disposition": f'attachment; filename="{name}"'}

    return _public(slug, "csv", _csv, exports.CSV_TYPE, attachment)


@bp.get("/<slug>/schedule/feed/<token>.ics")
def personal(slug: str, token: str):
    """Serve one person's agenda as a calendar feed at its secret address (no login)."""
    try:
        response = _personal(slug, token)
    except HTTPException:
        raise
    except Exception:
        # Flask would log the request's path, which holds the token: log without it.
        db.session.rollback()
        current_app.logger.exception("Could not serve a calendar feed of event %r", slug)
        abort(500)
    response.headers["Cache-Control"] = PRIVATE_CACHE
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _personal(slug: str, token: str) -> Response:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    feed = agenda.find_feed(event, token) if event is not None else None
    version = versions.latest(event) if feed is not None else None
    if feed is None or version is None:
        return _plain(404, NO_FEED)  # the same answer whatever is wrong
    user = feed.user
    reasons = agenda.reasons_for(event, user)
    mine = ",".join(f"{p}:{'+'.join(sorted(r.kinds))}" for p, r in sorted(reasons.items()))
    site = links(event)
    programme = versions.programme(version)

    def build() -> bytes:
        # seen_version: the feed reads the agenda without asking for, or moving, the last look.
        items = agenda.build(event, user, version, seen_version=version.number).items
        only = {i.session.pitch_id for i in items}
        only |= {c.pitch_id for c in programme.cancelled if c.pitch_id in reasons}
        return ical.calendar(
            exports.calendar_events(programme, site, only=only),
            product=current_app.config["SITE_NAME"],
            stamp=exports.stamp(programme),
        )

    return _answer(
        build,
        etag=_tag(EXPORT_REVISION, "agenda", version.id, feed.id, feed.created_at, site.site, mine),
        # Stars and dots change the feed without a date to show for it: only the ETag counts.
        last_modified=max(version.published_at, feed.created_at),
        dated=False,
        mimetype=exports.ICS_TYPE,
        cache=PRIVATE_CACHE,
    )
