"""The published programme: the grid, the phone list, versions, stars and my agenda.

Every page here reads a published version (``versions``), never the draft. The grid and the
list by time are both in the page (CSS shows one by width); filters are query parameters, so
they work without JavaScript and can be bookmarked. A page re-fetches its ``programme`` block
when a version is published (``sse:programme-published``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from wiki.events.models import Event
from wiki.events.services import get_event
from wiki.extensions import db
from wiki.forms import EmptyForm
from wiki.pitches.models import Pitch
from wiki.rendering import render, safe_next, wants_fragment
from wiki.schedule import agenda as agendas
from wiki.schedule import clock, grid, versions
from wiki.schedule.models import ScheduleVersion
from wiki.schedule.programme import Programme, now_and_next
from wiki.urls import external_url

bp = Blueprint("programme", __name__, url_prefix="/events")

PAGE = "programme/show.html"
AGENDA = "programme/agenda.html"
# Where a star button sits: each place has its own ids and its own anchor to come back to.
STAR_PLACES = {"grid": "session-{}", "list": "at-{}", "agenda": "mine-{}"}


_TITLE = re.compile(r"\*([^*]+)\*")


@bp.app_template_filter("titles")
def titles(text: str) -> Markup:
    """Show a change's or clash's *titles* as emphasis, everything else escaped."""
    return Markup(_TITLE.sub(r"<em>\1</em>", str(escape(text))))


@bp.app_context_processor
def programme_context() -> dict:
    """Let templates ask for an event's published version."""
    return {"published_version": versions.latest}


def _back() -> str:
    return request.full_path.rstrip("?")


def _read_filters(programme: Programme) -> grid.ReadFilters:
    args = request.args
    flags = {name: args.get(name) for name in grid.FLAGS}
    room = args.get("room")
    return grid.read_filters(programme, flags, args.getlist("tag"), room)


def _programme_context(event: Event, version: ScheduleVersion, latest: ScheduleVersion) -> dict:
    programme = versions.programme(version)
    read = _read_filters(programme)
    keep = read.filters.keeps
    shown = sum(1 for s in programme.sessions if keep(programme, s))
    moment = clock.now(programme.zone)
    now = upcoming = None
    if version.id == latest.id and programme.local(moment).date() in programme.days:
        now, upcoming = now_and_next(programme, moment)
        now = [s for s in now if keep(programme, s)]
        upcoming = [s for s in upcoming if keep(programme, s)]
    return {
        "event": event,
        "version": version,
        "latest": latest,
        "programme": programme,
        "changes": versions.changes(version),
        "filters": read.filters,
        "filter_errors": read.errors,
        "tags": grid.tags_of(programme),
        "days": grid.table_days(programme, lambda s: keep(programme, s)),
        "list_days": grid.list_days(programme, lambda s: keep(programme, s)),
        "shown": shown,
        "now": now,
        "upcoming": upcoming,
        "starred": agendas.starred(event, current_user),
        "star_form": EmptyForm(),
        "back": _back(),
        "updated": _updated_to(latest),
    }


def _updated_to(latest: ScheduleVersion) -> str:
    """Say the programme was updated, when a live re-fetch finds a newer version than shown."""
    shown = request.headers.get("X-Programme-Shown", "")
    if wants_fragment() and shown.isascii() and shown.isdigit() and int(shown) != latest.number:
        return f"Programme updated to {latest.name}."
    return ""


def _first_version(latest: ScheduleVersion | None) -> Response | None:
    """Answer a live re-fetch from a page shown before v1 with a reload, once v1 is out."""
    if latest is None or not wants_fragment():
        return None
    if request.headers.get("X-Programme-Shown") != "0":
        return None
    response = make_response("", 204)
    response.headers["HX-Refresh"] = "true"
    return response


def _programme_page(event: Event, version: ScheduleVersion, latest: ScheduleVersion):
    context = _programme_context(event, version, latest)
    status = 400 if context["filter_errors"] else 200
    return render(PAGE, block="programme", status=status, **context)


@bp.get("/<slug>/schedule")
def show(slug: str):
    """Show the latest published programme: the grid, the list by time, filters and stars."""
    event = get_event(slug)
    latest = versions.latest(event)
    if latest is None:
        return render("programme/unpublished.html", event=event, what="programme")
    if refresh := _first_version(latest):
        return refresh
    return _programme_page(event, latest, latest)


@bp.get("/<slug>/schedule/v<int:number>")
def version(slug: str, number: int):
    """Show one published version of the programme, older ones with a word about the current."""
    event = get_event(slug)
    found = versions.get(event, number)
    if found is None:
        latest = versions.latest(event)
        where = f" The current programme is {latest.name}." if latest else ""
        abort(404, f"There is no version v{number} of this programme.{where}")
    return _programme_page(event, found, versions.latest(event))


@bp.get("/<slug>/schedule/versions", endpoint="versions")
def versions_list(slug: str):
    """List every published version with when, by whom, and what changed in it."""
    event = get_event(slug)
    found = versions.all_for(event)
    if not found:
        return render("programme/unpublished.html", event=event, what="versions")
    zone = versions.programme(found[0]).timezone
    listed = [(v, versions.changes(v)) for v in found]
    return render("programme/versions.html", event=event, listed=listed, zone=zone)


def _get_pitch(event: Event, pitch_id: int) -> Pitch:
    pitch = db.session.get(Pitch, pitch_id)
    if pitch is None or pitch.event_id != event.id:
        abort(404, "There is no such session in this event.")
    return pitch


def _star(slug: str, pitch_id: int, on: bool):
    event = get_event(slug)
    pitch = _get_pitch(event, pitch_id)
    place = request.form.get("place", "grid")
    if place not in STAR_PLACES:
        place = "grid"
    error = None
    try:
        if on:
            agendas.star(event, current_user, pitch)
        else:
            agendas.unstar(event, current_user, pitch)
    except agendas.AgendaError as refused:
        error = refused.message
    back = safe_next(request.form.get("back"), url_for("programme.show", slug=slug))
    if wants_fragment():
        starred = agendas.starred(event, current_user)
        if error is None:
            starred = starred | {pitch.id} if on else starred - {pitch.id}
        return render(
            "programme/star.html",
            status=422 if error else 200,
            event=event,
            pitch_id=pitch.id,
            title=pitch.title,
            place=place,
            starred=starred,
            star_form=EmptyForm(),
            back=back,
            error=error,
        )
    if error:
        abort(422, error)
    flash(f"Starred “{pitch.title}”." if on else f"Took the star off “{pitch.title}”.", "success")
    parts = urlsplit(back)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(f"{target}#{STAR_PLACES[place].format(pitch.id)}", 303)


@bp.post("/<slug>/schedule/sessions/<int:pitch_id>/star")
@login_required
def star(slug: str, pitch_id: int):
    """Star a session, so it is on my agenda (and in my calendar feed)."""
    return _star(slug, pitch_id, on=True)


@bp.post("/<slug>/schedule/sessions/<int:pitch_id>/unstar")
@login_required
def unstar(slug: str, pitch_id: int):
    """Take the star off a session."""
    return _star(slug, pitch_id, on=False)


@bp.get("/<slug>/schedule/agenda")
@login_required
def agenda(slug: str):
    """Show my agenda: what I host, dotted or starred, clashes, and what changed since I looked."""
    event = get_event(slug)
    latest = versions.latest(event)
    if latest is None:
        return render("programme/unpublished.html", event=event, what="agenda")
    if refresh := _first_version(latest):
        return refresh
    mine = agendas.build(event, current_user, latest)
    programme = versions.programme(latest)
    feed = agendas.feed(event, current_user)
    feed_url = external_url("feeds.personal", slug=event.slug, token=feed.token)
    # Only a whole page is a look: a live re-fetch may come while nobody reads.
    if not wants_fragment():
        agendas.record_look(event, current_user, latest.number)
    # A read commits nothing by itself (wiki/database.py): the look and a new feed address
    # are kept here, after the page has what it needs.
    db.session.commit()
    return render(
        AGENDA,
        block="programme",
        event=event,
        version=latest,
        latest=latest,
        programme=programme,
        mine=mine,
        feed_url=feed_url,
        starred=mine.starred,
        star_form=EmptyForm(),
        back=_back(),
        updated=_updated_to(latest),
    )


@bp.post("/<slug>/schedule/agenda/feed/reset")
@login_required
def reset_feed(slug: str):
    """Give my calendar feed a new secret address; the old one stops working at once."""
    event = get_event(slug)
    agendas.reset_feed(event, current_user)
    flash(
        "Your calendar address is new: the old one has stopped working. "
        "Copy the new one into your calendar app.",
        "success",
    )
    return redirect(url_for("programme.agenda", slug=slug, _anchor="feed"), 303)
