"""Events: the page where the word spreads, RSVPs, and the facilitator's controls."""

from __future__ import annotations

import hashlib
import io
from datetime import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from wiki import idempotency
from wiki.auth import Role, role_required
from wiki.confirmations import Confirmation, render_confirmation
from wiki.events import announcements, outreach, rsvps, services
from wiki.events.forms import AnnouncementForm, EventForm, RsvpForm
from wiki.events.links import date_range, event_url
from wiki.events.models import (
    STATE_ACTIONS,
    Announcement,
    Event,
    EventError,
    EventState,
    RsvpStatus,
)
from wiki.events.services import get_event
from wiki.extensions import db
from wiki.forms import add_form_error
from wiki.live import services as live
from wiki.live.streams import stream as live_stream
from wiki.rendering import form_errors_status, render
from wiki.urls import external_url

bp = Blueprint("events", __name__, url_prefix="/events")

QR_SVG_CSP = "default-src 'none'"


def _details(form: EventForm) -> services.EventDetails:
    return services.EventDetails(
        name=form.name.data or "",
        slug=form.slug.data or "",
        starts_on=form.starts_on.data,
        starts_time=form.starts_time.data,
        ends_on=form.ends_on.data,
        ends_time=form.ends_time.data,
        timezone=form.timezone.data,
        summary=form.summary.data or "",
        description=form.description.data or "",
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data or "",
        directions=form.directions.data or "",
        map_url=form.map_url.data or "",
        capacity=form.capacity.data,
        dots_per_person=form.dots_per_person.data,
        max_dots_per_pitch=form.max_dots_per_pitch.data,
        children_vote=form.children_vote.data,
        allow_self_dots=form.allow_self_dots.data,
        hide_tallies=form.hide_tallies.data,
    )


@bp.get("/")
def index():
    """List this year's event and earlier ones."""
    events = db.session.scalars(services.all_events()).all()
    return render("events/index.html", events=events)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def new():
    """Create an event, optionally as a copy of an earlier one."""
    source = services.find_event(request.args.get("copy", "")) if request.args.get("copy") else None
    form = EventForm()
    if request.method == "GET":
        if source is not None:
            for name, value in services.copy_rules(source).items():
                form[name].data = value
            form.name.data = f"{source.name} (copy)"
        form.starts_time.data = form.starts_time.data or time(10, 0)
        form.ends_time.data = form.ends_time.data or time(17, 0)
    if form.validate_on_submit():
        if (first := idempotency.claim(form, current_user)) is not None:
            return idempotency.repeat(first)
        try:
            event = services.create_event(_details(form), current_user, copy_from=source)
        except EventError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash(f"“{event.name}” is created, with a proposal page to draft together.", "success")
            shown = url_for("events.view", slug=event.slug)
            return idempotency.done(form, redirect(shown, 303))
    return render(
        "events/form.html", form=form, event=None, source=source, status=form_errors_status(form)
    )


@bp.get("/<slug>")
def view(slug: str):
    """Show the event: when, where, who is coming, news, and what to do next."""
    return _event_page(get_event(slug), AnnouncementForm())


def _event_page(event: Event, announcement_form: AnnouncementForm, status: int = 200):
    rsvp = rsvps.find_rsvp(event, current_user) if current_user.is_authenticated else None
    moves = {}
    if current_user.is_facilitator and not event.is_archived:
        for to in (event.state_enum.next, event.state_enum.previous):
            if to is not None:
                moves[to] = _state_confirmation(event, to)
    return render(
        "events/view.html",
        status=status,
        event=event,
        counts=rsvps.counts(event),
        rsvp=rsvp,
        waiting_message=rsvps.waiting_message(event, rsvp)
        if rsvp and rsvp.status == RsvpStatus.WAITING
        else None,
        cancel_rsvp=_cancel_confirmation(event, rsvp)
        if rsvp and rsvp.status != RsvpStatus.CANCELLED
        else None,
        moves=moves,
        attendees=rsvps.public_attendees(event),
        news=db.session.scalars(announcements.announcements_for(event).limit(10)).all(),
        history=db.session.scalars(services.state_history(event)).all(),
        announcement_form=announcement_form,
        states=list(EventState),
        EventState=EventState,
        state_actions=STATE_ACTIONS,
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def edit(slug: str):
    """Change an event's details and rules."""
    event = get_event(slug)
    if event.is_archived:
        abort(403, "This event is over and archived; it can no longer change.")
    form = EventForm(obj=event)
    if request.method == "GET":
        zone = services._zone(event.timezone)
        starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        form.starts_on.data, form.starts_time.data = starts.date(), starts.time()
        form.ends_on.data, form.ends_time.data = ends.date(), ends.time()
    if form.validate_on_submit():
        try:
            services.update_event(event, _details(form))
        except EventError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash("The event is saved.", "success")
            return redirect(url_for("events.view", slug=event.slug), 303)
    return render(
        "events/form.html", form=form, event=event, source=None, status=form_errors_status(form)
    )


def _state_confirmation(event: Event, to: EventState) -> Confirmation:
    forward = to == event.state_enum.next
    return Confirmation(
        key=f"state-{to.value}",
        question=f"{STATE_ACTIONS[to]}?" if forward else f"Move back to “{to.label}”?",
        consequences=services.state_move_consequences(event, to),
        action=url_for("events.change_state", slug=event.slug),
        url=url_for("events.change_state", slug=event.slug, to=to.value),
        confirm_label=STATE_ACTIONS[to] if forward else f"Move back to “{to.label}”",
        back=url_for("events.view", slug=event.slug, _anchor="facilitate-title"),
        hidden={"to": to.value},
        danger=False,
    )


@bp.get("/<slug>/state")
@role_required(Role.FACILITATOR)
def confirm_state(slug: str):
    """Ask before moving the event to another state, saying who will be told what."""
    event = get_event(slug)
    try:
        to = EventState(request.args.get("to", ""))
    except ValueError:
        to = None
    if (
        event.is_archived
        or to is None
        or to
        not in (
            event.state_enum.next,
            event.state_enum.previous,
        )
    ):
        flash(f"The event is at “{event.state_enum.label}”; choose a move from there.", "info")
        return redirect(url_for("events.view", slug=event.slug), 303)
    return render_confirmation(_state_confirmation(event, to), event=event)


@bp.post("/<slug>/state")
@role_required(Role.FACILITATOR)
def change_state(slug: str):
    """Move the event to its next (or previous) state, and announce it (or take it back)."""
    event = get_event(slug)
    try:
        to = EventState(request.form.get("to", ""))
        came_from = EventState(services.change_state(event, to, current_user).from_state)
    except ValueError as error:
        flash(getattr(error, "message", "Choose a state the event can move to."), "error")
    else:
        if to == came_from.next:
            flash(f"The event is now: {to.label}. Everyone has been told.", "success")
        else:
            flash(
                f"The event is back at: {to.label}. The news of “{came_from.label}” is taken back.",
                "success",
            )
    return redirect(url_for("events.view", slug=event.slug), 303)


def _rsvp_form(event: Event, rsvp) -> RsvpForm:
    if request.method == "POST":
        form = RsvpForm()
    elif rsvp is not None and rsvp.status != RsvpStatus.CANCELLED:
        form = RsvpForm(obj=rsvp)
        form.children.entries = []
        for child in rsvp.active_children:
            form.children.append_entry(
                {
                    "child_id": str(child.id),
                    "first_name": child.first_name,
                    "age_band": child.age_band,
                }
            )
        form.children.append_entry()
        form.accepted_conduct.data = True
    else:
        form = RsvpForm()
    return form


@bp.route("/<slug>/rsvp", methods=["GET", "POST"])
@login_required
def rsvp(slug: str):
    """Say a household is coming, or change what it said."""
    event = get_event(slug)
    existing = rsvps.find_rsvp(event, current_user)
    form = _rsvp_form(event, existing)
    if request.method == "POST" and request.form.get("action") == "add_child":
        form.children.append_entry()
        return render("events/rsvp.html", event=event, form=form, rsvp=existing)
    if form.validate_on_submit():
        details = rsvps.RsvpDetails(
            adults=form.adults.data,
            children=[
                rsvps.ChildDetails(
                    first_name=entry.first_name.data or "",
                    age_band=entry.age_band.data or "",
                    id=entry.child_id.data,
                )
                for entry in form.children
            ],
            access_needs=form.access_needs.data or "",
            dietary_needs=form.dietary_needs.data or "",
            childcare_interest=form.childcare_interest.data,
            show_name=form.show_name.data,
            accepted_conduct=form.accepted_conduct.data,
        )
        try:
            outcome = rsvps.save_rsvp(event, current_user, details)
        except EventError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash(outcome.message, "success" if outcome.status == RsvpStatus.CONFIRMED else "info")
            return redirect(url_for("events.view", slug=event.slug, _anchor="rsvp"), 303)
    if not event.registration_open and request.method == "GET":
        flash("Registration for this event is not open.", "info")
    return render(
        "events/rsvp.html", event=event, form=form, rsvp=existing, status=form_errors_status(form)
    )


def _cancel_confirmation(event: Event, rsvp) -> Confirmation:
    return Confirmation(
        key="cancel-rsvp",
        question="Cancel your RSVP?",
        consequences=rsvps.cancel_rsvp_consequences(event, rsvp),
        action=url_for("events.cancel_rsvp", slug=event.slug),
        url=url_for("events.cancel_rsvp", slug=event.slug),
        confirm_label="Yes, cancel our RSVP",
        back=url_for("events.view", slug=event.slug, _anchor="rsvp"),
        keep_label="No, keep our RSVP",
    )


@bp.get("/<slug>/rsvp/cancel")
@login_required
def confirm_cancel_rsvp(slug: str):
    """Ask before cancelling a household's RSVP, saying where its places go."""
    event = get_event(slug)
    rsvp = rsvps.find_rsvp(event, current_user)
    if rsvp is None or rsvp.status == RsvpStatus.CANCELLED:
        flash("You have no RSVP to cancel.", "info")
        return redirect(url_for("events.view", slug=event.slug, _anchor="rsvp"), 303)
    return render_confirmation(_cancel_confirmation(event, rsvp), event=event)


@bp.post("/<slug>/rsvp/cancel")
@login_required
def cancel_rsvp(slug: str):
    """Cancel a household's RSVP, giving its places to the waiting list."""
    event = get_event(slug)
    try:
        rsvps.cancel_rsvp(event, current_user)
    except EventError as error:
        flash(error.message, "error")
    else:
        flash("Your RSVP is cancelled. Thanks for letting us know.", "info")
    return redirect(url_for("events.view", slug=event.slug), 303)


@bp.get("/<slug>/people")
@role_required(Role.FACILITATOR)
def people(slug: str):
    """Show organisers the households coming and their needs."""
    event = get_event(slug)
    return render(
        "events/people.html",
        event=event,
        counts=rsvps.counts(event),
        households=rsvps.households_with_needs(event),
    )


@bp.post("/<slug>/announcements")
@role_required(Role.FACILITATOR)
def announce(slug: str):
    """Post an announcement about the event."""
    event = get_event(slug)
    form = AnnouncementForm()
    if form.validate_on_submit():
        if (first := idempotency.claim(form, current_user)) is not None:
            return idempotency.repeat(first)
        try:
            announcements.post_announcement(
                event, form.title.data, form.body.data or "", current_user
            )
        except announcements.AnnouncementError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash("Announcement posted.", "success")
            news = url_for("events.view", slug=event.slug, _anchor="news")
            return idempotency.done(form, redirect(news, 303))
    return _event_page(event, form, status=422)


@bp.post("/<slug>/announcements/<int:announcement_id>/hide")
@role_required(Role.FACILITATOR)
def hide_announcement(slug: str, announcement_id: int):
    """Hide an announcement, or show it again."""
    event = get_event(slug)
    item = db.session.scalar(
        select(Announcement).where(
            Announcement.id == announcement_id, Announcement.event_id == event.id
        )
    )
    if item is None:
        abort(404)
    announcements.set_hidden(item, request.form.get("hidden") == "1")
    return redirect(url_for("events.view", slug=event.slug, _anchor="news"), 303)


@bp.get("/<slug>/live")
def stream(slug: str):
    """Stream the event's live updates (board, tallies, state) to anyone who may see it."""
    return live_stream(live.event_topic(get_event(slug).id))


@bp.context_processor
def share_helpers() -> dict:
    """Give event templates the share text and absolute URLs their meta tags need."""
    return {
        "share_description": outreach.share_description,
        "event_url": event_url,
        "share_card_url": lambda event: external_url("events.share_card", slug=event.slug),
        "date_range": date_range,
    }


@bp.get("/<slug>/news.atom")
def news_feed(slug: str):
    """Offer the event's announcements as an Atom feed."""
    response = Response(outreach.news_feed(get_event(slug)), mimetype="application/atom+xml")
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<slug>.ics")
def calendar(slug: str):
    """Download the event as an iCalendar file for any calendar app."""
    event = get_event(slug)
    return send_file(
        io.BytesIO(outreach.calendar_file(event)),
        mimetype="text/calendar",
        as_attachment=True,
        download_name=f"{event.slug}.ics",
        max_age=0,
    )


@bp.get("/<slug>/qr.<any(svg, png):kind>")
def qr_code(slug: str, kind: str):
    """Serve a QR code for the event page: SVG to show, PNG to download."""
    event = get_event(slug)
    if kind == "png":
        data = outreach.qr_png(event)
        response = send_file(
            io.BytesIO(data),
            mimetype="image/png",
            as_attachment=True,
            download_name=f"{event.slug}-qr.png",
            etag=hashlib.sha256(data).hexdigest()[:32],
            max_age=0,
        )
    else:
        response = Response(outreach.qr_svg(event), mimetype="image/svg+xml")
        # An SVG opened on its own is a document; this one needs no script, style or fetch.
        response.headers["Content-Security-Policy"] = QR_SVG_CSP
        response.add_etag()
        response.make_conditional(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<slug>/card.png")
def share_card(slug: str):
    """Serve the picture a shared link to the event shows (og:image)."""
    data = outreach.share_card(get_event(slug), current_app.config["SITE_NAME"])
    response = send_file(
        io.BytesIO(data),
        mimetype="image/png",
        etag=hashlib.sha256(data).hexdigest()[:32],
        max_age=3600,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/<slug>/poster")
def poster(slug: str):
    """Show an A4 poster for the event, with a QR code, ready to print."""
    event = get_event(slug)
    return render("events/poster.html", event=event, url=event_url(event))
