"""Publish live events inside the transaction of the change they announce."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Text, cast, delete, func, insert, select
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement

from wiki.database import utcnow
from wiki.extensions import db
from wiki.live.models import LiveEvent

# PostgreSQL channel the hubs LISTEN on; the payload is the new row's id.
CHANNEL = "campwiki_live"
# Key of the transaction-level advisory lock that orders publishing transactions
# (any constant; the bytes spell "cmpwlive").
PUBLISH_LOCK_KEY = 0x636D70776C697665

Data = dict | list | str

_table = LiveEvent.__table__
# Where a session keeps the live events it will write at commit (PostgreSQL).
PENDING_KEY = "campwiki.live.pending"

# Every topic is named here: "<kind>:<id>", at most TOPIC_LENGTH characters.
TOPIC_RE = re.compile(r"[a-z][a-z0-9_-]*:[A-Za-z0-9_-]+")
TOPIC_LENGTH = 80
# Event names end up in `event:` lines and in htmx triggers such as `sse:dots-changed`.
KIND_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def event_topic(event_id: int) -> str:
    """Return the topic of everything that changes on an event's pages."""
    return f"event:{int(event_id)}"


def page_topic(page_id: int) -> str:
    """Return the topic of a wiki page."""
    return f"page:{int(page_id)}"


def check_topic(topic: str) -> None:
    """Raise ValueError unless ``topic`` is a well-formed topic name."""
    if len(topic) > TOPIC_LENGTH or not TOPIC_RE.fullmatch(topic):
        raise ValueError(f"not a live topic: {topic!r}")


def encode_data(data: Data) -> str:
    """Return the text sent as the event's data: a string as it is, anything else as JSON."""
    if isinstance(data, str):
        return data
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass
class Published:
    """A live event recorded in this transaction; ``id`` is known once it is written."""

    topic: str
    kind: str
    data: str | ColumnElement
    id: int | None = None


def publish(topic: str, kind: str, data: Data | ColumnElement = "") -> Published:
    """Record a live event in the current transaction; subscribers see it once it commits.

    Ids must become visible in id order, so that a reader that has seen id N never later
    finds a smaller one. On SQLite the transaction already holds the one write lock and the
    row is written at once. On PostgreSQL sequence values are handed out before commit (two
    publishers could commit ids 11 then 10), so publishing transactions take one lock in
    turn; the rows are written at commit, in the same round trip as the lock and the COMMIT,
    so the lock is held for microseconds rather than while a busy worker gets round to
    sending the next statement (see ``_write_at_commit``). Until then ``id`` is None.

    ``data`` that is a string is sent verbatim (an HTML fragment for ``sse-swap``); a SQL
    expression is evaluated by the INSERT itself, after every earlier publisher has
    committed, so a value it reads (a tally) includes their changes: two people voting at
    once never both announce the same stale total. Anything else is sent as compact JSON.
    """
    check_topic(topic)
    if len(kind) > 40 or not KIND_RE.fullmatch(kind):
        raise ValueError(f"not a live event kind: {kind!r}")
    if not isinstance(data, ColumnElement):
        data = encode_data(data)
    event = Published(topic, kind, data)
    session = db.session()
    if db.engine.dialect.name != "postgresql":
        event.id = session.execute(_insert(event, created_at=utcnow())).scalar_one()
        return event
    session.connection()  # begins the transaction if nothing has yet
    within = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING_KEY, []).append((within, event))
    return event


def _insert(event: Published, created_at) -> Insert:
    return (
        insert(_table)
        .values(topic=event.topic, kind=event.kind, data=event.data, created_at=created_at)
        .returning(_table.c.id)
    )


@listens_for(Session, "before_commit")
def _write_at_commit(session: Session) -> None:
    """Write the transaction's live events, take the lock and commit, in one round trip.

    psycopg's pipeline mode sends the lock, the INSERTs (each also sending its NOTIFY,
    which listeners get only on commit) and the COMMIT without waiting for answers. The
    INSERTs are separate statements from the lock because in READ COMMITTED a statement
    reads from a snapshot taken when it starts, and theirs must include every earlier
    publisher's commit. SQLAlchemy's own COMMIT then finds no transaction left: psycopg
    skips it.
    """
    if session.in_nested_transaction() or not session.info.get(PENDING_KEY):
        return
    session.flush()  # the transaction's own changes go first
    events = [event for _within, event in session.info.pop(PENDING_KEY)]
    connection = session.connection()
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    cursors = []
    with driver.pipeline():
        driver.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_KEY])
        for event in events:
            written = _insert(event, created_at=func.now()).cte("published")
            compiled = select(
                written.c.id, func.pg_notify(CHANNEL, cast(written.c.id, Text))
            ).compile(dialect=dialect)
            cursors.append(driver.execute(str(compiled), compiled.params))
        driver.commit()
    for event, cursor in zip(events, cursors, strict=True):
        event.id = cursor.fetchone()[0]


@listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction) -> None:
    """Drop whatever is left when the outermost transaction ends without committing.

    A rollback is handled below; this also covers a session closed without one.
    """
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


@listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous) -> None:
    """Drop the events recorded inside a transaction or savepoint that rolled back."""
    pending = session.info.get(PENDING_KEY)
    if not pending:
        return

    def undone(within) -> bool:
        while within is not None:
            if within is previous:
                return True
            within = within.parent
        return False

    session.info[PENDING_KEY] = [(w, e) for w, e in pending if not undone(w)]


def events_since(topic: str, last_id: int, limit: int = 1000) -> list[LiveEvent]:
    """Return the topic's events after ``last_id``, oldest first, at most ``limit``."""
    query = (
        select(LiveEvent)
        .where(LiveEvent.topic == topic, LiveEvent.id > last_id)
        .order_by(LiveEvent.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def latest_id() -> int:
    """Return the id of the newest live event of any topic, 0 if there is none."""
    return db.session.scalar(select(func.max(LiveEvent.id))) or 0


def prune(older_than: timedelta) -> int:
    """Delete live events older than ``older_than``; return how many went.

    A browser that resumes from a pruned id is sent a ``reset`` event instead of a replay.
    """
    result = db.session.execute(
        delete(LiveEvent).where(LiveEvent.created_at < utcnow() - older_than)
    )
    return result.rowcount
