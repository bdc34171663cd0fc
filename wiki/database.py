"""The database: one engine per app, one SQLAlchemy session per thread of work."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from time import monotonic

from flask import Flask, current_app, has_app_context, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# How long a write waits for SQLite's one write lock before it fails.
SQLITE_WRITE_WAIT_SECONDS = 30


class UTCDateTime(TypeDecorator):
    """Store aware UTC datetimes; SQLite forgets the zone, so put it back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


class _AppSession(Session):
    """A session that talks to the engine of whichever app is current."""

    def get_bind(self, mapper=None, clause=None, **kwargs):
        if has_app_context():
            return current_app.extensions["campwiki.db"]
        return super().get_bind(mapper=mapper, clause=clause, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take over transaction control from pysqlite so BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_WRITE_WAIT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A request that may write takes the write lock up front. A deferred transaction
        # that reads first and writes later fails with SQLITE_BUSY under WAL instead of
        # waiting its turn, and rules checked by reading (budgets, base revisions) would
        # race. Reads stay concurrent.
        if has_request_context() and request.method in WRITE_METHODS:
            _begin_immediate(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(dbapi_connection) -> None:
    """Take SQLite's write lock, waiting for it with ``time.sleep``.

    SQLite's own busy handler waits in C, and under gevent that stalls every greenlet of
    the worker (its open live streams included) while another worker writes; a sleep in
    Python yields to them.
    """
    deadline = monotonic() + SQLITE_WRITE_WAIT_SECONDS
    delay = 0.0005
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.01)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_WRITE_WAIT_SECONDS * 1000}")


def make_engine(url: str) -> Engine:
    """Create an engine with the settings campwiki relies on for this kind of database."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_WRITE_WAIT_SECONDS, "check_same_thread": False}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Bind models to each app's engine; commit once per successful request."""

    Model = Base

    def __init__(self) -> None:
        self.session = scoped_session(sessionmaker(class_=_AppSession, expire_on_commit=False))

    def init_app(self, app: Flask) -> None:
        """Create the app's engine and tie the session to the request cycle."""
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["campwiki.db"] = engine

        @app.after_request
        def commit(response):
            # Reads never write, so they skip the commit; the teardown ends their transaction.
            if response.status_code < 400 and request.method in WRITE_METHODS:
                self.session.commit()
            return response

        @app.teardown_appcontext
        def remove(_exc):
            self.session.remove()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["campwiki.db"]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the work done so far is really committed.

    Releasing a savepoint is not that: SQLAlchemy reports it as a commit, but the outer
    transaction may still roll back. The callback is forgotten when the transaction, or
    the savepoint it was registered in, rolls back.
    """
    session.connection()  # begins the transaction if nothing has yet
    within = session.get_nested_transaction() or session.get_transaction()
    # Listeners cannot be removed while SQLAlchemy calls them; they go with the session,
    # which lasts one request.
    done = False

    def committed(_session: Session) -> None:
        nonlocal done
        if done or session.in_nested_transaction():
            return
        done = True
        callback()

    def rolled_back(_session: Session, previous) -> None:
        nonlocal done
        transaction = within
        while transaction is not None and not done:
            if transaction is previous:
                done = True
            transaction = transaction.parent

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)
