"""Business rules for wiki pages: saving without losing edits, history, links, names."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import abort, current_app
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.extensions import db
from wiki.pages import display, markup
from wiki.pages.diffs import size_change
from wiki.pages.merge import merge3
from wiki.pages.models import (
    TALK_PREFIX,
    Page,
    PageAlias,
    PageLink,
    Revision,
    RevisionKind,
)
from wiki.rules import RuleError
from wiki.words import plural

MAX_BODY = 200_000
MAX_TITLE = 200


class PageError(RuleError):
    """A change to a page cannot be made."""


@dataclass(frozen=True)
class SaveOutcome:
    """What happened to an edit: saved as is, merged with another, or in conflict."""

    status: str  # "saved", "merged", "unchanged" or "conflict"
    page: Page
    revision: Revision | None = None
    # On a conflict: the revision saved in between, and the text the person submitted.
    theirs: Revision | None = None
    ours: str = ""

    @property
    def conflict(self) -> bool:
        return self.status == "conflict"


def normalise_text(text: str) -> str:
    """Return text with Unix line endings and one final newline, as every revision stores."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""


def clean_title(title: str) -> str:
    """Return a title with spaces tidied, or raise when it is unusable."""
    title = " ".join(title.split())
    if not title:
        raise PageError("title", "Give the page a title.")
    if len(title) > MAX_TITLE:
        raise PageError("title", f"Keep the title under {MAX_TITLE} characters.")
    return title


def slug_for(title: str) -> str:
    """Return the slug a page with this title gets."""
    return markup.slugify(title)


def find_page(
    slug: str, *, include_deleted: bool = False, with_revision: bool = False
) -> Page | None:
    """Return the page at ``slug``; ``with_revision`` loads its text and author with it."""
    query = select(Page).where(Page.slug == slug)
    if with_revision:
        # One query instead of three for the most visited view in the wiki.
        query = query.options(joinedload(Page.current_revision).joinedload(Revision.author))
    page = db.session.scalar(query)
    if page is not None and page.is_deleted and not include_deleted:
        return None
    return page


def find_alias(slug: str) -> Page | None:
    """Return the page that used to be called ``slug``, if it was renamed."""
    alias = db.session.get(PageAlias, slug)
    return alias.page if alias is not None and not alias.page.is_deleted else None


def get_page(slug: str) -> Page:
    """Return the page at ``slug``; facilitators also see deleted pages; others get 404.

    The loader every domain's views use for a page in the URL.
    """
    page = find_page(slug, include_deleted=True)
    if page is None:
        abort(404)
    if page.is_deleted and not (current_user.is_authenticated and current_user.is_facilitator):
        abort(404, "This page was deleted. A facilitator can restore it.")
    return page


def _lock(page: Page) -> Page:
    # SELECT ... FOR UPDATE on PostgreSQL; SQLite's write lock is already held (see
    # wiki.database), so the compare-and-save below is one atomic step on both.
    return db.session.scalars(
        select(Page)
        .where(Page.id == page.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def render(text: str) -> markup.Rendered:
    """Render Markdown to sanitised HTML; wiki links are coloured when the page is shown."""
    return markup.render_markdown(
        text,
        page_exists=lambda slug: True,
        page_url=page_url,
        new_page_url=lambda title: page_url(markup.slugify(title)),
    )


def page_url(slug: str) -> str:
    """Return the address of the page at ``slug``.

    Built from the settings rather than the request, so pages saved from the command line
    or a background task link exactly as pages saved in the browser.
    """
    root = current_app.config["APPLICATION_ROOT"].rstrip("/")
    return f"{root}/wiki/{quote(slug, safe='/')}"


def _add_revision(
    page: Page,
    *,
    title: str,
    body: str,
    author: User | None,
    summary: str,
    kind: RevisionKind,
    parent: Revision | None,
) -> Revision:
    rendered = render(body)
    previous = page.current_revision
    revision = Revision(
        page=page,
        number=page.revision_count + 1,
        parent=parent,
        author=author,
        kind=kind,
        title=title,
        summary=(summary or "").strip()[:300],
        body=body,
        html=rendered.html,
        toc_html=rendered.toc_html,
        size=len(body.encode()),
        size_change=size_change(previous.body if previous else "", body),
    )
    db.session.add(revision)
    db.session.flush()
    page.current_revision = revision
    page.revision_count = revision.number
    page.title = title
    page.updated_at = revision.created_at or utcnow()
    _replace_links(page, body, rendered.links)
    db.session.flush()  # wiki.search indexes the new text as this flushes
    from wiki.live import services as live

    # People with the editor open hear about it at once (see pages.edited_since).
    live.publish(live.page_topic(page.id), "page-edited", {"revision": revision.number})
    return revision


def _replace_links(page: Page, body: str, slugs: frozenset[str]) -> None:
    titles = {}
    for match in markup.WIKILINK_RE.finditer(body):
        titles.setdefault(markup.slugify(match.group(1)), " ".join(match.group(1).split()))
    db.session.execute(delete(PageLink).where(PageLink.from_page_id == page.id))
    for slug in sorted(slugs):
        if slug != page.slug:
            db.session.add(
                PageLink(from_page_id=page.id, to_slug=slug, to_title=titles.get(slug, slug))
            )


def create_page(title: str, body: str, author: User, summary: str = "") -> SaveOutcome:
    """Create a page; if someone created it a moment ago, treat this as an edit of theirs."""
    title = clean_title(title)
    body = _check_body(body)
    slug = slug_for(title)
    existing = find_page(slug, include_deleted=True)
    if existing is not None:
        if existing.is_deleted:
            raise PageError("title", "A deleted page has this title; a facilitator can restore it.")
        return save_page(existing, title, body, author, summary, base_revision_id=None)
    page = Page(slug=slug, title=title)
    try:
        with db.session.begin_nested():
            db.session.add(page)
    except IntegrityError:
        existing = find_page(slug)
        return save_page(existing, title, body, author, summary, base_revision_id=None)
    revision = _add_revision(
        page,
        title=title,
        body=body,
        author=author,
        summary=summary or "Created the page",
        kind=RevisionKind.CREATE,
        parent=None,
    )
    return SaveOutcome("saved", page, revision)


def _check_body(body: str) -> str:
    body = normalise_text(body)
    if len(body) > MAX_BODY:
        raise PageError("body", f"The text is {len(body):,} characters; the limit is {MAX_BODY:,}.")
    return body


def can_edit(user: User | None, page: Page | None) -> bool:
    """Tell whether ``user`` may change ``page`` (or create it, when it is None)."""
    if user is None or not user.is_authenticated:
        return False
    if page is not None and page.protected:
        return user.is_facilitator
    if page is not None and page.is_discussion and page.discussion_of.protected:
        return True  # discussion stays open on a protected page
    return True


def save_page(
    page: Page,
    title: str,
    body: str,
    author: User,
    summary: str = "",
    *,
    base_revision_id: int | None,
    kind: RevisionKind = RevisionKind.EDIT,
) -> SaveOutcome:
    """Save a new revision if the page is still at ``base_revision_id``, else merge or refuse.

    The person's text is never dropped: a conflict returns it untouched in the outcome.
    """
    title = clean_title(title)
    ours = _check_body(body)
    page = _lock(page)
    current = page.current_revision
    status = "saved"
    if current is not None and base_revision_id != current.id:
        base = db.session.get(Revision, base_revision_id) if base_revision_id else None
        if base is not None and base.page_id != page.id:
            base = None
        result = merge3(base.body if base else "", ours, current.body)
        if result.conflict:
            return SaveOutcome("conflict", page, theirs=current, ours=body)
        ours = result.text
        status = "merged"
        kind = RevisionKind.MERGE if kind == RevisionKind.EDIT else kind
    if current is not None and ours == current.body and title == current.title:
        return SaveOutcome("unchanged", page, current)
    revision = _add_revision(
        page,
        title=title,
        body=ours,
        author=author,
        summary=summary,
        kind=kind,
        parent=current,
    )
    return SaveOutcome(status, page, revision)


def revert_to(page: Page, revision: Revision, author: User) -> SaveOutcome:
    """Make an old revision's text the newest, as a new revision."""
    if revision.hidden and not author.is_facilitator:
        raise PageError("revision", "That revision's text is hidden.")
    return save_page(
        page,
        page.title,
        revision.body,
        author,
        f"Reverted to revision {revision.number}",
        base_revision_id=page.current_revision_id,
        kind=RevisionKind.REVERT,
    )


def tick_task(
    page: Page, index: int, checked: bool, author: User, base_revision_id: int
) -> SaveOutcome:
    """Tick or untick the ``index``-th task on the page, as a revision by ``author``.

    A ticked task gets the ticker's name ("— ticked by Priya"): ticking says "I take this on",
    and on a phone nobody should have to open the editor to say who; unticking takes it off.
    """
    base = db.session.get(Revision, base_revision_id)
    if base is None or base.page_id != page.id:
        raise PageError("task", "That version of the page no longer exists.")
    try:
        body = markup.toggle_task(base.body, index, checked, by=author.display_name)
    except IndexError:
        raise PageError("task", "That task is not on the page any more.") from None
    label = _task_label(base.body, index)
    summary = f"{'Ticked' if checked else 'Unticked'}: {label}" if label else "Updated a task"
    return save_page(
        page, page.title, body, author, summary, base_revision_id=base.id, kind=RevisionKind.TICK
    )


def _task_label(body: str, index: int) -> str:
    labels = markup.task_labels(body)
    return labels[index][:120] if index < len(labels) else ""


def preview_html(text: str) -> Markup:
    """Render text as it will look once saved, with links coloured as they are now."""
    rendered = render(normalise_text(text))
    existing = set(
        db.session.scalars(
            select(Page.slug).where(Page.slug.in_(rendered.links), Page.deleted_at.is_(None))
        )
    )
    missing = {page_url(slug) for slug in rendered.links - existing}
    return Markup(rendered.toc_html + display.mark_red_links(rendered.html, missing))


def rename_page(page: Page, new_title: str, author: User) -> Page:
    """Give a page a new title and slug, leaving a redirect at the old slug."""
    new_title = clean_title(new_title)
    new_slug = slug_for(new_title)
    if page.is_discussion:
        raise PageError("title", "Rename the page itself; its discussion follows.")
    if new_slug != page.slug:
        taken = find_page(new_slug, include_deleted=True)
        alias = db.session.get(PageAlias, new_slug)
        if taken is not None:
            raise PageError("title", f"A page called “{taken.title}” already exists.")
        if alias is not None:
            db.session.delete(alias)
        db.session.add(PageAlias(slug=page.slug, page_id=page.id))
        talk = discussion_page(page)
        page.slug = new_slug
        if talk is not None:
            talk.slug = TALK_PREFIX + new_slug
        db.session.flush()
    old_title = page.title
    current = page.current_revision
    _add_revision(
        page,
        title=new_title,
        body=current.body if current else "",
        author=author,
        summary=f"Renamed from “{old_title}”",
        kind=RevisionKind.RENAME,
        parent=current,
    )
    return page


def delete_page(page: Page, by: User) -> None:
    """Hide a page from everyone but facilitators; its history is kept."""
    page.deleted_at = utcnow()


def delete_consequences(page: Page) -> list[str]:
    """Say what deleting ``page`` does, before it is done."""
    linking = db.session.scalar(
        select(func.count()).select_from(backlinks(page.slug).where(Page.id != page.id).subquery())
    )
    said = [
        f"“{page.title}” disappears for everyone but facilitators: people who open it are "
        "told it was deleted, and search no longer finds it."
    ]
    if linking:
        said.append(
            f"{plural(linking, 'other page')} {'links' if linking == 1 else 'link'} to it; "
            f"{'that link leads' if linking == 1 else 'those links lead'} nowhere until it is "
            "restored."
        )
    said.append("Its history is kept, and a facilitator can restore it.")
    return said


def restore_page(page: Page, by: User) -> None:
    """Bring a deleted page back."""
    page.deleted_at = None


def set_protected(page: Page, protected: bool) -> None:
    """Let only facilitators edit the page, or everyone again."""
    page.protected = protected


def hide_revision(revision: Revision, by: User, reason: str) -> None:
    """Hide an abusive revision's text from the public; the database keeps it."""
    revision.hidden = True
    revision.hidden_by_id = by.id
    revision.hidden_reason = reason.strip()[:300] or "Hidden by a facilitator"


def unhide_revision(revision: Revision) -> None:
    """Show a hidden revision's text again."""
    revision.hidden = False
    revision.hidden_by_id = None
    revision.hidden_reason = ""


def discussion_page(page: Page) -> Page | None:
    """Return the discussion page of ``page``, if anyone has started it."""
    return db.session.scalar(select(Page).where(Page.discussion_of_id == page.id))


def start_discussion(page: Page, body: str, author: User, summary: str = "") -> SaveOutcome:
    """Create the discussion page of ``page`` with its first words."""
    talk = Page(slug=TALK_PREFIX + page.slug, title=f"Discussion: {page.title}", discussion_of=page)
    try:
        with db.session.begin_nested():
            db.session.add(talk)
    except IntegrityError:
        talk = discussion_page(page)
        return save_page(talk, talk.title, body, author, summary, base_revision_id=None)
    revision = _add_revision(
        talk,
        title=talk.title,
        body=_check_body(body),
        author=author,
        summary=summary or "Started the discussion",
        kind=RevisionKind.CREATE,
        parent=None,
    )
    return SaveOutcome("saved", talk, revision)


def revisions_since(page: Page, revision_id: int, exclude_author: User | None = None):
    """Return a query of the page's revisions saved after ``revision_id``, oldest first."""
    query = select(Revision).where(Revision.page_id == page.id, Revision.id > revision_id)
    if exclude_author is not None:
        query = query.where(
            (Revision.author_id != exclude_author.id) | Revision.author_id.is_(None)
        )
    return query.order_by(Revision.number)


def missing_link_slugs(page: Page) -> set[str]:
    """Return the slugs this page links to that have no page (its red links)."""
    rows = db.session.scalars(
        select(PageLink.to_slug).where(
            PageLink.from_page_id == page.id,
            ~exists().where(Page.slug == PageLink.to_slug, Page.deleted_at.is_(None)),
        )
    )
    return set(rows)


def backlinks(slug: str):
    """Return a query of live pages that link to ``slug``."""
    return (
        select(Page)
        .join(PageLink, PageLink.from_page_id == Page.id)
        .where(PageLink.to_slug == slug, Page.deleted_at.is_(None))
        .order_by(func.lower(Page.title))
    )


def suggested_title(slug: str) -> str:
    """Return the title people used when linking to a page that does not exist yet."""
    title = db.session.scalar(select(PageLink.to_title).where(PageLink.to_slug == slug).limit(1))
    return title or slug.replace("-", " ").capitalize()
