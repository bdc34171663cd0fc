"""Schedule pages: rooms and time slots (facilitators), who cannot be there when, pitches on
the day."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from wiki import idempotency
from wiki.accounts.services import find_user
from wiki.auth import Role, role_required
from wiki.events.models import Event
from wiki.events.services import find_event
from wiki.forms import add_form_error
from wiki.rendering import form_errors_status, render, wants_fragment
from wiki.schedule import layout, services
from wiki.schedule.forms import (
    SPARE_ROWS,
    AvailabilityForm,
    ClaimForm,
    DayPatternForm,
    DayPitchForm,
    RoomsForm,
    SlotsForm,
)
from wiki.schedule.models import SlotKind
from wiki.schedule.problems import event_rooms, event_slots

bp = Blueprint("schedule", __name__, url_prefix="/events")


def get_event(slug: str, *, changing: bool = False) -> Event:
    """Return the event or answer 404; 403 when a change is asked of an archived one."""
    event = find_event(slug)
    if event is None:
        abort(404, "There is no event at this address.")
    if changing and event.is_archived:
        abort(403, "This event is over and archived; it can no longer change.")
    return event


def _show_grid_errors(form, error: services.GridError) -> None:
    for index, name, message in error.problems:
        if index < len(form.rows.entries):
            row = form.rows.entries[index].form
            add_form_error(row, name, message)
    form.form_errors.append(error.message)


def _day_label(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


@bp.route("/<slug>/schedule/rooms", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def rooms(slug: str):
    """Edit the event's rooms as one grid: a row per room, blank rows to add more."""
    event = get_event(slug, changing=request.method == "POST")
    if request.method == "GET":
        form = RoomsForm(
            data={
                "rows": [
                    {
                        "id": room.id,
                        "name": room.name,
                        "capacity": room.capacity,
                        "family_friendly": room.family_friendly,
                        "step_free": room.step_free,
                        "facilities": room.facility_list,
                        "order": room.position,
                    }
                    for room in event_rooms(event)
                ]
            }
        )
    else:
        form = RoomsForm()
    status = 200
    if request.method == "POST" and request.form.get("action") == "add":
        form.validate()
        form.form_errors.clear()
    elif form.validate_on_submit():
        rows = [
            services.RoomRow(
                id=row.id.data,
                name=row.name.data or "",
                capacity=row.capacity.data,
                family_friendly=row.family_friendly.data,
                step_free=row.step_free.data,
                facilities=tuple(row.facilities.data or ()),
                order=row.order.data,
                remove=row.remove.data,
            )
            for row in (entry.form for entry in form.rows.entries)
        ]
        try:
            saved = services.save_rooms(event, rows)
        except services.GridError as error:
            _show_grid_errors(form, error)
            status = 422
        else:
            flash(f"Rooms saved: {len(saved)} in all.", "success")
            return redirect(url_for("schedule.rooms", slug=event.slug), 303)
    else:
        status = form_errors_status(form)
    for _ in range(SPARE_ROWS):
        form.rows.append_entry()
    return render(
        "schedule/rooms.html",
        block="room_grid",
        status=status,
        event=event,
        form=form,
        fragment=wants_fragment(),
    )


def _slot_days(event: Event, form: SlotsForm) -> list[tuple[str, str]]:
    # A blank first choice, so the spare rows stay blank (and are left out) when saved.
    choices = [("", "Choose a day")]
    choices += [(d.isoformat(), _day_label(d)) for d in services.event_days(event)]
    for entry in form.rows.entries:
        entry.form.day.choices = choices
    return choices


def _slot_row(row) -> services.SlotRow:
    try:
        day = date.fromisoformat(row.day.data) if row.day.data else None
    except (TypeError, ValueError):
        day = None
    return services.SlotRow(
        id=row.id.data,
        day=day,
        start=row.start.data,
        end=row.end.data,
        kind=row.kind.data or SlotKind.SESSION,
        label=row.label.data or "",
        family_hours=row.family_hours.data,
        remove=row.remove.data,
    )


def _blank_slot_row(row) -> bool:
    """Whether a row of the slots grid is a spare one nobody has typed in."""
    typed = (row.start.data, row.end.data, (row.label.data or "").strip(), row.day.data)
    return not row.id.data and not any(typed)


def _add_pattern(event: Event, form: SlotsForm, pattern: DayPatternForm) -> bool:
    """Append the day pattern's slots to the grid (not saved); False when it is incomplete."""
    try:
        day = date.fromisoformat(pattern.day.data or "")
    except ValueError:
        day = None
    needed = {
        "day": day,
        "first_start": pattern.first_start.data,
        "sessions": pattern.sessions.data,
        "session_minutes": pattern.session_minutes.data,
    }
    if not pattern.validate() or None in needed.values():
        for name, value in needed.items():
            if value is None and not pattern[name].errors:
                pattern[name].errors = [*pattern[name].errors, "Fill this in for the pattern."]
        return False
    slots = layout.day_pattern(
        day,
        pattern.first_start.data,
        pattern.sessions.data,
        pattern.session_minutes.data,
        pattern.break_minutes.data or 0,
        pattern.lunch_after.data,
        pattern.lunch_minutes.data or 60,
        pattern.family_sessions.data or 0,
    )
    # The pattern's slots take the place of the blank rows at the end, not a place after them.
    while form.rows.entries and _blank_slot_row(form.rows.entries[-1].form):
        form.rows.pop_entry()
    for slot in slots:
        form.rows.append_entry(
            {
                "day": slot.day.isoformat(),
                "start": slot.start,
                "end": slot.end,
                "kind": slot.kind,
                "label": slot.label,
                "family_hours": slot.family_hours,
            }
        )
    return True


@bp.route("/<slug>/schedule/slots", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def slots(slug: str):
    """Edit the event's days and time slots as one grid, with a day pattern to start from."""
    event = get_event(slug, changing=request.method == "POST")
    pattern = DayPatternForm(prefix="pattern", meta={"csrf": False})
    if request.method == "GET":
        form = SlotsForm(
            data={
                "rows": [
                    {
                        "id": row.id,
                        "day": row.day.isoformat(),
                        "start": row.start,
                        "end": row.end,
                        "kind": row.kind,
                        "label": row.label,
                        "family_hours": row.family_hours,
                    }
                    for row in services.slot_rows(event)
                ]
            }
        )
    else:
        form = SlotsForm()
    action = request.form.get("action") if request.method == "POST" else None
    status = 200
    if action in ("add", "pattern"):
        form.validate()
        form.form_errors.clear()
        if action == "pattern" and not _add_pattern(event, form, pattern):
            status = 422
    elif form.validate_on_submit():
        try:
            saved = services.save_slots(event, [_slot_row(e.form) for e in form.rows.entries])
        except services.GridError as error:
            _show_grid_errors(form, error)
            status = 422
        else:
            sessions = sum(1 for s in saved if s.is_session)
            flash(f"Time slots saved: {len(saved)}, {sessions} for sessions.", "success")
            return redirect(url_for("schedule.slots", slug=event.slug), 303)
    else:
        status = form_errors_status(form)
    for _ in range(SPARE_ROWS):
        form.rows.append_entry()
    days = _slot_days(event, form)
    pattern.day.choices = days
    return render(
        "schedule/slots.html",
        block="slot_grid",
        status=status,
        event=event,
        form=form,
        pattern=pattern,
        fragment=wants_fragment(),
    )


def _availability_page(event: Event, failed: tuple[str, AvailabilityForm] | None = None):
    people = services.absentees_for(event, current_user)
    sessions = [s for s in event_slots(event) if s.is_session]
    choices = [(str(s.id), s) for s in sessions]
    forms = []
    for person in people:
        if failed is not None and failed[0] == person.key:
            form = failed[1]
        else:
            form = AvailabilityForm(
                formdata=None,
                data={
                    "person": person.key,
                    "slots": [str(i) for i in services.unavailable_slots(event, person)],
                },
            )
        form.slots.choices = [
            (value, f"{layout.describe(s.label, *_local(event, s))}") for value, s in choices
        ]
        forms.append((person, form))
    return render(
        "schedule/availability.html",
        status=422 if failed else 200,
        event=event,
        forms=forms,
        sessions=sessions,
    )


def _local(event: Event, slot):
    zone = ZoneInfo(event.timezone)
    return slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)


@bp.route("/<slug>/schedule/availability", methods=["GET", "POST"])
@login_required
def availability(slug: str):
    """Let a person say which sessions they (or their children) cannot be there for."""
    event = get_event(slug, changing=request.method == "POST")
    if request.method == "GET":
        return _availability_page(event)
    form = AvailabilityForm()
    person = next(
        (p for p in services.absentees_for(event, current_user) if p.key == form.person.data),
        None,
    )
    if person is None:
        abort(404, "You cannot say when that person can be there.")
    if not form.validate_on_submit():
        return _availability_page(event, (person.key, form))
    try:
        chosen = [int(v) for v in form.slots.data or () if v.isascii() and v.isdigit()]
        services.set_unavailable(event, person, chosen)
    except (ValueError, services.ScheduleError) as error:
        add_form_error(form, "slots", getattr(error, "message", "Choose session slots."))
        return _availability_page(event, (person.key, form))
    count = len(chosen)
    flash(
        f"Saved: {person.name} cannot be there for "
        + (f"{count} session slot{'s' if count != 1 else ''}." if count else "none of them."),
        "success",
    )
    return redirect(url_for("schedule.availability", slug=event.slug), 303)


def _day_pitches_page(event: Event, form: DayPitchForm, claim: ClaimForm, status: int = 200):
    return render(
        "schedule/day_pitches.html",
        status=status,
        event=event,
        form=form,
        claim=claim,
        pitches=services.day_pitches(event),
    )


@bp.route("/<slug>/schedule/day-pitches", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def day_pitches(slug: str):
    """Add a session pitched on the day for someone with no account, in seconds."""
    event = get_event(slug, changing=request.method == "POST")
    form = DayPitchForm()
    if form.validate_on_submit():
        previous = idempotency.claim(form, current_user)
        if previous is not None:
            return idempotency.repeat(previous)
        details = services.DayPitchDetails(
            title=form.title.data or "",
            host_name=form.host_name.data or "",
            length_slots=int(form.length_slots.data or 1),
            family_friendly=form.family_friendly.data,
        )
        try:
            pitch = services.add_day_pitch(event, details, current_user)
        except services.ScheduleError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash(f"Added “{pitch.title}”, hosted by {details.host_name.strip()}.", "success")
            response = redirect(url_for("schedule.day_pitches", slug=event.slug), 303)
            return idempotency.done(form, response)
    return _day_pitches_page(event, form, ClaimForm(formdata=None), form_errors_status(form))


@bp.post("/<slug>/schedule/day-pitches/claim")
@role_required(Role.FACILITATOR)
def claim_guest(slug: str):
    """Link a guest host to the account of the person who pitched."""
    event = get_event(slug, changing=True)
    claim = ClaimForm()
    if claim.validate_on_submit():
        guest = services.find_guest_host(event, claim.guest_host_id.data)
        user = find_user(claim.username.data or "") if claim.username.data else None
        if guest is None:
            add_form_error(claim, "username", "That guest host is not at this event.")
        elif user is None:
            add_form_error(claim, "username", "Nobody here has that username.")
        else:
            try:
                services.claim_guest_host(event, guest, user)
            except services.ScheduleError as error:
                add_form_error(claim, "username", error.message)
            else:
                flash(f"{guest.name}'s sessions are now {user.display_name}'s.", "success")
                return redirect(url_for("schedule.day_pitches", slug=event.slug), 303)
    return _day_pitches_page(event, DayPitchForm(formdata=None), claim, 422)
