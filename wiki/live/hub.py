"""One hub per server process: it reads new live events and fans them out to open streams.

The hub is plain threading. Under gunicorn's gevent workers the standard library is
monkey-patched before the app is imported, so the thread, its locks, queues and waits,
and psycopg's waits on the socket all become cooperative greenlets without any change.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from time import monotonic

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from wiki.live import sse
from wiki.live.models import LiveEvent
from wiki.live.services import CHANNEL

log = logging.getLogger(__name__)

EXTENSION_KEY = "campwiki.hub"
BATCH = 500
# How often a waiting hub looks up from its wait to notice stop() or idleness.
WAKE_SECONDS = 0.25

_table = LiveEvent.__table__


@dataclass(frozen=True, slots=True)
class Message:
    """A live event as the hub hands it out: encoded once, shared by every stream."""

    id: int
    topic: str
    kind: str
    frame: bytes


class Subscriber:
    """The mailbox of one open stream; the hub closes it when the stream falls behind.

    Each item is everything one read of the table brought for the topic, so a burst of a
    hundred votes fills one place, not a hundred: only a reader that missed ``maxsize``
    whole reads in a row is behind.
    """

    def __init__(self, topic: str, maxsize: int) -> None:
        self.topic = topic
        self.queue: queue.Queue[tuple[Message, ...] | None] = queue.Queue(maxsize)
        self.closed = False

    def receive(self, timeout: float) -> list[Message]:
        """Return every waiting message, waiting up to ``timeout`` for the first.

        Returns an empty list when the time passes, or when the mailbox is closed.
        """
        try:
            batch = self.queue.get(timeout=timeout)
        except queue.Empty:
            return []
        messages: list[Message] = []
        while batch is not None:  # None is the closing sentinel: nothing after it matters
            messages.extend(batch)
            try:
                batch = self.queue.get_nowait()
            except queue.Empty:
                break
        return messages

    def close(self) -> None:
        """Mark the mailbox closed and wake its reader if it is waiting."""
        self.closed = True
        try:
            self.queue.put_nowait(None)
        except queue.Full:
            pass  # the reader is not waiting: it sees `closed` after its next message


class Hub:
    """Watch the live_events table of one engine and deliver new rows to subscribers.

    PostgreSQL wakes the hub with LISTEN/NOTIFY (and a slow poll in case one is missed);
    SQLite is polled. Rows are read in id order after the last one seen, which misses
    nothing because ids become visible in id order (see ``services.publish``).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        poll_seconds: float = 0.15,
        batch_seconds: float = 0.05,
        fallback_seconds: float = 2.0,
        queue_size: int = 256,
        idle_seconds: float = 60.0,
    ) -> None:
        self.engine = engine
        self.listens = engine.dialect.name == "postgresql"
        self.poll_seconds = poll_seconds
        self.batch_seconds = batch_seconds
        self.fallback_seconds = fallback_seconds
        self.queue_size = queue_size
        self.idle_seconds = idle_seconds
        self.pid = os.getpid()
        self.last_seen = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._topics: dict[str, set[Subscriber]] = {}
        self._thread: threading.Thread | None = None
        self._stop: threading.Event | None = None
        self._idle_since: float | None = None
        self._fetched = False
        self._dispatched_at = float("-inf")

    @property
    def running(self) -> bool:
        return self._thread is not None

    def subscriber_count(self, topic: str | None = None) -> int:
        """Return how many streams are subscribed (to ``topic``, or to any topic)."""
        with self._lock:
            if topic is not None:
                return len(self._topics.get(topic, ()))
            return sum(len(subs) for subs in self._topics.values())

    def subscribe(self, topic: str) -> Subscriber:
        """Return a new mailbox for ``topic``; start the hub if it is not running.

        Every event that becomes visible after this call returns reaches the mailbox.
        """
        subscriber = Subscriber(topic, self.queue_size)
        with self._lock:
            if self._thread is None:
                self._start()
            self._topics.setdefault(topic, set()).add(subscriber)
            self._idle_since = None
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget ``subscriber``; safe to call more than once."""
        with self._lock:
            self._forget(subscriber)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the hub's thread and close every mailbox (their streams end)."""
        with self._lock:
            thread, stop = self._thread, self._stop
            self._thread = self._stop = None
            if stop is not None:
                stop.set()
            subscribers = [sub for subs in self._topics.values() for sub in subs]
            self._topics.clear()
        for subscriber in subscribers:
            subscriber.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _start(self) -> None:
        # Called with the lock held. Reading the high-water mark here, before the
        # subscriber is added, is what lets a stream replay from the database without a gap.
        with self.engine.connect() as connection:
            self.last_seen = connection.scalar(select(func.max(_table.c.id))) or 0
        self._stop = stop = threading.Event()
        self._idle_since = None
        self._thread = threading.Thread(
            target=self._run, args=(stop,), name="campwiki-live-hub", daemon=True
        )
        self._thread.start()

    def _forget(self, subscriber: Subscriber) -> None:
        subscribers = self._topics.get(subscriber.topic)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._topics[subscriber.topic]

    def _run(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            self._fetched = False
            try:
                if self.listens:
                    self._listen(stop)
                else:
                    self._poll(stop)
                return
            except Exception:
                # Keep serving: the database may be restarting. Streams stay open meanwhile.
                failures = 1 if self._fetched else failures + 1
                log.exception("live hub: reading live events failed; retrying")
                stop.wait(min(0.5 * 2**failures, 10.0))

    def _poll(self, stop: threading.Event) -> None:
        # The hub holds its own connection: waiting for one from the pool behind a crowd of
        # voters would hold back every stream, then flood them all at once.
        with self.engine.connect() as connection:
            while not stop.is_set() and not self._idle_exit(stop):
                self._fetch(connection, stop)
                stop.wait(self.poll_seconds)

    def _listen(self, stop: threading.Event) -> None:
        import psycopg

        cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)
        cparams.setdefault("connect_timeout", 5)
        with (
            psycopg.connect(*cargs, **cparams, autocommit=True) as listener,
            self.engine.connect() as connection,
        ):
            listener.execute(f"LISTEN {CHANNEL}")
            # Anything committed before LISTEN took effect was announced to nobody.
            self._fetch(connection, stop)
            next_poll = monotonic() + self.fallback_seconds
            while not stop.is_set() and not self._idle_exit(stop):
                woken = False
                wait = min(WAKE_SECONDS, next_poll - monotonic())
                if wait > 0:
                    for note in listener.notifies(timeout=wait):
                        # Notifies for rows already read (one fetch reads many) cost nothing.
                        if not note.payload.isdigit() or int(note.payload) > self.last_seen:
                            woken = True
                            break
                if woken or monotonic() >= next_poll:
                    # A message after a quiet spell goes out at once; while votes pour in,
                    # what arrives within batch_seconds goes out together, so each stream
                    # wakes and writes once for several messages instead of once for each.
                    settle = self._dispatched_at + self.batch_seconds - monotonic()
                    if settle > 0:
                        stop.wait(settle)
                    self._fetch(connection, stop)
                    next_poll = monotonic() + self.fallback_seconds

    def _idle_exit(self, stop: threading.Event) -> bool:
        """Return True (and retire this thread) once no one has subscribed for a while."""
        with self._lock:
            if self._stop is not stop:
                return True
            if self._topics:
                self._idle_since = None
                return False
            now = monotonic()
            if self._idle_since is None:
                self._idle_since = now
                return False
            if now - self._idle_since < self.idle_seconds:
                return False
            # The next subscriber starts a fresh thread from the then-current high-water mark.
            self._thread = self._stop = None
            return True

    def _fetch(self, connection: Connection, stop: threading.Event) -> None:
        while not stop.is_set():
            rows = connection.execute(
                select(_table.c.id, _table.c.topic, _table.c.kind, _table.c.data)
                .where(_table.c.id > self.last_seen)
                .order_by(_table.c.id)
                .limit(BATCH)
            ).all()
            # End the read so the next one sees what has committed since.
            connection.rollback()
            self._fetched = True
            if not rows:
                return
            self._dispatched_at = monotonic()
            self._dispatch(rows, stop)
            if len(rows) < BATCH:
                return

    def _dispatch(self, rows: Sequence, stop: threading.Event) -> None:
        with self._lock:
            if self._stop is not stop:
                return  # a stopped thread finishing its last read: its successor reads anew
            batches: dict[str, list[Message]] = {}
            for row in rows:
                if row.topic in self._topics:
                    # Encoded once, under the lock: a subscriber added a moment ago gets it too.
                    frame = sse.frame(row.id, row.kind, row.data)
                    message = Message(row.id, row.topic, row.kind, frame)
                    batches.setdefault(row.topic, []).append(message)
            for topic, messages in batches.items():
                batch = tuple(messages)
                for subscriber in tuple(self._topics[topic]):
                    try:
                        subscriber.queue.put_nowait(batch)
                    except queue.Full:
                        # A slow or vanished reader must never hold up the others: drop
                        # it; the browser reconnects with Last-Event-ID and replays.
                        self._forget(subscriber)
                        subscriber.close()
                        self.dropped += 1
                        log.info("live hub: dropped a stream of %s that fell behind", topic)
            self.last_seen = max(self.last_seen, rows[-1].id)


_hubs_lock = threading.Lock()


def get_hub(app: Flask) -> Hub:
    """Return the app's hub in this process, creating it on first use."""
    hub = app.extensions.get(EXTENSION_KEY)
    if hub is None or hub.pid != os.getpid():
        with _hubs_lock:
            hub = app.extensions.get(EXTENSION_KEY)
            # A hub inherited through fork has no thread in this process: make a new one.
            if hub is None or hub.pid != os.getpid():
                hub = Hub(
                    app.extensions["campwiki.db"],
                    poll_seconds=float(app.config["LIVE_POLL_SECONDS"]),
                    batch_seconds=float(app.config["LIVE_BATCH_SECONDS"]),
                    queue_size=int(app.config["LIVE_QUEUE_SIZE"]),
                )
                app.extensions[EXTENSION_KEY] = hub
    return hub


def stop_hub(app: Flask) -> None:
    """Stop the app's hub, if one was started (tests call this before dropping databases)."""
    hub = app.extensions.pop(EXTENSION_KEY, None)
    if hub is not None:
        hub.stop()
