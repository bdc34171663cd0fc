"""The session board: pitching, dot voting (with or without JavaScript), results."""

from __future__ import annotations

import csv
import io
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wiki import idempotency
from wiki.attachments.models import Attachment
from wiki.attachments.services import file_url
from wiki.auth import Role, role_required
from wiki.bounds import whole_number
from wiki.confirmations import Confirmation, Typed, render_confirmation
from wiki.events.models import Event, RsvpChild
from wiki.events.services import get_event
from wiki.extensions import db
from wiki.forms import EmptyForm, add_form_error
from wiki.pitches import board as pitch_board
from wiki.pitches import services, tallies, voting
from wiki.pitches.forms import CommentForm, DeclineForm, MergeForm, PitchForm
from wiki.pitches.models import Comment, Pitch, PitchFormat, PitchStatus
from wiki.rendering import form_errors_status, render, safe_next, wants_fragment

bp = Blueprint("pitches", __name__, url_prefix="/events/<slug>")


def get_pitch(event: Event, pitch_id: int) -> Pitch:
    """Return the event's pitch or answer 404."""
    pitch = db.session.get(Pitch, pitch_id)
    if pitch is None or pitch.event_id != event.id:
        abort(404, "There is no such session pitch.")
    return pitch


def _seed() -> str:
    # A per-person shuffle: logged-in people keep their order on every device.
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if "board_seed" not in session:
        session["board_seed"] = secrets.token_hex(8)
    return session["board_seed"]


def _filters() -> pitch_board.BoardFilter:
    args = request.args
    fmt = args.get("format", "")
    return pitch_board.BoardFilter(
        family=args.get("family") == "1",
        format=fmt if fmt in {f.value for f in PitchFormat} else "",
        tag=args.get("tag", "").strip().lower()[:30],
        mine=args.get("mine") == "1",
        sort=args.get("sort", "fair") if args.get("sort") in ("fair", "newest", "dots") else "fair",
    )


def _voter(event: Event, child_id: int | None = None) -> voting.Voter | None:
    if not current_user.is_authenticated:
        return None
    return voting.voter_for(event, current_user, child_id)


def _voter_from_request(event: Event) -> voting.Voter | None:
    raw = request.values.get("as", "").strip()
    child_id = whole_number(raw, low=0)  # 0 or nothing: one's own dots
    if raw and child_id is None and current_user.is_authenticated:
        abort(403, "You can only cast dots for children registered in your RSVP.")
    try:
        return _voter(event, child_id or None)
    except services.PitchError:
        abort(403, "You can only cast dots for children registered in your RSVP.")


def _posted_back(event: Event) -> str:
    # The page a vote comes back to without JavaScript: the one its form was on.
    posted = request.form.get("back", "")
    return safe_next(posted, url_for("pitches.board", slug=event.slug))


def _with_voter(path: str, voter: voting.Voter, anchor: str = "") -> str:
    """Return ``path`` asking for ``voter``'s dots (the ``as`` parameter), at ``anchor``."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "as"]
    if voter.child:
        query.append(("as", str(voter.child.id)))
    return urlunsplit(("", "", parts.path, urlencode(query), anchor))


def _dot_controls(
    event: Event, voter: voting.Voter | None, pitches: list[Pitch], back: str
) -> dict:
    """Return what the page's dot controls, dots-left bar and voter switcher show.

    :param back: the page the controls are on, where a vote without JavaScript returns.
    """
    if voter is None:
        return {"voter": None, "voters": [], "mine": {}, "left": 0, "blocked": {}}
    ballots = voting.household_ballots(event, voter.user)
    where = voting.standing(event, ballots.get(voter.child_key))
    voters = [
        (
            v,
            voting.left_of(event, ballots.get(v.child_key)),
            _with_voter(back, v),
            v.child_key == voter.child_key,
        )
        for v in voting.voters_for(event, current_user)
    ]
    return {
        "voter": voter,
        "voters": voters,
        "mine": where.mine,
        "left": where.left,
        "blocked": {p.id: voting.add_blocked(event, p, voter, where) for p in pitches},
        "back": back,
    }


def _board_context(event: Event) -> dict:
    voter = _voter_from_request(event)
    filters = _filters()
    pitches = pitch_board.board(event, filters, seed=_seed(), voter=voter)
    return {
        "event": event,
        "pitches": pitches,
        "filters": filters,
        "counts": tallies.tallies(event) if tallies.tallies_visible(event) else None,
        "formats": list(PitchFormat),
        "vote_form": EmptyForm(),
        **_dot_controls(event, voter, pitches, request.full_path.rstrip("?")),
    }


def _results_visible(event: Event) -> bool:
    """Tell whether the current person may open the results (so whether to link to them)."""
    facilitator = current_user.is_facilitator
    return tallies.tallies_visible(event) or facilitator


@bp.app_context_processor
def pitching_context() -> dict:
    """Let every template ask whether to offer pitching and the results, as views decide."""
    return {"pitching_open": services.can_pitch, "results_visible": _results_visible}


@bp.get("/board")
def board(slug: str):
    """Show the session board: every pitch, in a fair order, with live dot counts."""
    event = get_event(slug)
    return render("pitches/board.html", block="board_list", **_board_context(event))


@bp.post("/pitches/<int:pitch_id>/dots")
@login_required
def vote(slug: str, pitch_id: int):
    """Place or take back one dot, for oneself or a child of one's RSVP."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    voter = _voter_from_request(event)
    action = request.form.get("action")
    if action not in ("add", "remove"):
        abort(400, "Say whether to add or remove a dot.")
    error = None
    try:
        if action == "add":
            voting.add_dot(event, pitch, voter)
        else:
            voting.remove_dot(event, pitch, voter)
        # Commit before rendering: publishing holds the live-event lock until the commit,
        # and every other voter's vote waits for it.
        db.session.commit()
    except services.PitchError as refused:
        error = refused.message
        db.session.rollback()
    if wants_fragment():
        # This card's control, and out of band every other control the page shows (one dot
        # can switch every "+" on or off), the dots-left bar, the switcher and the live status.
        others = _shown_pitches(event, exclude=pitch.id)
        return render(
            "pitches/vote.html",
            status=409 if error else 200,
            event=event,
            pitch=pitch,
            others=others,
            error=error,
            vote_form=EmptyForm(),
            **_dot_controls(event, voter, [pitch, *others], _posted_back(event)),
        )
    if error:
        flash(error, "error")
    back = _posted_back(event)
    on_board = urlsplit(back).path == url_for("pitches.board", slug=slug)
    anchor = f"pitch-{pitch.id}" if on_board else f"vote-{pitch.id}"
    return redirect(_with_voter(back, voter, anchor), 303)


MAX_SHOWN = 500


def _shown_pitches(event: Event, exclude: int) -> list[Pitch]:
    """Return the event's other pitches whose dot controls the voting page shows."""
    ids = {
        int(raw)
        for raw in request.form.getlist("shown")[:MAX_SHOWN]
        if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31
    } - {exclude}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Pitch)
            .where(Pitch.event_id == event.id, Pitch.id.in_(ids))
            .options(
                selectinload(Pitch.co_hosts),
                joinedload(Pitch.child).joinedload(RsvpChild.rsvp),
            )
            .order_by(Pitch.id)
        )
    )


@bp.route("/pitches/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Pitch a session, a kid-led session, or a wish."""
    event = get_event(slug)
    form = _pitch_form(event)
    if form.validate_on_submit():
        if (first := idempotency.claim(form, current_user)) is not None:
            return idempotency.repeat(first)
        try:
            pitch = services.create_pitch(event, _details(form), current_user)
            _save_picture(pitch, form)
        except services.PitchError as error:
            add_form_error(form, error.field, error.message)
            db.session.rollback()
        else:
            flash("Your session is on the board. Share it so people dot it!", "success")
            shown = url_for("pitches.show", slug=slug, pitch_id=pitch.id)
            return idempotency.done(form, redirect(shown, 303))
    return render(
        "pitches/form.html",
        event=event,
        form=form,
        pitch=None,
        closed=not services.can_pitch(event),
        status=form_errors_status(form),
    )


def _pitch_form(event: Event, pitch: Pitch | None = None) -> PitchForm:
    form = PitchForm(obj=pitch) if pitch is not None and request.method == "GET" else PitchForm()
    # Children pitch even at events where they do not vote.
    children = services.children_of(event, current_user) if current_user.is_authenticated else []
    form.child_id.choices = [("", "No")] + [(str(c.id), f"Yes: {c.first_name}") for c in children]
    if pitch is not None and request.method == "GET":
        form.needs.data = pitch.need_list
        form.tags.data = ", ".join(pitch.tag_list)
        form.co_hosts.data = ", ".join(c.username for c in pitch.co_hosts)
        form.length_slots.data = str(pitch.length_slots)
        form.child_id.data = str(pitch.child_id or "")
        form.wish.data = pitch.is_wish
    return form


def _details(form: PitchForm) -> services.PitchDetails:
    return services.PitchDetails(
        title=form.title.data or "",
        summary=form.summary.data or "",
        format=form.format.data or "talk",
        length_slots=int(form.length_slots.data or 1),
        audience=form.audience.data or "everyone",
        min_age=form.min_age.data,
        max_age=form.max_age.data,
        young_leader=form.young_leader.data,
        needs=form.needs.data or [],
        tags=form.tags.data or "",
        co_hosts=form.co_hosts.data or "",
        wish=form.wish.data,
        child_id=whole_number(form.child_id.data),
    )


def _save_picture(pitch: Pitch, form: PitchForm) -> None:
    upload = form.picture.data
    if not upload or not getattr(upload, "filename", ""):
        return
    services.attach_picture(pitch, upload.filename, upload.read(), current_user)


@bp.get("/pitches/<int:pitch_id>")
def show(slug: str, pitch_id: int):
    """Show one pitch: what it is, who hosts it, its dots and its questions."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    return _show(event, pitch, CommentForm())


def _show(event: Event, pitch: Pitch, comment_form: CommentForm, status: int = 200):
    voter = _voter_from_request(event)
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.pitch_id == pitch.id, Comment.hidden.is_(False))
        .order_by(Comment.created_at)
    ).all()
    others = _merge_targets(event, pitch)
    picture = None
    if pitch.picture_id:
        attachment = db.session.get(Attachment, pitch.picture_id)
        picture = file_url(attachment) if attachment and not attachment.is_deleted else None
    return render(
        "pitches/show.html",
        status=status,
        event=event,
        pitch=pitch,
        comments=comments,
        comment_form=comment_form,
        decline=decline_confirmation(event, pitch)
        if current_user.is_facilitator and pitch.is_active
        else None,
        merge=merge_confirmation(event, pitch, others)
        if others and pitch.is_active and current_user.is_facilitator
        else None,
        picture=picture,
        can_edit=services.can_edit(pitch, current_user),
        counts=tallies.tallies(event) if tallies.tallies_visible(event) else None,
        vote_form=EmptyForm(),
        **_dot_controls(
            event, voter, [pitch], url_for("pitches.show", slug=event.slug, pitch_id=pitch.id)
        ),
    )


@bp.route("/pitches/<int:pitch_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, pitch_id: int):
    """Edit a pitch (its hosts, or facilitators)."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    if not services.can_edit(pitch, current_user):
        abort(403, "Only the session's hosts and facilitators can edit it.")
    form = _pitch_form(event, pitch)
    if form.validate_on_submit():
        try:
            services.update_pitch(pitch, _details(form), current_user)
            _save_picture(pitch, form)
        except services.PitchError as error:
            add_form_error(form, error.field, error.message)
            db.session.rollback()
        else:
            flash("The session is updated.", "success")
            return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)
    return render(
        "pitches/form.html", event=event, form=form, pitch=pitch, status=form_errors_status(form)
    )


@bp.post("/pitches/<int:pitch_id>/adopt")
@login_required
def adopt(slug: str, pitch_id: int):
    """Take on hosting a wish."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    try:
        services.adopt_wish(pitch, current_user)
    except services.PitchError as error:
        flash(error.message, "error")
    else:
        flash("Thank you! You are hosting this session now.", "success")
    return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)


@bp.post("/pitches/<int:pitch_id>/comments")
@login_required
def comment(slug: str, pitch_id: int):
    """Ask a question about a pitch."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    form = CommentForm()
    if form.validate_on_submit():
        if (first := idempotency.claim(form, current_user)) is not None:
            return idempotency.repeat(first)
        try:
            services.add_comment(pitch, current_user, form.body.data)
        except services.PitchError as error:
            add_form_error(form, "body", error.message)
        else:
            shown = url_for("pitches.show", slug=slug, pitch_id=pitch.id, _anchor="comments")
            return idempotency.done(form, redirect(shown, 303))
    return _show(event, pitch, form, status=422)


def decline_confirmation(
    event: Event, pitch: Pitch, reason: str = "", error: str = ""
) -> Confirmation:
    """Return the question asked before declining ``pitch``, with the reason to give."""
    return Confirmation(
        key="decline",
        question=f"Decline “{pitch.title}”?",
        consequences=services.decline_consequences(pitch),
        action=url_for("pitches.decline", slug=event.slug, pitch_id=pitch.id),
        url=url_for("pitches.decline", slug=event.slug, pitch_id=pitch.id),
        confirm_label="Decline session",
        back=url_for("pitches.show", slug=event.slug, pitch_id=pitch.id),
        typed=[
            Typed(
                name="reason",
                label="Reason",
                hint="Everyone reads it on the session's page, its host too.",
                value=reason,
                error=error,
                required=True,
                max_length=300,
                rows=2,
            )
        ],
    )


@bp.get("/pitches/<int:pitch_id>/decline")
@role_required(Role.FACILITATOR)
def confirm_decline(slug: str, pitch_id: int):
    """Ask before declining a pitch, saying where its dots go, with the reason to give."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    if not pitch.is_active:
        flash("This session is no longer on the board.", "info")
        return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)
    return render_confirmation(decline_confirmation(event, pitch), event=event)


@bp.post("/pitches/<int:pitch_id>/decline")
@role_required(Role.FACILITATOR)
def decline(slug: str, pitch_id: int):
    """Decline a pitch with a reason; its dots go back to the voters."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    form = DeclineForm()
    if not pitch.is_active:
        flash("This session is no longer on the board.", "info")
        return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)
    try:
        if not form.validate_on_submit():
            if form.csrf_token.errors:
                abort(400)
            raise services.PitchError("reason", "Say why the session is declined.")
        services.decline_pitch(pitch, form.reason.data)
    except services.PitchError as error:
        # Ask again, keeping what was typed: nothing was declined.
        confirmation = decline_confirmation(
            event, pitch, reason=form.reason.data or "", error=error.message
        )
        return render_confirmation(confirmation, event=event)
    flash("The session is declined, and its dots went back to the voters.", "success")
    return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)


def _merge_targets(event: Event, pitch: Pitch) -> list[Pitch]:
    return db.session.scalars(
        select(Pitch)
        .where(Pitch.event_id == event.id, Pitch.id != pitch.id, Pitch.status == PitchStatus.ACTIVE)
        .order_by(Pitch.title)
    ).all()


def merge_confirmation(event: Event, pitch: Pitch, others: list[Pitch]) -> Confirmation:
    """Return the question asked before merging ``pitch`` into one of ``others``."""
    return Confirmation(
        key="merge",
        question=f"Merge “{pitch.title}” into another session?",
        consequences=services.merge_consequences(pitch),
        action=url_for("pitches.merge", slug=event.slug, pitch_id=pitch.id),
        url=url_for("pitches.merge", slug=event.slug, pitch_id=pitch.id),
        confirm_label="Merge",
        back=url_for("pitches.show", slug=event.slug, pitch_id=pitch.id),
        typed=[
            Typed(
                name="into",
                label="Merge this duplicate into",
                choices=[(str(other.id), other.title) for other in others],
            )
        ],
    )


@bp.get("/pitches/<int:pitch_id>/merge")
@role_required(Role.FACILITATOR)
def confirm_merge(slug: str, pitch_id: int):
    """Ask before merging a duplicate pitch, saying where its dots go."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    others = _merge_targets(event, pitch)
    if not pitch.is_active or not others:
        flash("This session cannot be merged now.", "info")
        return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)
    return render_confirmation(merge_confirmation(event, pitch, others), event=event)


@bp.post("/pitches/<int:pitch_id>/merge")
@role_required(Role.FACILITATOR)
def merge(slug: str, pitch_id: int):
    """Merge a duplicate pitch into another; dots move across, capped by the rules."""
    event = get_event(slug)
    pitch = get_pitch(event, pitch_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.into.errors) or "Choose the session to merge this one into.", "error")
        return _show(event, pitch, CommentForm(), status=422)
    into = get_pitch(event, form.into.data)
    try:
        services.merge_pitches(pitch, into)
    except services.PitchError as error:
        flash(error.message, "error")
        return redirect(url_for("pitches.show", slug=slug, pitch_id=pitch.id), 303)
    flash(f"Merged into “{into.title}”; the dots moved across.", "success")
    return redirect(url_for("pitches.show", slug=slug, pitch_id=into.id), 303)


@bp.post("/reveal")
@role_required(Role.FACILITATOR)
def reveal(slug: str):
    """Reveal hidden dot counts on every screen at once."""
    event = get_event(slug)
    tallies.reveal_tallies(event)
    flash("The dot counts are revealed on every screen.", "success")
    return redirect(url_for("pitches.board", slug=slug), 303)


@bp.get("/results")
def results(slug: str):
    """Show the dots each session received, adults' and children's."""
    event = get_event(slug)
    if not _results_visible(event):
        abort(403, "The dot counts are hidden until a facilitator reveals them.")
    rows = tallies.results(event)
    top = max((a + c for _, a, c in rows), default=0)
    return render("pitches/results.html", event=event, rows=rows, top=top)


@bp.get("/results.csv")
@role_required(Role.FACILITATOR)
def results_csv(slug: str):
    """Download the results for planning the grid (totals only; never who voted what)."""
    event = get_event(slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "pitch_id",
            "title",
            "format",
            "length_slots",
            "audience",
            "hosts",
            "adult_dots",
            "child_dots",
            "total_dots",
        ]
    )
    for pitch, adults, children in tallies.results(event):
        hosts = [pitch.host_name] if pitch.host_name else []
        hosts += [c.display_name for c in pitch.co_hosts]
        writer.writerow(
            [
                pitch.id,
                _csv_safe(pitch.title),
                pitch.format,
                pitch.length_slots,
                pitch.audience,
                _csv_safe("; ".join(hosts)),
                adults,
                children,
                adults + children,
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-results.csv"'},
    )


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
