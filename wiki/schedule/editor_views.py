"""The draft grid editor: facilitators move, swap, lock and plan sessions (issue 11).

Every change is a plain POST form that answers 303; htmx sends the same forms (a drop of a
dragged card posts the move form's fields) and gets the editor's blocks back: the grid with
its tray and report, and the status line out of band. An edit made on a revision that is no
longer the head answers 409 with the fresh grid.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

from wiki.auth import Role, role_required
from wiki.bounds import IdField, whole_number
from wiki.confirmations import Confirmation, render_confirmation
from wiki.events.models import Event
from wiki.events.services import find_event
from wiki.live import services as live
from wiki.live.streams import stream as live_stream
from wiki.rendering import render, wants_fragment
from wiki.rules import RuleError
from wiki.schedule import drafts, editor, jobs, publishing, versions
from wiki.schedule.problems import SetupError
from wiki.schedule.solver import grid_to_dict, problem_to_dict, validate
from wiki.schedule.solver.problem import Grid

bp = Blueprint("drafts", __name__, url_prefix="/events")

TEMPLATE = "schedule/editor.html"
TRAY = "tray"


class RevisionField(IdField):
    """A revision number: 0 is the empty draft before any edit."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = whole_number(raw, low=0) if raw else None
        if raw and self.data is None:
            raise ValueError(self.message)


class EditForm(FlaskForm):
    """One edit of one card, made on one revision."""

    pitch = HiddenField(validators=[InputRequired()])
    revision = RevisionField(validators=[InputRequired()])


class MoveForm(EditForm):
    """Move a card to a room and a slot, or to the tray."""

    room = SelectField("Room", validators=[InputRequired()], validate_choice=False)
    slot = SelectField("Time", validators=[InputRequired()], validate_choice=False)


class RevisionForm(FlaskForm):
    """Undo, redo or plan, made on one revision."""

    revision = RevisionField(validators=[InputRequired()])


_EMPHASIS = re.compile(r"\*([^*]+)\*")


@bp.app_template_filter("emphasis")
def emphasis(message: str) -> Markup:
    """Show the solver's *titles* in a message as emphasis, everything else escaped."""
    return Markup(_EMPHASIS.sub(r"<em>\1</em>", str(escape(editor.without_ids(message)))))


def get_event(slug: str) -> Event:
    """Return the event or answer 404."""
    event = find_event(slug)
    if event is None:
        abort(404, "There is no event at this address.")
    return event


def _view(event: Event) -> editor.EditorView:
    try:
        return editor.build(event, drafts.draft_or_blank(event))
    except SetupError:
        return None


def _job_context(event: Event) -> dict:
    job = jobs.latest_job(event.id)
    dead = jobs.is_dead(job)
    return {
        "job": job,
        "job_active": job is not None and job.is_active and not dead,
        "job_message": jobs.CRASHED if dead else (job.message if job is not None else ""),
        "job_status": "failed" if dead else (job.status if job is not None else ""),
        "progress": jobs.progress(job),
    }


def _page(
    event: Event,
    status: int = 200,
    message: str = "",
    focus: str = "",
    block=None,
    plan_oob: bool = False,
    publish_error: str = "",
):
    view = _view(event)
    context = {
        "plan_oob": plan_oob,
        "event": event,
        "view": view,
        "publish": _publish_context(event, view, publish_error),
        "message": message,
        "focus": focus,
        "form": RevisionForm(formdata=None),
        **_job_context(event),
    }
    if block == "editor_update" and wants_fragment():
        body = render_block(TEMPLATE, "editor_area", **context) + render_block(
            TEMPLATE, "status_oob", **context
        )
        if plan_oob:  # a plan started or stopped: its block too, live stream or not
            body += render_block(TEMPLATE, "plan_progress", **context)
        response = Response(body, status)
        response.vary.add("HX-Request")
        return response
    return render(TEMPLATE, block=block, status=status, **context)


def _publish_context(event: Event, view, error: str = "") -> dict | None:
    """What the editor's Publish panel shows: the latest version, what would change, the ask,
    and why the last try was refused."""
    if view is None:
        return None
    latest = versions.latest(event)
    pending = publishing.pending_changes(event) if latest is not None else None
    ready = bool(view.doc.schedule) and not view.violations and (latest is None or pending)
    return {
        "latest": latest,
        "pending": pending,
        "next_name": f"v{latest.number + 1 if latest else 1}",
        "error": error,
        "confirmation": _publish_confirmation(event, view.revision, latest, pending)
        if ready
        else None,
    }


def _publish_confirmation(event: Event, revision: int, latest, pending) -> Confirmation:
    name = f"v{latest.number + 1 if latest else 1}"
    said = [
        f"The grid becomes the programme’s {name}: the programme page, the venue screens, print "
        "and calendar apps show it at once, and the versions before stay readable."
    ]
    if latest is None:
        said.append(
            "The event moves to “Schedule published” and everyone is told in its news; each "
            "host hears where their sessions are."
        )
    else:
        said.append(
            f"{len(pending)} {'change' if len(pending) == 1 else 'changes'} since {latest.name} "
            "go in the news, and the hosts, guardians, and everyone who dotted or starred a "
            "changed session get a notice (and one e-mail)."
        )
    return Confirmation(
        key="publish",
        question=f"Publish the grid as {name}?",
        consequences=said,
        action=url_for("drafts.publish", slug=event.slug),
        url=url_for("drafts.confirm_publish", slug=event.slug, revision=revision),
        confirm_label=f"Publish {name}",
        back=url_for("drafts.edit", slug=event.slug, _anchor="publish"),
        keep_label="Not yet",
        hidden={"revision": str(revision)},
        danger=False,
    )


def _answer(event: Event, message: str, focus: str = "", status: int = 200, plan_oob: bool = False):
    """Answer an edit: the editor's blocks to htmx; to a plain form, a redirect when it was
    made, or the page with its status (409 stale, 422 refused) saying why when it was not."""
    if wants_fragment():
        return _page(event, status, message, focus, block="editor_update", plan_oob=plan_oob)
    if status >= 400:
        return _page(event, status, message, focus)
    flash(message, "success")
    anchor = f"#card-{focus}" if focus else ""
    return redirect(url_for("drafts.edit", slug=event.slug) + anchor, 303)


def _announce(event: Event, revision: int) -> None:
    live.publish(jobs.schedule_topic(event.id), "grid-changed", {"revision": revision})


def _edit(slug: str, make) -> Response:
    """Apply one card edit made with ``make(problem, doc, form)`` and answer it."""
    event = get_event(slug)
    form = MoveForm() if make is _move else EditForm()
    if not form.validate():
        return _answer(event, "That edit was not understood; try again.", status=422)
    draft = drafts.get_draft(event)
    try:
        b = editor.built(event)
    except SetupError as error:
        return _answer(event, error.message, status=422)
    base = form.revision.data
    current = drafts.head(draft)
    before = drafts.Doc.from_json(current.grid if current else None).for_problem(b.problem)
    try:
        if draft.head_revision != base:
            raise drafts.StaleDraft(current)
        edit = make(b.problem, before, form)
        rev = drafts.apply(draft, base, edit, current_user)
    except drafts.StaleDraft as stale:
        return _answer(event, stale.message, status=409)
    except RuleError as error:
        return _answer(event, error.message, focus=form.pitch.data, status=422)
    said = editor.consequences(b.problem, b.index, before, edit.doc, edit.moved)
    _announce(event, rev.number)
    return _answer(event, f"{edit.summary}. " + " ".join(said), focus=edit.moved[0])


def _move(problem, doc, form):
    if form.room.data == TRAY:
        return drafts.unplace(problem, doc, form.pitch.data)
    return drafts.move(problem, doc, form.pitch.data, form.room.data, form.slot.data)


@bp.get("/<slug>/schedule/draft")
@role_required(Role.FACILITATOR)
def edit(slug: str):
    """Show the draft grid with its tray, quality report and plan controls."""
    event = get_event(slug)
    if wants_fragment():
        # A live re-fetch: say in the status line what changed, and who changed it.
        head = drafts.head(drafts.draft_or_blank(event))
        message = ""
        if head is not None:
            who = head.author.display_name if head.author else "Someone"
            message = f"{who}: {head.summary}."
        return _page(event, message=message, block="editor_update")
    return _page(event, block="editor_area")


@bp.post("/<slug>/schedule/draft/move")
@role_required(Role.FACILITATOR)
def move(slug: str):
    """Move a card to a room and slot (onto another card: swap), or back to the tray."""
    return _edit(slug, _move)


@bp.get("/<slug>/schedule/draft/move/<int:pitch_id>")
@role_required(Role.FACILITATOR)
def move_form(slug: str, pitch_id: int):
    """Show the form that moves one card by choosing a room and a time."""
    event = get_event(slug)
    pitch = f"p{pitch_id}"
    view = _view(event)
    if view is None or pitch not in view.cards:
        abort(404, "That session is not in the plan.")
    card = view.cards[pitch]
    form = MoveForm(formdata=None)
    form.pitch.data = pitch
    form.revision.data = view.revision
    form.room.choices = [(r.id, r.name) for r in view.problem.rooms] + [
        (TRAY, "Not scheduled (the tray)")
    ]
    form.slot.choices = [
        (s.id, f"Day {s.day + 1}, {s.start}" + (f" ({s.label})" if s.label else ""))
        for s in view.problem.slots
        if s.is_session
    ]
    if card.place:
        form.room.data, form.slot.data = card.place
    return render("schedule/move.html", event=event, view=view, card=card, form=form)


@bp.post("/<slug>/schedule/draft/unplace")
@role_required(Role.FACILITATOR)
def unplace(slug: str):
    """Take a card out of the grid, back to the tray."""
    return _edit(slug, lambda p, d, f: drafts.unplace(p, d, f.pitch.data))


@bp.post("/<slug>/schedule/draft/lock")
@role_required(Role.FACILITATOR)
def lock(slug: str):
    """Lock a card where it is, so a new plan keeps it there."""
    return _edit(slug, lambda p, d, f: drafts.lock(p, d, f.pitch.data))


@bp.post("/<slug>/schedule/draft/unlock")
@role_required(Role.FACILITATOR)
def unlock(slug: str):
    """Unlock a card, so a new plan may move it."""
    return _edit(slug, lambda p, d, f: drafts.unlock(p, d, f.pitch.data))


def _step(slug: str, step) -> Response:
    event = get_event(slug)
    form = RevisionForm()
    if not form.validate():
        return _answer(event, "That was not understood; try again.", status=422)
    draft = drafts.get_draft(event)
    try:
        message = step(draft, form.revision.data)
    except drafts.StaleDraft as stale:
        return _answer(event, stale.message, status=409)
    except RuleError as error:
        return _answer(event, error.message, status=422)
    _announce(event, draft.head_revision)
    return _answer(event, message)


@bp.post("/<slug>/schedule/draft/undo")
@role_required(Role.FACILITATOR)
def undo(slug: str):
    """Go back to the revision before the head."""

    def step(draft, base):
        undone = drafts.undo(draft, base)
        return f"Undid: {undone.summary}."

    return _step(slug, step)


@bp.post("/<slug>/schedule/draft/redo")
@role_required(Role.FACILITATOR)
def redo(slug: str):
    """Bring back the revision last undone."""

    def step(draft, base):
        again = drafts.redo(draft, base)
        return f"Redid: {again.summary}."

    return _step(slug, step)


def _check_locks(event: Event) -> None:
    """Refuse to plan while a locked session breaks a rule: the planner must keep it there."""
    problem = editor.built_problem(event)
    doc = drafts.head_doc(drafts.draft_or_blank(event)).for_problem(problem)
    broken = [v for v in validate(problem, doc.locks()) if v.rule != "H8"]
    if broken:
        words = " ".join(editor.plain(v.message.rstrip(".")) + "." for v in broken)
        raise RuleError(
            "plan",
            f"A locked session breaks a rule, so no plan can keep it: {words}"
            " Unlock or move it first.",
        )


@bp.post("/<slug>/schedule/draft/plan")
@role_required(Role.FACILITATOR)
def plan(slug: str):
    """Start planning the grid in the background; the page shows its progress."""
    event = get_event(slug)
    form = RevisionForm()
    if not form.validate():
        return _answer(event, "That was not understood; try again.", status=422)
    try:
        _check_locks(event)
        job = jobs.start(event, current_user)
    except RuleError as error:
        status = 409 if isinstance(error, jobs.JobRunning) else 422
        return _answer(event, error.message, status=status)
    return _answer(
        event,
        f"Planning the grid: this takes up to {job.time_limit:g} "
        + ("second." if job.time_limit == 1 else "seconds."),
        plan_oob=True,
    )


@bp.post("/<slug>/schedule/draft/plan/cancel")
@role_required(Role.FACILITATOR)
def cancel(slug: str):
    """Stop the plan being made; the best plan found so far is kept."""
    event = get_event(slug)
    form = RevisionForm()
    if not form.validate():
        return _answer(event, "That was not understood; try again.", status=422)
    job = jobs.cancel(event, current_user)
    if job is None:
        return _answer(event, "No plan is being made.", status=409)
    return _answer(event, "Stopping the plan: the best plan found so far is kept.", plan_oob=True)


@bp.get("/<slug>/schedule/draft/progress")
@role_required(Role.FACILITATOR)
def progress(slug: str):
    """Show how the plan being made is going (a fragment the page re-fetches live)."""
    event = get_event(slug)
    return render(
        TEMPLATE,
        block="plan_progress",
        event=event,
        view=None,
        form=RevisionForm(formdata=None),
        **_job_context(event),
    )


@bp.get("/<slug>/schedule/draft/live")
@role_required(Role.FACILITATOR)
def stream(slug: str):
    """Stream the draft's changes and the plan's progress to facilitators' editors."""
    return live_stream(jobs.schedule_topic(get_event(slug).id))


def _download(data: dict, name: str) -> Response:
    response = Response(json.dumps(data, indent=1, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<slug>/schedule/problem.json")
@role_required(Role.FACILITATOR)
def problem_file(slug: str):
    """Download the event's scheduling problem (FORMAT.md), with the draft's locks."""
    event = get_event(slug)
    try:
        problem = editor.built_problem(event)
    except SetupError as error:
        abort(409, error.message)
    doc = drafts.head_doc(drafts.draft_or_blank(event)).for_problem(problem)
    data = problem_to_dict(problem)
    data["locked"] = {p: list(v) for p, v in doc.locks().items()}
    return _download(data, f"{event.slug}-problem.json")


@bp.get("/<slug>/schedule/draft/grid.json")
@role_required(Role.FACILITATOR)
def grid_file(slug: str):
    """Download the draft's head grid (FORMAT.md), with its locks."""
    event = get_event(slug)
    doc = drafts.head_doc(drafts.draft_or_blank(event))
    data = grid_to_dict(Grid(doc.schedule, doc.meta))
    data["locked"] = sorted(doc.locked)
    return _download(data, f"{event.slug}-grid.json")


@bp.get("/<slug>/schedule/draft/publish")
@role_required(Role.FACILITATOR)
def confirm_publish(slug: str):
    """Ask before publishing (the page without JavaScript; the editor opens it as a dialog)."""
    event = get_event(slug)
    draft = drafts.draft_or_blank(event)
    latest = versions.latest(event)
    pending = publishing.pending_changes(event) if latest is not None else None
    return render_confirmation(
        _publish_confirmation(event, draft.head_revision, latest, pending), event=event
    )


@bp.post("/<slug>/schedule/draft/publish")
@role_required(Role.FACILITATOR)
def publish(slug: str):
    """Publish the draft's head as the next version, or say what stops it."""
    event = get_event(slug)
    form = RevisionForm()
    if not form.validate():
        return _answer(event, "That was not understood; try again.", status=422)
    try:
        version = publishing.publish(event, current_user, form.revision.data)
    except publishing.PublishError as error:
        status = 409 if error.field in publishing.CONFLICTS else 422
        return _page(
            event, status, error.message, block="editor_update", publish_error=error.message
        )
    told = publishing.told_count(version)
    changes = len(versions.changes(version))
    what = f"{changes} {'change' if changes == 1 else 'changes'}; " if version.number > 1 else ""
    flash(
        f"Published {version.name}: {what}{told} {'person' if told == 1 else 'people'} told.",
        "success",
    )
    target = url_for("programme.show", slug=event.slug)
    if wants_fragment():
        # An htmx call that is not a boosted form: the whole page goes to the programme.
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)
