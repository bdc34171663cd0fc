"""Site search: pages, sessions (pitches), comments and announcements in one ranked list.

One full-text index holds the plain text of each (SQLite FTS5, or PostgreSQL's tsvector
with a GIN index); the index tables are made by migrations, not models, as neither has a
portable form. It is kept in step by a flush listener, so every save of an indexed field,
from any service, reindexes in the same transaction.

What may be seen is decided when searching, not when indexing: a hidden comment, a
declined or merged session, a deleted page or a hidden announcement stays in the index but
no query returns it, so hiding and showing again need no reindexing and cannot be missed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from wiki.events.models import Announcement, Event
from wiki.extensions import db
from wiki.pages.models import Page, Revision
from wiki.pitches.models import Comment, Pitch, PitchStatus
from wiki.sanitize import plain_text

START, STOP = "\x02", "\x03"
TERM_RE = re.compile(r"\w[\w'-]*", re.UNICODE)
INDEX_TABLE = "search_index"
# On SQLite an item's row is ``id * len(KINDS) + KINDS.index(kind)``: one rowid lookup.
KINDS = ("page", "pitch", "comment", "announcement")
LABELS = {"page": "Page", "pitch": "Session", "comment": "Comment", "announcement": "Announcement"}

# Which indexed rows a searcher may see, per kind; ``{id}`` is the row's item id.
_VISIBLE = {
    "page": "EXISTS (SELECT 1 FROM pages v WHERE v.id = {id} AND v.deleted_at IS NULL)",
    "pitch": f"EXISTS (SELECT 1 FROM pitches v WHERE v.id = {{id}} "
    f"AND v.status = '{PitchStatus.ACTIVE}')",
    "comment": "EXISTS (SELECT 1 FROM pitch_comments v JOIN pitches w ON w.id = v.pitch_id "
    f"WHERE v.id = {{id}} AND v.hidden = false AND w.status = '{PitchStatus.ACTIVE}')",
    "announcement": "EXISTS (SELECT 1 FROM announcements v WHERE v.id = {id} AND v.hidden = false)",
}


@dataclass(frozen=True)
class Hit:
    kind: str
    url: str
    title: Markup
    snippet: Markup
    # Where it belongs, in plain words: the session a comment is on, the event.
    context: str
    rank: float

    @property
    def label(self) -> str:
        return LABELS[self.kind]


_KIND_OF = {Page: "page", Pitch: "pitch", Comment: "comment", Announcement: "announcement"}


def _title_and_text(session: Session, item) -> tuple[str, str]:
    """Return the title and plain text to index for a page, pitch, comment or announcement."""
    if isinstance(item, Page):
        # The revision is in this session already: no query while flushing.
        revision = session.get(Revision, item.current_revision_id)
        return item.title, plain_text(revision.html) if revision else ""
    if isinstance(item, Pitch):
        return item.title, f"{plain_text(item.summary_html)} {' '.join(item.tag_list)}".strip()
    if isinstance(item, Comment):
        return "", plain_text(item.body_html)
    return item.title, plain_text(item.body_html)


_INDEXED_FIELDS = {
    Page: ("title", "current_revision_id"),
    Pitch: ("title", "summary_html", "tags"),
    Comment: ("body_html",),
    Announcement: ("title", "body_html"),
}


def index(connection, kind: str, item_id: int, title: str, body: str) -> None:
    """Put one item's title and text in the index, replacing what was there."""
    if connection.dialect.name == "sqlite":
        rowid = item_id * len(KINDS) + KINDS.index(kind)
        connection.execute(text("DELETE FROM search_index WHERE rowid = :r"), {"r": rowid})
        connection.execute(
            text("INSERT INTO search_index (rowid, title, body) VALUES (:r, :t, :b)"),
            {"r": rowid, "t": title, "b": body},
        )
    else:
        connection.execute(
            text(
                "INSERT INTO search_index (kind, item_id, title, body) VALUES (:k, :i, :t, :b) "
                "ON CONFLICT (kind, item_id) DO UPDATE SET title = excluded.title, "
                "body = excluded.body"
            ),
            {"k": kind, "i": item_id, "t": title, "b": body},
        )


def unindex(connection, kind: str, item_id: int) -> None:
    """Take one item out of the index."""
    if connection.dialect.name == "sqlite":
        rowid = item_id * len(KINDS) + KINDS.index(kind)
        connection.execute(text("DELETE FROM search_index WHERE rowid = :r"), {"r": rowid})
    else:
        connection.execute(
            text("DELETE FROM search_index WHERE kind = :k AND item_id = :i"),
            {"k": kind, "i": item_id},
        )


def _changed(item) -> bool:
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in _INDEXED_FIELDS[type(item)])


@event.listens_for(db.session, "after_flush")
def _reindex(session: Session, _context) -> None:
    """Reindex what this flush added or changed; unindex what it deleted."""
    tracked = tuple(_INDEXED_FIELDS)
    new = [item for item in session.new if isinstance(item, tracked)]
    dirty = [item for item in session.dirty if isinstance(item, tracked) and _changed(item)]
    gone = [item for item in session.deleted if isinstance(item, tracked)]
    if not (new or dirty or gone):
        return
    connection = session.connection()
    for item in new + dirty:
        if isinstance(item, Page) and item.current_revision_id is None:
            continue  # a page is saved before its first revision
        index(connection, _KIND_OF[type(item)], item.id, *_title_and_text(session, item))
    for item in gone:
        unindex(connection, _KIND_OF[type(item)], item.id)


def _fts5_query(query: str) -> str:
    # Quote every word so nothing a person types is read as FTS5 syntax; the last word
    # matches as a prefix, which is what search-as-you-type expects.
    terms = TERM_RE.findall(query)
    if not terms:
        return ""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def _visible(kind_sql: str, id_sql: str, kinds: dict[str, str]) -> str:
    return " OR ".join(
        f"({kind_sql} = {kinds[kind]} AND {rule.format(id=id_sql)})"
        for kind, rule in _VISIBLE.items()
    )


def _ranked(query: str, limit: int, offset: int) -> list[tuple[str, int, float, str, str]]:
    if db.is_sqlite:
        match = _fts5_query(query)
        if not match:
            return []
        n = len(KINDS)
        visible = _visible(
            f"search_index.rowid % {n}",
            f"search_index.rowid / {n}",
            {kind: str(code) for code, kind in enumerate(KINDS)},
        )
        rows = db.session.execute(
            text(
                f"SELECT rowid AS doc, bm25(search_index, 10.0, 1.0) AS rank, "
                "highlight(search_index, 0, char(2), char(3)) AS title, "
                "snippet(search_index, 1, char(2), char(3), '…', 24) AS snippet "
                f"FROM search_index WHERE search_index MATCH :q AND ({visible}) "
                "ORDER BY rank LIMIT :n OFFSET :o"
            ),
            {"q": match, "n": limit, "o": offset},
        ).all()
        return [
            (KINDS[row.doc % n], row.doc // n, -row.rank, row.title, row.snippet) for row in rows
        ]
    visible = _visible("s.kind", "s.item_id", {kind: f"'{kind}'" for kind in KINDS})
    rows = db.session.execute(
        text(
            "SELECT s.kind, s.item_id, ts_rank(s.document, q) AS rank, "
            "ts_headline('english', s.title, q, 'StartSel=\x02, StopSel=\x03, "
            "HighlightAll=true') AS title, "
            "ts_headline('english', s.body, q, 'StartSel=\x02, StopSel=\x03, "
            'MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "\') AS snippet '
            "FROM search_index s, websearch_to_tsquery('english', :q) AS q "
            f"WHERE s.document @@ q AND ({visible}) "
            "ORDER BY rank DESC, s.kind, s.item_id LIMIT :n OFFSET :o"
        ),
        {"q": query, "n": limit, "o": offset},
    ).all()
    return [(row.kind, row.item_id, row.rank, row.title, row.snippet) for row in rows]


def search(query: str, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Return what matches ``query`` and everyone may see, best first, with snippets."""
    query = query.strip()[:200]
    if not query:
        return []
    ranked = _ranked(query, limit, offset)
    wanted: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for kind, item_id, *_ in ranked:
        wanted[kind].append(item_id)
    places = _places(wanted)
    hits = []
    for kind, item_id, rank, title, snippet in ranked:
        place = places.get((kind, item_id))
        if place is None:
            continue
        url, plain_title, context = place
        shown = highlight(title) if title else escape(plain_title)
        hits.append(Hit(kind, url, Markup(shown), highlight(snippet), context, rank))
    return hits


def _places(wanted: dict[str, list[int]]) -> dict[tuple[str, int], tuple[str, str, str]]:
    """Return where each hit links to, its title when the index has none, and its context."""
    places = {}
    if wanted["page"]:
        for page in db.session.scalars(select(Page).where(Page.id.in_(wanted["page"]))):
            places["page", page.id] = (url_for("pages.view", slug=page.slug), page.title, "")
    if wanted["pitch"]:
        rows = db.session.execute(
            select(Pitch.id, Pitch.title, Event.slug, Event.name)
            .join(Event, Event.id == Pitch.event_id)
            .where(Pitch.id.in_(wanted["pitch"]))
        )
        for pitch_id, title, slug, name in rows:
            url = url_for("pitches.show", slug=slug, pitch_id=pitch_id)
            places["pitch", pitch_id] = (url, title, name)
    if wanted["comment"]:
        rows = db.session.execute(
            select(Comment.id, Pitch.id, Pitch.title, Event.slug, Event.name)
            .join(Pitch, Pitch.id == Comment.pitch_id)
            .join(Event, Event.id == Pitch.event_id)
            .where(Comment.id.in_(wanted["comment"]))
        )
        for comment_id, pitch_id, title, slug, name in rows:
            url = url_for(
                "pitches.show", slug=slug, pitch_id=pitch_id, _anchor=f"comment-{comment_id}"
            )
            places["comment", comment_id] = (url, f"On “{title}”", name)
    if wanted["announcement"]:
        rows = db.session.execute(
            select(Announcement.id, Announcement.title, Event.slug, Event.name)
            .join(Event, Event.id == Announcement.event_id)
            .where(Announcement.id.in_(wanted["announcement"]))
        )
        for item_id, title, slug, name in rows:
            url = url_for("events.view", slug=slug, _anchor=f"announcement-{item_id}")
            places["announcement", item_id] = (url, title, name)
    return places


def highlight(marked: str) -> Markup:
    """Escape the text, then turn the index's match markers into <mark> elements."""
    escaped = str(escape(marked))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
