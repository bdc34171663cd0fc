"""Reporting content to the facilitators, and their inbox of reports."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from wiki import idempotency
from wiki.auth import Role, role_required
from wiki.bounds import whole_number
from wiki.confirmations import Confirmation, Typed, render_confirmation
from wiki.extensions import db, limiter
from wiki.forms import add_form_error
from wiki.moderation import services
from wiki.moderation.forms import HandleForm, ReportForm
from wiki.moderation.models import Report, ReportStatus
from wiki.pages import conduct
from wiki.pages import services as pages
from wiki.ratelimit import account_key
from wiki.rendering import is_safe_next, render

bp = Blueprint("moderation", __name__, url_prefix="/-/reports")

INBOX_SIZE = 200
CLOSED_SIZE = 50
THANKS = "Thank you. The facilitators have been told; only they can see reports."


def _report_limit() -> str:
    return current_app.config.get("REPORT_RATE_LIMIT", "10 per hour")


def open_report_count() -> int:
    """Return how many reports wait; 0 for anyone but a facilitator, without a query."""
    if not current_user.is_facilitator:
        return 0
    return services.count_open()


@bp.app_context_processor
def moderation_context() -> dict:
    return {"open_report_count": open_report_count}


def get_target(target_type: str | None, target_id: str | int | None) -> services.Target:
    """Return what is being reported or answer 404."""
    number = whole_number(target_id)
    target = services.find_target(target_type or "", number, staff=current_user.is_facilitator)
    if target is None:
        abort(404, "There is nothing to report there: it may have been removed already.")
    return target


def get_report(report_id: int) -> Report:
    """Return the report or answer 404."""
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404, "There is no such report.")
    return report


def _report_page(form: ReportForm, target: services.Target, status: int = 200, **context):
    back = form.next.data if is_safe_next(form.next.data) else target.url
    return render(
        "moderation/new.html",
        status=status,
        form=form,
        target=target,
        back=back,
        conduct=pages.find_page(conduct.SLUG),
        **context,
    )


@bp.get("/new")
@login_required
def new():
    """Ask what is wrong with the page, pitch, comment or announcement being reported."""
    target = get_target(request.args.get("type"), request.args.get("id"))
    form = ReportForm(
        target_type=target.type.value, target_id=target.id, next=request.args.get("next", "")
    )
    return _report_page(form, target)


@bp.post("")
# Per account, so a crowded venue sharing one address does not share one allowance.
@limiter.limit(_report_limit, key_func=account_key)
@login_required
def create():
    """File a report, tell the facilitators, and go back to what was reported."""
    form = ReportForm()
    target = get_target(form.target_type.data, form.target_id.data)
    if form.validate_on_submit():
        if (first := idempotency.claim(form, current_user)) is not None:
            return idempotency.repeat(first)
        try:
            report = services.file_report(target, form.reason.data, current_user, form.next.data)
        except services.ModerationError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash(THANKS, "success")
            return idempotency.done(form, redirect(report.target_url, 303))
    return _report_page(form, target, status=422)


@bp.errorhandler(429)
def too_many_reports(error):
    """Keep what the person wrote when they hit the limit, and say how to reach someone."""
    form = ReportForm()
    target = services.find_target(
        form.target_type.data or "", form.target_id.data, staff=current_user.is_facilitator
    )
    limit = getattr(error, "limit", None)
    message = (
        "You have sent a lot of reports in a short time"
        + (f" (the limit is {limit.limit})" if limit is not None else "")
        + ". Try again later, or if something needs attention now, tell a facilitator in person."
    )
    if target is None:
        return render(
            "errors/error.html", status=429, code=429, title="Too many reports", message=message
        )
    response = _report_page(form, target, status=429, limited=message)
    response.headers["Retry-After"] = "3600"
    return response


@bp.get("/")
@role_required(Role.FACILITATOR)
def inbox():
    """List reports for the facilitators: open ones first, newest first, then handled ones."""
    return _inbox()


def _inbox(status: int = 200, failed: Report | None = None, failed_form: HandleForm | None = None):
    open_reports = db.session.scalars(services.open_reports().limit(INBOX_SIZE)).all()
    closed_reports = db.session.scalars(services.closed_reports().limit(CLOSED_SIZE)).all()
    targets = {
        report.id: services.find_target(report.target_type, report.target_id, staff=True)
        for report in [*open_reports, *closed_reports]
    }
    hides = {
        report.id: hide_confirmation(report, targets[report.id])
        for report in open_reports
        if targets[report.id] is not None and targets[report.id].can_hide
    }
    return render(
        "moderation/inbox.html",
        status=status,
        open_reports=open_reports,
        closed_reports=closed_reports,
        targets=targets,
        hides=hides,
        blank_form=HandleForm(formdata=None),
        failed_id=failed.id if failed is not None else None,
        failed_form=failed_form,
        more=len(open_reports) == INBOX_SIZE,
    )


def _handle(report_id: int, action):
    """Validate the note, then run ``action(report, note)``; a bad note re-renders the inbox."""
    report = get_report(report_id)
    form = HandleForm()
    if form.validate_on_submit():
        try:
            return action(report, form.note.data or "")
        except services.ModerationError as error:
            add_form_error(form, "note", error.message)
    return _inbox(status=422, failed=report, failed_form=form)


def _close(report: Report, note: str, status: ReportStatus, done: str):
    if services.close_report(report, current_user, status, note):
        flash(done, "success")
    else:
        flash("Someone else dealt with that report already.", "info")
    return redirect(url_for("moderation.inbox"), 303)


@bp.post("/<int:report_id>/resolve")
@role_required(Role.FACILITATOR)
def resolve(report_id: int):
    """Close a report as dealt with."""
    return _handle(
        report_id,
        lambda report, note: _close(report, note, ReportStatus.RESOLVED, "Report resolved."),
    )


@bp.post("/<int:report_id>/dismiss")
@role_required(Role.FACILITATOR)
def dismiss(report_id: int):
    """Close a report as needing nothing done."""
    return _handle(
        report_id,
        lambda report, note: _close(report, note, ReportStatus.DISMISSED, "Report dismissed."),
    )


def _target_of(report: Report) -> services.Target:
    target = services.find_target(report.target_type, report.target_id, staff=True)
    if target is None:
        abort(404, "What was reported no longer exists; resolve or dismiss the report instead.")
    return target


def _hide(report: Report, note: str):
    target = _target_of(report)
    services.hide_target(target, current_user, note)
    flash(
        f"Done: the {target.label} is hidden from the public and its reports resolved.", "success"
    )
    return redirect(url_for("moderation.inbox"), 303)


def hide_confirmation(report: Report, target: services.Target) -> Confirmation:
    """Return the question asked before hiding what ``report`` is about."""
    pitch = target.type is services.TargetType.PITCH
    return Confirmation(
        key=f"hide-{report.id}",
        question=f"{target.hide_label}: “{target.title}”?",
        consequences=services.hide_consequences(target),
        action=url_for("moderation.hide", report_id=report.id),
        url=url_for("moderation.hide", report_id=report.id),
        confirm_label=target.hide_label,
        back=url_for("moderation.inbox", _anchor=f"report-{report.id}"),
        typed=[
            Typed(
                name="note",
                label="Reason everyone reads (optional)" if pitch else "Note (optional)",
                hint="Shown on the session's page." if pitch else "For the other facilitators.",
                max_length=services.MAX_NOTE,
                rows=2,
            )
        ],
    )


@bp.get("/<int:report_id>/hide")
@role_required(Role.FACILITATOR)
def confirm_hide(report_id: int):
    """Ask before hiding reported content, saying what readers lose and what comes back."""
    report = get_report(report_id)
    target = _target_of(report)
    if not target.can_hide or report.status != ReportStatus.OPEN:
        flash(f"The {target.label} is hidden already, or the report is dealt with.", "info")
        return redirect(url_for("moderation.inbox"), 303)
    return render_confirmation(hide_confirmation(report, target))


@bp.post("/<int:report_id>/hide")
@role_required(Role.FACILITATOR)
def hide(report_id: int):
    """Hide what was reported (delete the page, decline the session...) and resolve it."""
    return _handle(report_id, _hide)


@bp.post("/<int:report_id>/unhide")
@role_required(Role.FACILITATOR)
def unhide(report_id: int):
    """Show hidden content again; the report stays as it was."""
    report = get_report(report_id)
    if not HandleForm().validate_on_submit():
        abort(400)
    target = _target_of(report)
    try:
        services.show_again(target, current_user)
    except services.ModerationError as error:
        flash(error.message, "error")
    else:
        flash(f"The {target.label} can be seen again.", "success")
    return redirect(url_for("moderation.inbox"), 303)
