"""Full-text search over page titles and bodies: SQLite FTS5 or PostgreSQL's text search.

The index tables are made by migrations, not models (neither has a portable form), and
kept in step by the page services in the same transaction as each save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import text

from wiki.extensions import db
from wiki.pages.models import Page

START, STOP = "\x02", "\x03"
TERM_RE = re.compile(r"\w[\w'-]*", re.UNICODE)
INDEX_TABLES = frozenset({"page_search"})


@dataclass(frozen=True)
class Hit:
    page: Page
    title: Markup
    snippet: Markup
    rank: float


def index_page(page: Page, body: str) -> None:
    """Put the page's current title and text in the index, replacing what was there."""
    unindex_page(page)
    if page.is_deleted:
        return
    if db.is_sqlite:
        sql = "INSERT INTO page_search (rowid, title, body) VALUES (:id, :title, :body)"
    else:
        sql = "INSERT INTO page_search (page_id, title, body) VALUES (:id, :title, :body)"
    db.session.execute(text(sql), {"id": page.id, "title": page.title, "body": body})


def unindex_page(page: Page) -> None:
    """Take the page out of the index."""
    column = "rowid" if db.is_sqlite else "page_id"
    db.session.execute(text(f"DELETE FROM page_search WHERE {column} = :id"), {"id": page.id})


def _fts5_query(query: str) -> str:
    # Quote every word so nothing a person types is read as FTS5 syntax; the last word
    # matches as a prefix, which is what search-as-you-type expects.
    terms = TERM_RE.findall(query)
    if not terms:
        return ""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(query: str, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Return pages matching ``query``, best first, with highlighted snippets."""
    query = query.strip()[:200]
    if not query:
        return []
    if db.is_sqlite:
        match = _fts5_query(query)
        if not match:
            return []
        rows = db.session.execute(
            text(
                "SELECT rowid AS id, bm25(page_search, 10.0, 1.0) AS rank, "
                "highlight(page_search, 0, char(2), char(3)) AS title, "
                "snippet(page_search, 1, char(2), char(3), '…', 24) AS snippet "
                "FROM page_search WHERE page_search MATCH :q ORDER BY rank LIMIT :n OFFSET :o"
            ),
            {"q": match, "n": limit, "o": offset},
        ).all()
        scored = [(row.id, -row.rank, row.title, row.snippet) for row in rows]
    else:
        rows = db.session.execute(
            text(
                "SELECT page_id AS id, ts_rank(document, q) AS rank, "
                "ts_headline('english', title, q, 'StartSel=\x02, StopSel=\x03, "
                "HighlightAll=true') AS title, "
                "ts_headline('english', body, q, 'StartSel=\x02, StopSel=\x03, "
                'MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "\') AS snippet '
                "FROM page_search, websearch_to_tsquery('english', :q) AS q "
                "WHERE document @@ q ORDER BY rank DESC, page_id LIMIT :n OFFSET :o"
            ),
            {"q": query, "n": limit, "o": offset},
        ).all()
        scored = [(row.id, row.rank, row.title, row.snippet) for row in rows]
    pages = {p.id: p for p in db.session.query(Page).filter(Page.id.in_([s[0] for s in scored]))}
    return [
        Hit(pages[pid], highlight(title), highlight(snippet), rank)
        for pid, rank, title, snippet in scored
        if pid in pages and not pages[pid].is_deleted
    ]


def highlight(marked: str) -> Markup:
    """Escape the text, then turn the index's match markers into <mark> elements."""
    escaped = str(escape(marked))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
