"""Rate-limit counters in the app's own database, shared by every worker and host.

Flask-Limiter keeps its counters wherever ``RATELIMIT_STORAGE_URI`` points. ``memory://``
counts per process, so with two gunicorn workers an attacker gets twice the allowance (and
more with more hosts). ``database://``, the default, keeps them in the ``rate_limits`` table:
nothing to install on a fresh machine, and every process that shares the database shares
the counts. ``redis://...`` stays an option for large sites.

Each hit is one atomic statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) on its
own connection, committed at once: a counter must survive the request rolling back (a
wrong password answers 422 and commits nothing), and must never wait on the request's own
transaction. So limits are checked before a request touches the database (key functions
read the request and the signed session cookie, never the database), and a refund for a
request that turned out fine is made after its commit (``refund_after_commit``).

The strategy is the fixed window (Flask-Limiter's default).
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app, has_app_context, has_request_context, request, session
from flask_limiter.util import get_remote_address
from flask_login.utils import decode_cookie
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from wiki.database import WRITE_METHODS, Base, on_commit
from wiki.extensions import db, limiter

# Keys longer than this (a key function may quote what a person typed) are stored hashed.
MAX_KEY_LENGTH = 200
# How often one process deletes counters whose window has passed.
PRUNE_EVERY_SECONDS = 300.0


class RateLimitCounter(Base):
    """How many hits one limit's key has had in its current window, and when it ends."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the limits library counts.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


def _stored_key(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _now() -> float:
    return time.time()


class DatabaseStorage(Storage):
    """A ``limits`` storage on the current app's database (``database://``)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._pruned_at = _now()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @staticmethod
    def _engine():
        # One Limiter serves every app in the process (the tests make many): the storage
        # follows whichever app is current instead of holding an engine.
        return db.engine

    def _connect(self):
        engine = self._engine()
        if engine.dialect.name == "sqlite" and has_request_context() and _request_holds_lock():
            # The request's transaction holds SQLite's one write lock; waiting for it here
            # would wait for ourselves.
            raise RuntimeError(
                "A rate limit was counted after the request began its database transaction; "
                "limit key functions must not query the database (see wiki.ratelimit)."
            )
        if engine.dialect.name == "postgresql":
            return engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return engine.connect()

    def _insert(self, engine):
        return pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's count, starting a new window if the last one ended."""
        now = _now()
        engine = self._engine()
        table = RateLimitCounter.__table__
        insert = self._insert(engine)(table).values(
            key=_stored_key(key), hits=amount, expires_at=now + expiry
        )
        ended = table.c.expires_at <= now
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((ended, insert.excluded.hits), else_=table.c.hits + amount),
                "expires_at": case((ended, insert.excluded.expires_at), else_=table.c.expires_at),
            },
        ).returning(table.c.hits)
        with self._connect() as connection:
            hits = connection.execute(statement).scalar_one()
            connection.commit()
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            self.prune()
        return hits

    def decr(self, key: str, amount: int = 1) -> int:
        """Take ``amount`` back from the key's count in its current window."""
        table = RateLimitCounter.__table__
        now = _now()
        statement = (
            table.update()
            .where(table.c.key == _stored_key(key), table.c.expires_at > now)
            .values(hits=case((table.c.hits > amount, table.c.hits - amount), else_=0))
            .returning(table.c.hits)
        )
        with self._connect() as connection:
            hits = connection.execute(statement).scalar()
            connection.commit()
        return hits or 0

    def _row(self, key: str):
        table = RateLimitCounter.__table__
        with self._connect() as connection:
            return connection.execute(
                select(table.c.hits, table.c.expires_at).where(
                    table.c.key == _stored_key(key), table.c.expires_at > _now()
                )
            ).first()

    def get(self, key: str) -> int:
        """Return the key's count in its current window."""
        row = self._row(key)
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        """Return when the key's current window ends (now, if it has none)."""
        row = self._row(key)
        return row.expires_at if row else _now()

    def check(self) -> bool:
        """Tell whether the database answers."""
        if not has_app_context():
            return False
        try:
            with self._connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        with self._connect() as connection:
            removed = connection.execute(delete(RateLimitCounter.__table__)).rowcount
            connection.commit()
        return removed

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        table = RateLimitCounter.__table__
        with self._connect() as connection:
            connection.execute(delete(table).where(table.c.key == _stored_key(key)))
            connection.commit()

    def prune(self) -> int:
        """Delete counters whose window has ended; return how many."""
        table = RateLimitCounter.__table__
        with self._connect() as connection:
            removed = connection.execute(delete(table).where(table.c.expires_at <= _now())).rowcount
            connection.commit()
        return removed


def _request_holds_lock() -> bool:
    # A write request's transaction takes SQLite's write lock with its first statement.
    if request.method not in WRITE_METHODS or not db.session.registry.has():
        return False
    transaction = db.session().get_transaction()
    return bool(
        transaction and transaction.is_active and getattr(transaction, "_connections", None)
    )


def account_key() -> str:
    """Key a limit by the logged-in account, from the signed cookies alone (no query).

    Falls back to the client's address when the request carries no login.
    """
    user_id = session.get("_user_id")
    if not user_id:
        name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        user_id = decode_cookie(request.cookies.get(name, ""))
    ident = (user_id or "").partition(":")[0]
    return f"account:{ident}" if ident.isascii() and ident.isdigit() else get_remote_address()


def refund_after_commit() -> None:
    """Give back this request's hits on its limits once its transaction has committed.

    For limits that count only failures (wrong passwords): each attempt is counted up
    front, atomically, so parallel guesses cannot all slip past a check, and a success
    takes its hit back.
    """
    spent = [(item.key, item.limit.get_expiry()) for item in limiter.current_limits]
    storage = limiter.storage

    def refund() -> None:
        for key, expiry in spent:
            if hasattr(storage, "decr"):
                storage.decr(key, 1)
            else:  # Redis: INCRBY -1
                storage.incr(key, expiry, -1)

    on_commit(db.session(), refund)
