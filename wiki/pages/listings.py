"""Ways to find pages: recent changes, A to Z, wanted pages, a person's contributions."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload

from wiki.pages.models import Page, PageLink, Revision


def recent_changes() -> Select:
    """Return a query of revisions of live pages, newest first."""
    return (
        select(Revision)
        .join(Revision.page)
        .where(Page.deleted_at.is_(None))
        .options(joinedload(Revision.page), joinedload(Revision.author))
        .order_by(Revision.created_at.desc(), Revision.id.desc())
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
