"""Reading, creating, editing and looking after wiki pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from wiki import idempotency
from wiki.accounts.forms import EmptyForm
from wiki.accounts.models import Role
from wiki.auth import role_required
from wiki.bounds import query_int, whole_number
from wiki.confirmations import Confirmation, render_confirmation
from wiki.extensions import db
from wiki.live import services as live
from wiki.live.streams import stream as live_stream
from wiki.pages import display, listings, markup, services
from wiki.pages.diffs import diff_lines
from wiki.pages.forms import EditForm, HideForm, NewPageForm, RenameForm
from wiki.pages.models import TALK_PREFIX, Page, Revision
from wiki.pages.proposal import proposal_text
from wiki.pages.services import get_page
from wiki.rendering import form_errors_status, render, wants_fragment
from wiki.rules import add_form_error

bp = Blueprint("pages", __name__)

HISTORY_PAGE_SIZE = 50


def get_revision(page: Page, number: int) -> Revision:
    """Return revision ``number`` of ``page`` or answer 404."""
    revision = db.session.scalar(
        select(Revision).where(Revision.page_id == page.id, Revision.number == number)
    )
    if revision is None:
        abort(404, f"This page has no revision {number}.")
    return revision


@bp.app_template_global()
def offers_edit(page: Page) -> bool:
    """Tell whether to link to the page's editor: never where it would answer 403.

    People not logged in see the link wherever logging in would let them edit.
    """
    if current_user.is_authenticated:
        return services.can_edit(current_user, page)
    subject = page.discussion_of if page.is_discussion else page
    return page.is_discussion or not subject.protected


def require_edit(page: Page | None) -> None:
    """Refuse (403) when the current person may not edit ``page``."""
    if not services.can_edit(current_user, page):
        abort(403, "This page is protected: only facilitators can edit it.")


def page_html(
    page: Page, revision: Revision, *, tickable: bool, saved: tuple[int, str, bool] | None = None
) -> str:
    """Return the revision's stored HTML with red links and, if allowed, tickable tasks.

    :param saved: (task number, message, whether it saved) for beside the task just ticked.
    """
    missing = {services.page_url(slug) for slug in services.missing_link_slugs(page)}
    html = display.mark_red_links(revision.html, missing)
    if tickable:
        labels = markup.task_labels(revision.body)
        html = display.tickable_tasks(html, "task-form", labels, saved)
    else:
        html = display.disable_tasks(html, markup.task_labels(revision.body))
    return html


def _editor(template: str, form, page: Page | None, status: int = 200, **context):
    preview = None
    if request.method == "POST" and request.form.get("action") == "preview":
        preview = services.preview_html(form.body.data or "")
    return render(template, status=status, form=form, page=page, preview=preview, **context)


@bp.get("/wiki/<path:slug>")
def view(slug: str):
    """Show a page, or offer to create it when it does not exist yet."""
    page = services.find_page(slug, include_deleted=True, with_revision=True)
    if page is None:
        moved = services.find_alias(slug)
        if moved is not None:
            return redirect(url_for("pages.view", slug=moved.slug), 301)
        if slug.startswith(TALK_PREFIX):
            return redirect(url_for("pages.discussion", slug=slug.removeprefix(TALK_PREFIX)))
        return missing(slug)
    if page.is_deleted and not _is_facilitator():
        abort(404, "This page was deleted. A facilitator can restore it.")
    # Popped only when there: popping marks the session changed, a new cookie on every view.
    saved = session.pop("task_saved") if "task_saved" in session else None
    note = None
    if isinstance(saved, list) and len(saved) == 4 and saved[0] == page.id:
        note = (saved[1], saved[2], saved[3])  # the task ticked without JavaScript, and how
    return render("pages/view.html", **_view_context(page, note))


def _view_context(page: Page, saved: tuple[int, str, bool] | None = None) -> dict:
    revision = page.current_revision
    can_edit = services.can_edit(current_user, page)
    return {
        "page": page,
        "revision": revision,
        "html": display.as_markup(page_html(page, revision, tickable=can_edit, saved=saved)),
        "can_edit": can_edit,
        "tick_form": EmptyForm(),
        "admin_form": EmptyForm(),
        "delete": delete_confirmation(page) if _is_facilitator() and not page.is_deleted else None,
        "backlink_count": db.session.scalar(
            select(func.count()).select_from(services.backlinks(page.slug).subquery())
        ),
    }


def missing(slug: str):
    """Answer for a page that does not exist: the create form, or a way to log in."""
    title = services.suggested_title(slug)
    if not current_user.is_authenticated:
        return render("pages/missing.html", slug=slug, title=title, status=404)
    form = NewPageForm(title=title)
    return _editor("pages/new.html", form, None, status=404, slug=slug)


@bp.route("/-/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a page, blank or from a template."""
    form = NewPageForm(title=request.args.get("title", ""))
    if request.method == "GET" and request.args.get("template") == "proposal":
        form.template.data = "proposal"
    if request.method == "GET" and form.template.data == "proposal" and not form.body.data:
        form.body.data = proposal_text(form.title.data or "Our BarCamp")
    if form.validate_on_submit() and request.form.get("action") != "preview":
        if (first := idempotency.claim(form, current_user)) is not None:
            return idempotency.repeat(first)
        body = form.body.data or ""
        if form.template.data == "proposal" and not body.strip():
            body = proposal_text(form.title.data)
        try:
            outcome = services.create_page(form.title.data, body, current_user, form.summary.data)
        except services.PageError as error:
            add_form_error(form, error.field, error.message)
        else:
            return idempotency.done(form, _after_save(outcome, form))
    return _editor("pages/new.html", form, None, status=form_errors_status(form))


@bp.route("/wiki/<path:slug>/-/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Edit a page; a stale edit is merged or shown as a conflict, never lost."""
    page = get_page(slug)
    require_edit(page)
    current = page.current_revision
    # The revision the editor started from is what the form says, never assumed.
    started = {"base_revision": current.id if current else None} if request.method == "GET" else {}
    form = EditForm(title=page.title, body=current.body if current else "", **started)
    if form.validate_on_submit() and request.form.get("action") != "preview":
        try:
            outcome = services.save_page(
                page,
                form.title.data,
                form.body.data or "",
                current_user,
                form.summary.data,
                base_revision_id=form.base_revision.data,
            )
        except services.PageError as error:
            add_form_error(form, error.field, error.message)
        else:
            return _after_save(outcome, form)
    return _editor("pages/edit.html", form, page, status=form_errors_status(form))


def _after_save(outcome: services.SaveOutcome, form):
    page = outcome.page
    if outcome.conflict:
        theirs = outcome.theirs
        form.base_revision.data = theirs.id
        return render(
            "pages/conflict.html",
            status=409,
            form=form,
            page=page,
            theirs=theirs,
            hunks=diff_lines(theirs.body, services.normalise_text(outcome.ours)),
            preview=None,
        )
    if outcome.status == "merged":
        flash(
            "Someone else saved this page while you were editing. Your changes did not "
            "overlap with theirs, so both are kept.",
            "info",
        )
    elif outcome.status == "unchanged":
        flash("You made no changes, so nothing was saved.", "info")
    else:
        flash("Your changes are saved.", "success")
    return redirect(url_for("pages.view", slug=page.slug), 303)


@bp.get("/wiki/<path:slug>/-/live")
def stream(slug: str):
    """Stream the page's live updates to its open editors; deleted pages to facilitators only."""
    # A page renamed while its editor is open keeps streaming: the browser reconnects to
    # the old name.
    if services.find_page(slug, include_deleted=True) is None:
        moved = services.find_alias(slug)
        slug = moved.slug if moved is not None else slug
    return live_stream(live.page_topic(get_page(slug).id))


@bp.get("/wiki/<path:slug>/-/edited-since/<int:revision_id>")
@login_required
def edited_since(slug: str, revision_id: int):
    """Tell someone editing a page who else has saved it since they started."""
    page = get_page(slug)
    newer = db.session.scalars(services.revisions_since(page, revision_id, current_user)).all()
    return render("pages/_edited_since.html", page=page, newer=newer, base=revision_id)


@bp.post("/-/preview")
@login_required
def preview():
    """Render Markdown as it will look when saved (for the live preview)."""
    html = services.preview_html(request.form.get("body", ""))
    return render("pages/_preview.html", preview=html)


@bp.post("/wiki/<path:slug>/-/tick")
@login_required
def tick(slug: str):
    """Tick or untick a task on the page, as a new revision."""
    page = get_page(slug)
    require_edit(page)
    if not EmptyForm().validate_on_submit():
        abort(400)
    index, _, checked = request.form.get("task", "").partition(":")
    index = whole_number(index, low=0)
    base = whole_number(request.form.get("base_revision"))
    if index is None or checked not in ("0", "1") or base is None:
        abort(400, "That task could not be read; reload the page and try again.")
    number = int(index)
    status = error = None
    message = ""
    try:
        outcome = services.tick_task(page, number, checked == "1", current_user, base)
    except services.PageError as refused:
        error = refused.message
    else:
        if outcome.conflict:
            error = "Not saved: someone changed that task at the same time; check it again."
        else:
            labels = markup.task_labels(page.current_revision.body)
            label = labels[number] if number < len(labels) else f"task {number + 1}"
            if checked == "1":
                message, status = "Saved, with your name", f"Saved: “{label}”."
            else:
                message, status = "Saved: unticked", f"Saved: “{label}” is unticked."
    message = error or message
    if wants_fragment():
        # The page's body in place (scroll and focus stay), and the news for screen readers.
        return render(
            "pages/view.html",
            block="page_body",
            status=409 if error else 200,
            task_status=status or message,
            **_view_context(page, (number, message, not error)),
        )
    if error:
        flash(error, "error")
    session["task_saved"] = [page.id, number, message, not error]
    return redirect(url_for("pages.view", slug=page.slug, _anchor=f"task-{number}"), 303)


@bp.get("/wiki/<path:slug>/-/history")
def history(slug: str):
    """List every revision of a page, newest first."""
    page = get_page(slug)
    number = query_int("page", 1)
    revisions = db.session.scalars(
        page.revisions_query().limit(HISTORY_PAGE_SIZE).offset((number - 1) * HISTORY_PAGE_SIZE)
    ).all()
    return render(
        "pages/history.html",
        page=page,
        revisions=revisions,
        number=number,
        has_more=page.revision_count > number * HISTORY_PAGE_SIZE,
    )


@bp.get("/wiki/<path:slug>/-/diff")
def diff(slug: str):
    """Show the changes between two revisions, words highlighted."""
    page = get_page(slug)
    new_number = query_int("to", page.revision_count)
    old_number = query_int("from", new_number - 1, low=0)
    if old_number > new_number:
        old_number, new_number = new_number, old_number
    new = get_revision(page, new_number)
    old = get_revision(page, old_number) if old_number >= 1 else None
    hidden = _text_hidden(old) or _text_hidden(new)
    hunks = [] if hidden else diff_lines(old.body if old else "", new.body)
    return render("pages/diff.html", page=page, old=old, new=new, hunks=hunks, hidden=hidden)


def _text_hidden(revision: Revision | None) -> bool:
    return bool(revision and revision.hidden and not _is_facilitator())


def _is_facilitator() -> bool:
    return current_user.is_authenticated and current_user.is_facilitator


@bp.get("/wiki/<path:slug>/-/revisions/<int:number>")
def revision(slug: str, number: int):
    """Show a page as it was at one revision."""
    page = get_page(slug)
    old = get_revision(page, number)
    return render(
        "pages/revision.html",
        page=page,
        revision=old,
        hidden=_text_hidden(old),
        html=display.as_markup(page_html(page, old, tickable=False)),
        can_edit=services.can_edit(current_user, page),
        form=EmptyForm(),
        hide_form=HideForm(),
    )


@bp.post("/wiki/<path:slug>/-/revisions/<int:number>/revert")
@login_required
def revert(slug: str, number: int):
    """Make an old revision the newest, as a new revision."""
    page = get_page(slug)
    require_edit(page)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        outcome = services.revert_to(page, get_revision(page, number), current_user)
    except services.PageError as error:
        abort(403, error.message)
    if outcome.status == "unchanged":
        flash("The page already reads like that revision.", "info")
    else:
        flash(f"Reverted to revision {number}.", "success")
    return redirect(url_for("pages.view", slug=page.slug), 303)


@bp.post("/wiki/<path:slug>/-/revisions/<int:number>/hide")
@role_required(Role.FACILITATOR)
def hide_revision(slug: str, number: int):
    """Hide an abusive revision's text from everyone but facilitators."""
    page = get_page(slug)
    form = HideForm()
    if not form.validate_on_submit():
        abort(400)
    services.hide_revision(get_revision(page, number), current_user, form.reason.data or "")
    flash(f"Revision {number} is hidden from the public.", "success")
    return redirect(url_for("pages.history", slug=page.slug), 303)


@bp.post("/wiki/<path:slug>/-/revisions/<int:number>/unhide")
@role_required(Role.FACILITATOR)
def unhide_revision(slug: str, number: int):
    """Show a hidden revision's text again."""
    page = get_page(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.unhide_revision(get_revision(page, number))
    flash(f"Revision {number} is visible again.", "success")
    return redirect(url_for("pages.history", slug=page.slug), 303)


@bp.route("/wiki/<path:slug>/-/rename", methods=["GET", "POST"])
@login_required
def rename(slug: str):
    """Rename a page, leaving a redirect behind."""
    page = get_page(slug)
    require_edit(page)
    form = RenameForm(title=page.title)
    if form.validate_on_submit():
        try:
            services.rename_page(page, form.title.data, current_user)
        except services.PageError as error:
            add_form_error(form, "title", error.message)
        else:
            flash(f"Renamed. The old address, /wiki/{slug}, leads here.", "success")
            return redirect(url_for("pages.view", slug=page.slug), 303)
    return render("pages/rename.html", form=form, page=page, status=form_errors_status(form))


def delete_confirmation(page: Page) -> Confirmation:
    """Return the question asked before deleting ``page``."""
    return Confirmation(
        key="delete-page",
        question=f"Delete “{page.title}”?",
        consequences=services.delete_consequences(page),
        action=url_for("pages.delete", slug=page.slug),
        url=url_for("pages.delete", slug=page.slug),
        confirm_label="Delete page",
        back=url_for("pages.view", slug=page.slug),
    )


@bp.get("/wiki/<path:slug>/-/delete")
@role_required(Role.FACILITATOR)
def confirm_delete(slug: str):
    """Ask before deleting a page, saying what readers will find instead."""
    page = get_page(slug)
    if page.is_deleted:
        flash(f"“{page.title}” is deleted already.", "info")
        return redirect(url_for("pages.view", slug=page.slug), 303)
    return render_confirmation(delete_confirmation(page))


@bp.post("/wiki/<path:slug>/-/delete")
@role_required(Role.FACILITATOR)
def delete(slug: str):
    """Delete a page (facilitators only); it can be restored."""
    page = get_page(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_page(page, current_user)
    flash(f"“{page.title}” is deleted. Facilitators can still open and restore it.", "success")
    return redirect(url_for("pages.view", slug=page.slug), 303)


@bp.post("/wiki/<path:slug>/-/restore")
@role_required(Role.FACILITATOR)
def restore(slug: str):
    """Restore a deleted page."""
    page = get_page(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.restore_page(page, current_user)
    flash(f"“{page.title}” is restored.", "success")
    return redirect(url_for("pages.view", slug=page.slug), 303)


@bp.post("/wiki/<path:slug>/-/protect")
@role_required(Role.FACILITATOR)
def protect(slug: str):
    """Protect a page so only facilitators edit it, or lift the protection."""
    page = get_page(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_protected(page, request.form.get("protected") == "1")
    flash(
        "Only facilitators can edit this page now."
        if page.protected
        else "Everyone with an account can edit this page again.",
        "success",
    )
    return redirect(url_for("pages.view", slug=page.slug), 303)


@bp.get("/wiki/<path:slug>/-/links-here")
def links_here(slug: str):
    """List the pages that link to this one."""
    page = services.find_page(slug)
    pages = db.session.scalars(services.backlinks(slug)).all()
    return render("pages/links_here.html", page=page, slug=slug, pages=pages)


@bp.route("/wiki/<path:slug>/-/discussion", methods=["GET", "POST"])
def discussion(slug: str):
    """Show the page's discussion, or start it."""
    page = get_page(slug)
    talk = services.discussion_page(page)
    if talk is not None:
        return redirect(url_for("pages.view", slug=talk.slug))
    form = EditForm(title=f"Discussion: {page.title}")
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(403)
        if form.validate_on_submit() and request.form.get("action") != "preview":
            outcome = services.start_discussion(
                page, form.body.data or "", current_user, form.summary.data
            )
            return _after_save(outcome, form)
    return render(
        "pages/discussion_new.html",
        form=form,
        page=page,
        preview=services.preview_html(form.body.data or "")
        if request.form.get("action") == "preview"
        else None,
        status=form_errors_status(form),
    )


RECENT_PAGE_SIZE = 50


@bp.get("/-/recent")
def recent():
    """List the latest changes to every page, with links to each diff."""
    number = query_int("page", 1)
    changes = db.session.scalars(
        listings.recent_changes()
        .limit(RECENT_PAGE_SIZE + 1)
        .offset((number - 1) * RECENT_PAGE_SIZE)
    ).all()
    return render(
        "pages/recent.html",
        changes=changes[:RECENT_PAGE_SIZE],
        number=number,
        has_more=len(changes) > RECENT_PAGE_SIZE,
    )


@bp.get("/-/recent.atom")
def recent_feed():
    """Offer recent changes as an Atom feed for feed readers."""
    changes = db.session.scalars(listings.recent_changes().limit(50)).all()
    body = listings.recent_feed(changes, current_app.config["SITE_NAME"])
    return Response(body, mimetype="application/atom+xml")


@bp.get("/-/pages")
def index():
    """List every page from A to Z."""
    pages = db.session.scalars(listings.all_pages()).all()
    return render("pages/index.html", groups=listings.by_initial(pages))


@bp.get("/-/wanted")
def wanted():
    """List pages that are linked to but do not exist yet."""
    rows = db.session.execute(listings.wanted_pages().limit(500)).all()
    return render("pages/wanted.html", rows=rows)


@bp.get("/-/search")
def search():
    """Search pages, sessions, comments and announcements."""
    from wiki import search as site_search

    query = request.args.get("q", "").strip()
    hits = site_search.search(query, limit=30) if query else []
    exact = services.find_page(services.slug_for(query)) if query else None
    return render("pages/search.html", block="results", query=query, hits=hits, exact=exact)


@bp.get("/-/people/<username>/contributions")
def contributions(username: str):
    """List the changes one person made."""
    from wiki.accounts.services import find_user

    person = find_user(username)
    if person is None:
        abort(404, f"No account is called {username}.")
    changes = db.session.scalars(listings.contributions(person.id).limit(200)).all()
    return render("pages/contributions.html", person=person, changes=changes)
