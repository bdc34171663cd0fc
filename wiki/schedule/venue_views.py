"""The venue's screens and walls: now and next on the hall's screen, the printed grid, the
cards for room doors and for each session. Public, and read from the latest published
version only; before v1 each page says the programme is not published yet.
"""

from __future__ import annotations

import base64
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request, url_for

from wiki.events.models import Event
from wiki.events.services import get_event
from wiki.exports.qr import qr_svg
from wiki.rendering import render
from wiki.schedule import clock, venue, versions
from wiki.schedule.programme import Programme, RoomInfo, Session

bp = Blueprint("venue", __name__, url_prefix="/events")

PAPER_SIZES = ("A3", "A4")


def qr_image(url: str) -> str:
    """Return a QR code for ``url`` as a data: URL (the policy allows data: images only)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode()


def _programme(event: Event) -> Programme | None:
    version = versions.latest(event)
    return versions.programme(version) if version is not None else None


def _room(programme: Programme | None) -> RoomInfo | None:
    """Return the room ``?room=`` names, None for all rooms; answer 400/404 when it is wrong."""
    value = request.args.get("room", "").strip()
    if not value or programme is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        abort(400, "The room must be given by its number, like ?room=3.")
    room = programme.room(int(value))
    if room is None:
        abort(404, f"There is no room {value} in this programme. Pick one from the list.")
    return room


def session_link(event: Event, session: Session) -> str:
    """Return where a session's QR code leads: its notes page, or else its pitch."""
    if session.page_slug:
        return url_for("pages.view", slug=session.page_slug, _external=True)
    return url_for("pitches.show", slug=event.slug, pitch_id=session.pitch_id, _external=True)


@bp.get("/<slug>/schedule/venue")
def index(slug: str):
    """List the venue's screens (all rooms, each room) and the pages to print."""
    event = get_event(slug)
    return render_template("venue/index.html", event=event, programme=_programme(event))


@bp.get("/<slug>/schedule/screen")
def screen(slug: str):
    """Show now and next on a big screen (all rooms or ``?room=``), updating itself live."""
    event = get_event(slug)
    programme = _programme(event)
    room = _room(programme)
    moment = clock.now(ZoneInfo(event.timezone))
    shown = venue.screen(programme, moment, room=room.id if room else None) if programme else None
    return render(
        "venue/screen.html",
        block="now_next",
        event=event,
        programme=programme,
        room=room,
        moment=moment,
        shown=shown,
        qr=qr_image(url_for("programme.show", slug=event.slug, _external=True)),
        programme_url=url_for("programme.show", slug=event.slug, _external=True),
    )


@bp.get("/<slug>/schedule/print")
def print_grid(slug: str):
    """Show the whole grid to print on one landscape page (``?size=A3``, the default, or A4)."""
    event = get_event(slug)
    size = request.args.get("size", "A3").strip().upper()
    if size not in PAPER_SIZES:
        abort(400, "The paper size must be A3 or A4, like ?size=A4.")
    programme = _programme(event)
    url = url_for("programme.show", slug=event.slug, _external=True)
    return render_template(
        "venue/print_grid.html",
        event=event,
        programme=programme,
        size=size,
        grids=venue.day_grids(programme) if programme else [],
        qr=qr_image(url),
        programme_url=url,
    )


@bp.get("/<slug>/schedule/cards/rooms")
def room_cards(slug: str):
    """Show one A4 card per room door: the room's name and its day, to print."""
    event = get_event(slug)
    programme = _programme(event)
    cards = []
    if programme is not None:
        for room in programme.rooms:
            for day in programme.days:
                cards.append((room, day, venue.room_day(programme, room.id, day)))
    return render_template("venue/room_cards.html", event=event, programme=programme, cards=cards)


@bp.get("/<slug>/schedule/cards/sessions")
def session_cards(slug: str):
    """Show one A4 card per session (``?room=`` for one room's), with a QR code to its notes."""
    event = get_event(slug)
    programme = _programme(event)
    room = _room(programme)
    cards = []
    if programme is not None:
        order = {r.id: k for k, r in enumerate(programme.rooms)}
        sessions = sorted(
            (s for s in programme.sessions if room is None or s.room_id == room.id),
            key=lambda s: (s.starts_at, order.get(s.room_id, 0)),
        )
        for session in sessions:
            link = session_link(event, session)
            cards.append((session, link, qr_image(link)))
    return render_template(
        "venue/session_cards.html", event=event, programme=programme, room=room, cards=cards
    )
