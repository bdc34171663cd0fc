"""The published programme: the grid, the phone list, my agenda, the venue screen, print.

Every page here reads a published version (``versions``), never the draft.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from wiki.events.services import get_event
from wiki.schedule import versions

bp = Blueprint("programme", __name__, url_prefix="/events")


@bp.route("/<slug>/schedule")
def show(slug: str):
    event = get_event(slug)
    version = versions.latest(event)
    if version is None:
        abort(404)
    return render_template(
        "programme/show.html", event=event, version=version, programme=versions.programme(version)
    )


@bp.route("/<slug>/schedule/agenda")
def agenda(slug: str):
    return show(slug)
