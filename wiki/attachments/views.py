"""Attaching files to pages, listing them, and serving them so they can never act as HTML."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from wiki.accounts.forms import EmptyForm
from wiki.accounts.models import Role
from wiki.attachments import filetypes, services
from wiki.attachments.forms import UploadForm
from wiki.attachments.models import Attachment, AttachmentVersion
from wiki.auth import role_required
from wiki.confirmations import Confirmation, render_confirmation
from wiki.extensions import db
from wiki.pages.models import Page
from wiki.pages.services import get_page
from wiki.rendering import form_errors_status, render
from wiki.rules import add_form_error

bp = Blueprint("attachments", __name__)

# Served files get a policy of their own: nothing may load, nothing may run, and the
# document is sandboxed into an opaque origin, so even a file a browser misreads cannot
# reach the wiki's cookies or pages. The inline styles are those of the browser's own image
# viewer page (without them Chromium logs violations and shows the picture unstyled).
# Chromium's PDF viewer still renders, and still saves, under this policy (checked with
# Chromium 156), so PDFs open inline; its wrapper page keeps the site's origin, but it only
# hosts the viewer, and a PDF's own scripts never get a DOM.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
# The newest file's address changes content when a version is added: revalidate (cheap,
# by ETag). An old version's address never changes content. Both are private, because
# facilitators can still fetch what is deleted and a shared cache must not hand that on.
CURRENT_CACHE = "private, no-cache"
VERSION_CACHE = "private, max-age=31536000, immutable"


@bp.app_context_processor
def attachment_helpers() -> dict:
    """Let any template list a page's attachments, e.g. the page view."""
    return {
        "attachments_for": services.attachments_for,
        "attachment_url": services.file_url,
        "attachment_markdown": services.embed_markdown,
    }


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    """Format a number of bytes for people."""
    return services.format_size(size)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """Explain an upload bigger than the server accepts at all, with the attachment limit."""
    limit = min(services.max_bytes(), current_app.config["MAX_CONTENT_LENGTH"] or float("inf"))
    message = (
        f"That upload is too large: a file can be at most {services.format_size(int(limit))}. "
        "Choose a smaller one."
    )
    body = render_template("errors/error.html", code=413, title="File too large", message=message)
    return body, 413


def _is_facilitator() -> bool:
    return current_user.is_authenticated and current_user.is_facilitator


def get_attachment(id: int) -> Attachment:
    """Return attachment ``id``; if it or its page is deleted, only facilitators get it."""
    attachment = db.session.get(Attachment, id)
    if attachment is None:
        abort(404)
    if (attachment.is_deleted or attachment.page.is_deleted) and not _is_facilitator():
        abort(404, "This file was deleted.")
    return attachment


def _index(page: Page, form: UploadForm, status: int = 200):
    limit = services.format_size(services.max_bytes())
    form.file.description = f"A {filetypes.allowed_names()} file, up to {limit}."
    if current_user.is_authenticated and not current_user.is_facilitator:
        left = max(services.daily_allowance() - services.uploaded_today(current_user), 0)
        form.file.description += (
            f" You can upload {services.format_size(left)} more today "
            f"(each person {services.format_size(services.daily_allowance())} a day)."
        )
    attachments = services.attachments_for(page, include_deleted=_is_facilitator())
    return render(
        "attachments/index.html",
        status=status,
        page=page,
        form=form,
        attachments=attachments,
        versions={a.id: services.versions_of(a) for a in attachments},
        can_upload=services.can_upload(current_user, page),
        admin_form=EmptyForm(),
        deletes={a.id: delete_confirmation(a) for a in attachments if not a.is_deleted}
        if _is_facilitator()
        else {},
    )


@bp.get("/wiki/<path:slug>/-/attachments")
def index(slug: str):
    """List a page's attachments, their versions and how to embed them, with the upload form."""
    return _index(get_page(slug), UploadForm())


@bp.post("/wiki/<path:slug>/-/attachments")
@login_required
def upload(slug: str):
    """Attach a file to a page, or add a new version of the file with that name."""
    page = get_page(slug)
    if not services.can_upload(current_user, page):
        if page.is_deleted:
            abort(403, "This page is deleted: restore it before attaching files.")
        abort(403, "This page is protected: only facilitators can attach files to it.")
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            outcome = services.upload(
                page, file.filename or "", file.read(), current_user, form.comment.data or ""
            )
        except services.AttachmentError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash(_outcome_message(outcome, file.filename or ""), "success")
            anchor = f"attachment-{outcome.attachment.id}"
            return redirect(url_for("attachments.index", slug=page.slug, _anchor=anchor), 303)
    return _index(page, form, status=form_errors_status(form))


def _outcome_message(outcome: services.UploadOutcome, uploaded_name: str) -> str:
    name = outcome.attachment.filename
    if outcome.status == "unchanged":
        return f"That file is the same as the current version of “{name}”, so nothing changed."
    if outcome.status == "versioned":
        return f"Version {outcome.version.number} of “{name}” is saved; pages now show it."
    message = f"“{name}” is attached. Copy its Markdown below to show it on a page."
    if name != uploaded_name:
        message += f" (Saved under that name: it is a {outcome.version.file_type.label}.)"
    return message


@bp.get("/-/attachments/<int:id>/<filename>")
def download(id: int, filename: str):
    """Serve an attachment's current file."""
    attachment = get_attachment(id)
    if filename != attachment.filename:
        return redirect(services.file_url(attachment), 301)
    if attachment.current_version is None:
        abort(404)
    return _send(attachment, attachment.current_version, CURRENT_CACHE)


@bp.get("/-/attachments/<int:id>/v<int:number>/<filename>")
def download_version(id: int, number: int, filename: str):
    """Serve one version of an attachment, old or current."""
    attachment = get_attachment(id)
    version = services.get_version(attachment, number)
    if version is None:
        abort(404, f"This file has no version {number}.")
    if filename != attachment.filename:
        return redirect(services.file_url(attachment, version), 301)
    return _send(attachment, version, VERSION_CACHE)


def _send(attachment: Attachment, version: AttachmentVersion, cache_control: str) -> Response:
    # The type comes from the allow-list alone, so the answer is never text/html.
    if version.media_type not in filetypes.BY_MEDIA_TYPE:
        abort(404)
    if request.if_none_match.contains(version.sha256):
        # Pages revalidate their images on every view: answer without loading the bytes.
        response = Response(status=304, mimetype=version.media_type)
        response.set_etag(version.sha256)
    else:
        response = send_file(
            BytesIO(version.content),
            mimetype=version.media_type,
            conditional=True,
            etag=version.sha256,
            last_modified=version.created_at,
        )
    headers = response.headers
    headers["Content-Disposition"] = services.content_disposition(attachment.filename)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = FILE_CSP
    headers["Cache-Control"] = cache_control
    return response


def delete_confirmation(attachment: Attachment) -> Confirmation:
    """Return the question asked before deleting ``attachment``."""
    return Confirmation(
        key=f"delete-attachment-{attachment.id}",
        question=f"Delete “{attachment.filename}”?",
        consequences=services.delete_consequences(attachment),
        action=url_for("attachments.delete", id=attachment.id),
        url=url_for("attachments.delete", id=attachment.id),
        confirm_label=f"Delete {attachment.filename}",
        back=url_for(
            "attachments.index", slug=attachment.page.slug, _anchor=f"attachment-{attachment.id}"
        ),
    )


@bp.get("/-/attachments/<int:id>/delete")
@role_required(Role.FACILITATOR)
def confirm_delete(id: int):
    """Ask before deleting an attachment, saying what pages that show it will show."""
    attachment = get_attachment(id)
    if attachment.is_deleted:
        flash(f"“{attachment.filename}” is deleted already.", "info")
        return redirect(url_for("attachments.index", slug=attachment.page.slug), 303)
    return render_confirmation(delete_confirmation(attachment))


@bp.post("/-/attachments/<int:id>/delete")
@role_required(Role.FACILITATOR)
def delete(id: int):
    """Delete an attachment (facilitators only); its versions are kept and it can be restored."""
    attachment = get_attachment(id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_attachment(attachment, current_user)
    flash(
        f"“{attachment.filename}” is deleted. Facilitators can still open and restore it.",
        "success",
    )
    return redirect(url_for("attachments.index", slug=attachment.page.slug), 303)


@bp.post("/-/attachments/<int:id>/restore")
@role_required(Role.FACILITATOR)
def restore(id: int):
    """Restore a deleted attachment."""
    attachment = get_attachment(id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.restore_attachment(attachment, current_user)
    flash(f"“{attachment.filename}” is restored.", "success")
    anchor = f"attachment-{attachment.id}"
    return redirect(url_for("attachments.index", slug=attachment.page.slug, _anchor=anchor), 303)
