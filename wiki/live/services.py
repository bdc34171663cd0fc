"""Publish live events inside the transaction of the change they announce."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import Text, cast, delete, func, insert, select, text
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

TOPIC_RE = re.compile(r"[a-z][a-z0-9_-]*:[A-Za-z0-9_-]+")
# Event names end up in `event:` lines and in htmx triggers such as `sse:dots-changed`.
KIND_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def event_topic(event_id: int) -> str:
    """Return the topic of everything that changes on an event's pages."""
    return f"event:{int(event_id)}"


def page_topic(page_id: int) -> str:
    """Return the topic of a wiki page."""
    return f"page:{int(page_id)}"


def encode_data(data: Data) -> str:
    """Return the text sent as the event's data: a string as it is, anything else as JSON."""
    if isinstance(data, str):
        return data
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def publish(topic: str, kind: str, data: Data | ColumnElement = "") -> int:
    """Record a live event in the current transaction; return its id.

    Subscribers see it once the transaction commits. Call it as the last write of the
    transaction: on PostgreSQL publishing transactions take one lock in turn and hold it
    until they end, so ids become visible in id order and a reader that has seen id N never
    later finds a smaller one. Taking row locks after publishing, while holding it, invites
    deadlocks, and every statement after it makes every other publisher wait longer.

    ``data`` that is a string is sent verbatim (an HTML fragment for ``sse-swap``); a SQL
    expression is evaluated by the INSERT itself, after every earlier publisher has
    committed, so a value it reads (a tally) includes their changes: two people voting at
    once never both announce the same stale total. Anything else is sent as compact JSON.
    """
    if len(topic) > 80 or not TOPIC_RE.fullmatch(topic):
        raise ValueError(f"not a live topic: {topic!r}")
    if len(kind) > 40 or not KIND_RE.fullmatch(kind):
        raise ValueError(f"not a live event kind: {kind!r}")
    if not isinstance(data, ColumnElement):
        data = encode_data(data)
    statement = (
        insert(_table)
        .values(topic=topic, kind=kind, data=data, created_at=utcnow())
        .returning(_table.c.id)
    )
    session = db.session
    if db.engine.dialect.name != "postgresql":
        # On SQLite the transaction already holds the database's one write lock.
        return session.execute(statement).scalar_one()
    # Sequence values are handed out before commit, so two concurrent publishers could
    # commit ids 11 then 10; a hub that had read 11 would never look back for 10. The lock
    # is its own statement: in READ COMMITTED each statement reads from a snapshot taken
    # when it starts, and the INSERT's must include every earlier publisher's commit.
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK_KEY})
    # Delivered to listeners only when (and if) this transaction commits.
    published = statement.cte("published")
    return session.execute(
        select(published.c.id, func.pg_notify(CHANNEL, cast(published.c.id, Text)))
    ).scalar_one()


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
