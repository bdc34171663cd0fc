"""Ways to find pages: recent changes, A to Z, wanted pages, a person's contributions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flask import url_for
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload

from wiki.exports import atom
from wiki.pages.models import Page, PageLink, Revision
from wiki.words import noun

# What the feed says changed last when nothing has changed yet.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recent_changes() -> Select:
    """Return a query of revisions of live pages, newest first."""
    return (
        select(Revision)
        .join(Revision.page)
        .where(Page.deleted_at.is_(None))
        .options(joinedload(Revision.page), joinedload(Revision.author))
        .order_by(Revision.created_at.desc(), Revision.id.desc())
    )


def _change_entry(rev: Revision) -> atom.Entry:
    slug = rev.page.slug
    if rev.number > 1:
        link = url_for(
            "pages.diff", slug=slug, _external=True, **{"from": rev.number - 1, "to": rev.number}
        )
    else:
        link = url_for("pages.revision", slug=slug, number=rev.number, _external=True)
    size = f"{rev.size_change:+d} {noun(abs(rev.size_change), 'byte')}"
    about = f": {rev.summary}" if rev.summary else ""
    return atom.Entry(
        id=url_for("pages.revision", slug=slug, number=rev.number, _external=True),
        title=f"{rev.page.title}{about}",
        link=link,
        updated=rev.created_at,
        author=rev.author.display_name if rev.author else "A former account",
        summary=f"Revision {rev.number} ({size}){about}",
    )


def recent_feed(changes: Sequence[Revision], site_name: str) -> bytes:
    """Return recent changes (newest first) as an Atom feed."""
    recent = url_for("pages.recent", _external=True)
    return atom.feed(
        atom.Feed(
            id=recent,
            title=f"{site_name}: recent changes",
            subtitle=f"The latest edits to every page of {site_name}",
            self_url=url_for("pages.recent_feed", _external=True),
            alternate_url=recent,
            updated=changes[0].created_at if changes else EPOCH,
            entries=[_change_entry(rev) for rev in changes],
        )
    )


def by_initial(pages: list[Page]) -> list[tuple[str, list[Page]]]:
    """Group pages (already in title order) under their first letter; others under "#"."""
    groups: dict[str, list[Page]] = {}
    for page in pages:
        first = page.title[:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(page)
    return sorted(groups.items(), key=lambda item: (item[0] == "#", item[0]))


def all_pages() -> Select:
    """Return a query of live pages (not discussions), A to Z."""
    return (
        select(Page)
        .where(Page.deleted_at.is_(None), Page.discussion_of_id.is_(None))
        .order_by(func.lower(Page.title))
    )


def wanted_pages() -> Select:
    """Return (slug, title, number of pages linking) for links to pages that do not exist."""
    return (
        select(PageLink.to_slug, func.min(PageLink.to_title), func.count().label("links"))
        .join(Page, Page.id == PageLink.from_page_id)
        .where(
            Page.deleted_at.is_(None),
            ~exists()
            .where(Page.slug == PageLink.to_slug, Page.deleted_at.is_(None))
            .correlate(PageLink),
        )
        .group_by(PageLink.to_slug)
        .order_by(func.count().desc(), PageLink.to_slug)
    )


def contributions(user_id: int) -> Select:
    """Return a query of the revisions a person saved, newest first."""
    return (
        select(Revision)
        .join(Revision.page)
        .where(Revision.author_id == user_id, Page.deleted_at.is_(None))
        .options(joinedload(Revision.page))
        .order_by(Revision.created_at.desc(), Revision.id.desc())
    )
