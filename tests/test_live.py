"""Live updates over real HTTP: publish in a transaction, stream, resume, shed slow readers."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from flask import abort, request, url_for
from sqlalchemy import String, cast, func, select

from tests.conftest import PG_URL
from wiki.extensions import csrf, db
from wiki.live import services as live
from wiki.live import sse
from wiki.live.hub import Hub, Message, Subscriber, get_hub, stop_hub
from wiki.live.models import LiveEvent


@dataclass
class Block:
    """One blank-line-terminated block of an event stream."""

    comments: list[str] = field(default_factory=list)
    id: int | None = None
    event: str = "message"
    data: list[str] = field(default_factory=list)
    retry: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.data)


class SSEStream:
    """A minimal EventSource on a raw socket: one block at a time, with deadlines.

    http.client's buffered file refuses to read again after a timeout, and tests wait
    for silence, so this reads the socket itself and undoes chunked encoding.
    """

    def __init__(self, base_url: str, path: str, last_event_id=None, query: str = "") -> None:
        url = urlsplit(base_url)
        self.socket = socket.create_connection((url.hostname, url.port), timeout=5)
        lines = [f"GET {path}{query} HTTP/1.1", f"Host: {url.netloc}"]
        lines.append("Accept: text/event-stream")
        if last_event_id is not None:
            lines.append(f"Last-Event-ID: {last_event_id}")
        self.socket.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._raw = b""
        self._body = b""
        self._chunk_left = 0  # bytes of the current chunk still to come; -1 = no more chunks
        self._need_crlf = False
        while b"\r\n\r\n" not in self._raw:
            self._receive(5.0)
        head, self._raw = self._raw.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        self._chunked = self.headers.get("transfer-encoding") == "chunked"
        self._decode()
        self.last_event_id: int | None = None

    def _receive(self, timeout: float) -> None:
        if timeout <= 0:
            raise TimeoutError
        self.socket.settimeout(timeout)
        data = self.socket.recv(65536)
        if not data:
            raise EOFError("the server ended the stream")
        self._raw += data

    def _decode(self) -> None:
        if not self._chunked:
            self._body, self._raw = self._body + self._raw, b""
            return
        while self._chunk_left >= 0:
            if self._need_crlf:
                if len(self._raw) < 2:
                    return
                self._raw, self._need_crlf = self._raw[2:], False
            if self._chunk_left == 0:
                size_line, found, rest = self._raw.partition(b"\r\n")
                if not found:
                    return
                self._raw, size = rest, int(size_line.split(b";")[0], 16)
                self._chunk_left = size if size else -1
                continue
            take = self._raw[: self._chunk_left]
            if not take:
                return
            self._body += take
            self._raw = self._raw[len(take) :]
            self._chunk_left -= len(take)
            self._need_crlf = self._chunk_left == 0

    def readline(self, deadline: float) -> bytes:
        while b"\n" not in self._body:
            if self._chunk_left < 0:
                raise EOFError("the server ended the stream")
            self._receive(deadline - time.monotonic())
            self._decode()
        line, self._body = self._body.split(b"\n", 1)
        return line

    def __enter__(self) -> SSEStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.socket.close()

    def block(self, timeout: float = 2.0) -> Block:
        """Return the next block, raising TimeoutError if none is complete in time."""
        deadline = time.monotonic() + timeout
        block = Block()
        while True:
            line = self.readline(deadline).decode().rstrip("\r")
            if not line:
                if block.id is not None:
                    self.last_event_id = block.id
                return block
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                block.comments.append(value)
            elif name == "id":
                block.id = int(value)
            elif name == "event":
                block.event = value
            elif name == "data":
                block.data.append(value)
            elif name == "retry":
                block.retry = int(value)

    def event(self, timeout: float = 2.0) -> Block:
        """Return the next block that a browser would dispatch as an event."""
        deadline = time.monotonic() + timeout
        while True:
            block = self.block(deadline - time.monotonic())
            if block.data:
                return block

    def events(self, count: int, timeout: float = 2.0) -> list[Block]:
        """Return the next ``count`` events, all within ``timeout``."""
        deadline = time.monotonic() + timeout
        return [self.event(deadline - time.monotonic()) for _ in range(count)]

    def opened(self, timeout: float = 2.0) -> SSEStream:
        """Read the opening blocks, up to the one that sets the browser's Last-Event-ID."""
        while self.last_event_id is None:
            self.block(timeout)
        return self

    def expect_silence(self, seconds: float) -> None:
        """Fail if an event arrives within ``seconds``."""
        with pytest.raises(TimeoutError):
            self.event(seconds)


def publish_view():
    """Publish live events in this request's transaction, the way a domain view does."""
    form = request.form
    published = []
    for n in range(int(form.get("count", 1))):
        data = form["data"] if "data" in form else {"n": n}
        published.append(live.publish(form["topic"], form.get("kind", "dots-changed"), data))
    if form.get("fail"):
        abort(422)
    db.session.commit()  # on PostgreSQL the ids are known once the events are written
    return ",".join(str(event.id) for event in published)


@pytest.fixture
def live_config() -> dict:
    """Return extra settings for the app under test (tests parametrize it)."""
    return {}


@pytest.fixture
def app(make_app, live_config):
    """Return the app with a test-only publishing route; stop its hub afterwards."""
    app = make_app(LIVE_POLL_SECONDS=0.05, **live_config)
    app.add_url_rule("/-/test/publish", "test_publish", publish_view, methods=["POST"])
    csrf.exempt(publish_view)
    yield app
    stop_hub(app)


@pytest.fixture
def camp(create_event):
    """Return a new event, whose live stream the tests read."""
    return create_event()


@pytest.fixture
def topic(camp) -> str:
    """Return the live topic of the new event."""
    return live.event_topic(camp.id)


@pytest.fixture
def path(camp) -> str:
    """Return the URL of the new event's live stream."""
    return f"/events/{camp.slug}/live"


@pytest.fixture
def publish(live_server):
    """Return a function that publishes through a real request and returns the new ids."""

    def post(topic: str, count: int = 1, fail: bool = False, **fields) -> list[int]:
        form = {"topic": topic, "count": count, **fields}
        if fail:
            form["fail"] = "1"
        response = requests.post(f"{live_server.url}/-/test/publish", data=form, timeout=10)
        assert response.status_code == (422 if fail else 200), response.text[:300]
        return [] if fail else [int(i) for i in response.text.split(",")]

    return post


def wait_for(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_frame_prefixes_every_line_of_data():
    assert sse.frame(7, "dots-changed", "a\nb\r\nc\rd") == (
        b"id: 7\nevent: dots-changed\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
    )
    assert sse.frame(8, "reset", "") == b"id: 8\nevent: reset\ndata: \n\n"


def test_publish_refuses_topics_and_kinds_that_would_break_the_stream(app):
    with app.app_context():
        with pytest.raises(ValueError):
            live.publish("event:1\nevent: x", "dots-changed")
        with pytest.raises(ValueError):
            live.publish("event:1", "dots changed")


def test_published_event_reaches_a_subscriber_within_a_second(live_server, topic, publish, path):
    with SSEStream(live_server.url, path) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-cache"
        assert stream.headers["x-accel-buffering"] == "no"
        opening = stream.block()
        assert opening.comments == ["connected"]
        assert stream.block().retry == 2000
        stream.opened()

        started = time.monotonic()
        [event_id] = publish(topic, kind="dots-changed", data='{"pitch":3,"dots":5}')
        event = stream.event(timeout=1.0)
        assert time.monotonic() - started < 1.0
        assert (event.id, event.event, event.text) == (
            event_id,
            "dots-changed",
            '{"pitch":3,"dots":5}',
        )

        publish(topic, data="<p>line one</p>\n<p>line two</p>")
        assert stream.event(timeout=1.0).data == ["<p>line one</p>", "<p>line two</p>"]


def test_dict_data_is_sent_as_json_and_other_topics_stay_quiet(
    app, live_server, topic, publish, create_event, path
):
    other = live.event_topic(create_event("Another camp").id)
    with SSEStream(live_server.url, path).opened() as stream:
        publish(other)
        with app.app_context():
            live.publish(topic, "pitch-added", {"pitch": 4, "title": "Café ☕"})
            db.session.commit()
        event = stream.event(timeout=1.0)
        assert (event.event, event.text) == ("pitch-added", '{"pitch":4,"title":"Café ☕"}')
        stream.expect_silence(0.3)


def test_rolled_back_transaction_publishes_nothing(app, live_server, topic, publish, path):
    with SSEStream(live_server.url, path).opened() as stream:
        before = stream.last_event_id
        publish(topic, data="refused", fail=True)
        with app.app_context():
            live.publish(topic, "dots-changed", "rolled back in process")
            db.session.rollback()
        stream.expect_silence(0.4)
        [kept] = publish(topic, data="kept")
        event = stream.event(timeout=1.0)
        assert (event.id, event.text) == (kept, "kept")
        stream.expect_silence(0.3)
    with app.app_context():
        assert [e.data for e in live.events_since(topic, before)] == ["kept"]


def test_reconnect_replays_exactly_the_missed_events_in_order(live_server, topic, publish, path):
    with SSEStream(live_server.url, path).opened() as stream:
        [first] = publish(topic)
        assert stream.event(timeout=1.0).id == first
        resume_from = stream.last_event_id
    missed = publish(topic, count=3)

    with SSEStream(live_server.url, path, last_event_id=resume_from) as stream:
        assert [e.id for e in stream.events(3, timeout=1.0)] == missed
        [live_id] = publish(topic)
        assert stream.event(timeout=1.0).id == live_id
        stream.expect_silence(0.3)


def test_stream_that_saw_no_event_still_resumes_without_a_gap(live_server, topic, publish, path):
    publish(topic)  # history before the stream opened is not replayed
    with SSEStream(live_server.url, path).opened() as stream:
        resume_from = stream.last_event_id
    missed = publish(topic, count=2)
    with SSEStream(live_server.url, path, query=f"?last_id={resume_from}") as stream:
        assert [e.id for e in stream.events(2, timeout=1.0)] == missed
        stream.expect_silence(0.3)


def test_unknown_last_event_id_gets_a_reset_event(live_server, topic, publish, path):
    [latest] = publish(topic)
    with SSEStream(live_server.url, path, last_event_id=latest + 1000) as stream:
        event = stream.event(timeout=1.0)
        assert (event.event, event.id) == ("reset", latest)
        [new] = publish(topic)
        assert stream.event(timeout=1.0).id == new


@pytest.mark.parametrize("live_config", [{"LIVE_REPLAY_LIMIT": 2}])
def test_too_much_to_replay_gets_a_reset_event(live_server, topic, publish, path):
    with SSEStream(live_server.url, path).opened() as stream:
        resume_from = stream.last_event_id
    *_, latest = publish(topic, count=3)
    with SSEStream(live_server.url, path, last_event_id=resume_from) as stream:
        event = stream.event(timeout=1.0)
        assert (event.event, event.id) == ("reset", latest)
        stream.expect_silence(0.3)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock; PostgreSQL has its own test")
def test_ids_become_visible_in_id_order_when_publishers_overlap(app, topic):
    """The second publisher waits until the first commits, so no reader skips an id."""
    first_published = threading.Event()
    release_first = threading.Event()
    finished: list[str] = []

    def first():
        with app.app_context():
            live.publish(topic, "first")
            first_published.set()
            release_first.wait(5)
            db.session.commit()
            finished.append("first")

    firsts_committed = cast(
        select(func.count())
        .where(LiveEvent.topic == topic, LiveEvent.kind == "first")
        .scalar_subquery(),
        String,
    )

    def second():
        with app.app_context():
            live.publish(topic, "second", firsts_committed)
            db.session.commit()
            finished.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_published.wait(5)
    threads[1].start()
    time.sleep(0.3)
    assert finished == []
    release_first.set()
    for thread in threads:
        thread.join(10)
    assert finished == ["first", "second"]
    with app.app_context():
        events = live.events_since(topic, 0)[-2:]
        assert [e.kind for e in events] == ["first", "second"]
        # Data computed by the INSERT sees what earlier publishers committed.
        assert events[1].data == "1"


@pytest.mark.skipif(not PG_URL, reason="the publish lock is PostgreSQL's")
def test_postgres_publishers_write_in_turn_at_commit(app, topic):
    """A commit that publishes waits for the lock; its INSERT then sees the holder's work."""
    import psycopg

    firsts_committed = cast(
        select(func.count())
        .where(LiveEvent.topic == topic, LiveEvent.kind == "first")
        .scalar_subquery(),
        String,
    )
    finished: list[str] = []
    url = app.config["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as holder:
        # Another server's publishing transaction, caught between its lock and its commit.
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [live.PUBLISH_LOCK_KEY])
        first_id = holder.execute(
            "INSERT INTO live_events (topic, kind, data, created_at) "
            "VALUES (%s, 'first', '', now()) RETURNING id",
            [topic],
        ).fetchone()[0]

        def second():
            with app.app_context():
                event = live.publish(topic, "second", firsts_committed)
                assert event.id is None  # written at commit
                db.session.commit()
                finished.append(event.id)

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert finished == []  # waiting for the lock
        holder.commit()
    thread.join(10)
    [second_id] = finished
    assert second_id > first_id
    with app.app_context():
        events = live.events_since(topic, 0)[-2:]
        assert [(e.kind, e.data) for e in events] == [("first", ""), ("second", "1")]


@pytest.mark.skipif(not PG_URL, reason="events are written at commit on PostgreSQL")
def test_postgres_events_of_a_rolled_back_savepoint_are_not_written(app, topic):
    def kinds() -> list[str]:
        return [e.kind for e in live.events_since(topic, 0) if e.kind != "state-changed"]

    with app.app_context():
        kept = live.publish(topic, "kept")
        with pytest.raises(RuntimeError):
            with db.session.begin_nested():
                live.publish(topic, "undone")
                raise RuntimeError("refused")
        db.session.commit()
        assert kinds() == ["kept"]
        assert kept.id is not None
        live.publish(topic, "rolled-back")
        db.session.rollback()
        db.session.commit()
        assert kinds() == ["kept"]


# A mailbox holds whole reads of the table (a request's burst of 10 is one, or two): a
# reader that misses 4 of them in a row is behind.
@pytest.mark.parametrize("live_config", [{"LIVE_QUEUE_SIZE": 4}])
def test_slow_client_is_dropped_without_delaying_others(app, live_server, topic, publish, path):
    hub = get_hub(app)
    # A reader that never reads: a tiny receive window, so the server's writes soon block.
    url = urlsplit(live_server.url)
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect((url.hostname, url.port))
    slow.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
    stuck = hub.subscribe(topic)  # and a mailbox nobody empties
    try:
        with SSEStream(live_server.url, path).opened() as fast:
            wait_for(lambda: hub.subscriber_count(topic) == 3)
            big = "x" * 150_000
            for _ in range(8):  # 12 MB: more than any socket buffer holds
                started = time.monotonic()
                ids = publish(topic, count=10, data=big)
                assert [e.id for e in fast.events(10, timeout=2.0)] == ids
                assert time.monotonic() - started < 2.0
            assert stuck.closed
            wait_for(lambda: hub.subscriber_count(topic) == 1)
            assert hub.dropped == 2
            [last] = publish(topic, data="still here")
            assert fast.event(timeout=1.0).id == last
    finally:
        slow.close()


@pytest.mark.parametrize("live_config", [{"LIVE_QUEUE_SIZE": 4}])
def test_a_burst_bigger_than_the_mailbox_drops_nobody(app, live_server, topic, publish, path):
    hub = get_hub(app)
    with SSEStream(live_server.url, path).opened() as stream:
        ids = publish(topic, count=60)
        assert [e.id for e in stream.events(60, timeout=3.0)] == ids
        assert hub.dropped == 0 and hub.subscriber_count(topic) == 1


@pytest.mark.parametrize("live_config", [{"LIVE_HEARTBEAT_SECONDS": 0.2}])
def test_heartbeat_keeps_the_stream_alive_and_finds_closed_clients(app, live_server, topic, path):
    hub = get_hub(app)
    with SSEStream(live_server.url, path).opened() as stream:
        started = time.monotonic()
        beats = [stream.block(timeout=1.0) for _ in range(3)]
        assert all(block.comments == [""] and not block.data for block in beats)
        assert time.monotonic() - started < 1.0
        assert hub.subscriber_count(topic) == 1
    # The next heartbeat write fails on the closed socket and the stream unsubscribes.
    wait_for(lambda: hub.subscriber_count(topic) == 0)


def test_stopping_the_hub_ends_open_streams(app, live_server, topic, path):
    with SSEStream(live_server.url, path).opened() as stream:
        stop_hub(app)
        with pytest.raises(EOFError):
            stream.block(timeout=2.0)


def test_idle_hub_retires_its_thread_and_restarts_on_demand(app, topic):
    hub = Hub(app.extensions["campwiki.db"], poll_seconds=0.02, idle_seconds=0.1)
    try:
        hub.unsubscribe(hub.subscribe(topic))
        wait_for(lambda: not hub.running)
        subscriber = hub.subscribe(topic)
        assert hub.running
        with app.app_context():
            event = live.publish(topic, "after-restart")
            db.session.commit()
        [message] = subscriber.receive(timeout=2.0)
        assert (message.id, message.kind) == (event.id, "after-restart")
    finally:
        hub.stop()


@pytest.mark.parametrize(
    "path",
    [
        "/-/live/event:1",  # the old topic-in-the-URL stream is gone
        "/events/nowhere/live",
        "/events/999/live",
        "/wiki/nowhere/-/live",
        "/wiki/99999999999/-/live",
    ],
)
def test_unknown_stream_is_not_found(live_server, path):
    response = requests.get(f"{live_server.url}{path}", timeout=5)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "topic", ["foo", "event:", "event:1\nevent: x", "Event:1", "e:" + "1" * 80]
)
def test_stream_refuses_a_topic_that_is_not_one(app, topic):
    from wiki.live.streams import stream

    with app.test_request_context(), pytest.raises(ValueError):
        stream(topic)


def test_stream_urls_belong_to_the_domains(app):
    with app.test_request_context():
        assert url_for("events.stream", slug="camp") == "/events/camp/live"
        assert url_for("pages.stream", slug="lost/found") == "/wiki/lost/found/-/live"


def test_a_renamed_page_keeps_streaming_under_its_old_name(app, client, auth, facilitator):
    from wiki.accounts.models import User
    from wiki.pages import services as pages

    with app.app_context():
        author = db.session.get(User, facilitator.id)
        page = pages.create_page("Lost and found", "Ask at the desk.", author).page
        pages.rename_page(page, "Lost property", author)
        db.session.commit()
    response = client.get("/wiki/lost-and-found/-/live", buffered=False)
    assert response.status_code == 200
    assert next(iter(response.response)).startswith(b": connected")
    response.close()


def test_deleted_page_streams_only_to_facilitators(app, client, auth, create_user, facilitator):
    from wiki.accounts.models import User
    from wiki.pages import services as pages

    with app.app_context():
        author = db.session.get(User, facilitator.id)
        page = pages.create_page("Lost and found", "Ask at the desk.", author).page
        pages.delete_page(page, author)
        db.session.commit()
        path = f"/wiki/{page.slug}/-/live"
    assert client.get(path).status_code == 404
    auth.login(facilitator)
    response = client.get(path, buffered=False)
    assert response.status_code == 200
    assert next(iter(response.response)).startswith(b": connected")
    response.close()


def test_events_since_and_latest_id_read_the_table(app, topic):
    with app.app_context():
        before = live.latest_id()
        published = [live.publish(topic, "k", {"n": n}) for n in range(3)]
        elsewhere = live.publish(live.page_topic(1), "k", "")
        db.session.commit()
        ids, elsewhere = [event.id for event in published], elsewhere.id
        assert [e.id for e in live.events_since(topic, ids[0])] == ids[1:]
        assert [e.id for e in live.events_since(topic, before, limit=2)] == ids[:2]
        assert live.latest_id() == elsewhere > ids[-1]
        assert db.session.get(LiveEvent, ids[0]).data == '{"n":0}'


@pytest.mark.skipif(not PG_URL, reason="LISTEN/NOTIFY needs PostgreSQL")
def test_postgres_hub_is_woken_by_notify_not_by_its_poll(app, topic):
    hub = Hub(app.extensions["campwiki.db"], fallback_seconds=30)
    try:
        subscriber = hub.subscribe(topic)
        time.sleep(0.3)  # let the hub LISTEN and settle into its wait
        with app.app_context():
            live.publish(topic, "notified")
            started = time.monotonic()
            db.session.commit()
        assert [m.kind for m in subscriber.receive(timeout=1.0)] == ["notified"]
        assert time.monotonic() - started < 0.5
    finally:
        hub.stop()


@pytest.mark.skipif(not PG_URL, reason="LISTEN/NOTIFY needs PostgreSQL")
def test_postgres_hub_sends_a_burst_together_but_a_lone_message_at_once(app, topic):
    hub = Hub(app.extensions["campwiki.db"], batch_seconds=0.4, fallback_seconds=30)

    def commit_one(kind: str) -> None:
        with app.app_context():
            live.publish(topic, kind)
            db.session.commit()

    try:
        subscriber = hub.subscribe(topic)
        time.sleep(0.3)
        started = time.monotonic()
        commit_one("lone")
        assert [m.kind for m in subscriber.receive(timeout=1.0)] == ["lone"]
        assert time.monotonic() - started < 0.3  # no batching delay after a quiet spell
        for n in range(3):  # within the batch window that the lone message opened
            commit_one(f"burst-{n}")
        time.sleep(0.1)
        assert subscriber.queue.empty()  # held back until the window closes
        wait_for(lambda: not subscriber.queue.empty())
        assert time.monotonic() - started >= 0.4
        time.sleep(0.2)
        # The burst arrived as one dispatch: one place in the mailbox, one write.
        assert subscriber.queue.qsize() == 1
        assert [m.kind for m in subscriber.receive(timeout=0)] == [
            "burst-0",
            "burst-1",
            "burst-2",
        ]
    finally:
        hub.stop()


def test_prune_live_command_removes_old_events(app, runner):
    from datetime import timedelta

    from wiki.database import utcnow
    from wiki.live import services as live_services
    from wiki.live.models import LiveEvent

    with app.app_context():
        old = live_services.publish("event:1", "dots-changed", {"pitch": 1})
        live_services.publish("event:1", "dots-changed", {"pitch": 2})
        db.session.commit()
        db.session.get(LiveEvent, old.id).created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    result = runner.invoke(args=["prune-live", "--days", "7"])
    assert result.exit_code == 0 and "Removed 1 live event older" in result.output
    with app.app_context():
        assert db.session.query(LiveEvent).count() == 1


def test_a_stream_takes_every_waiting_message_at_once():
    subscriber = Subscriber("event:1", maxsize=8)
    one, two, three = (Message(n, "event:1", "k", sse.frame(n, "k", str(n))) for n in (1, 2, 3))
    subscriber.queue.put_nowait((one, two))
    subscriber.queue.put_nowait((three,))
    assert subscriber.receive(timeout=0.1) == [one, two, three]
    assert subscriber.receive(timeout=0.05) == []
    subscriber.queue.put_nowait((one,))
    subscriber.close()
    subscriber.queue.put_nowait((two,))  # anything after closing is never read
    assert subscriber.receive(timeout=0.1) == [one] and subscriber.closed


@pytest.mark.skipif(not PG_URL, reason="events are written at commit on PostgreSQL")
def test_postgres_events_of_a_closed_session_are_not_written_later(app, topic):
    with app.app_context():
        live.publish(topic, "abandoned")
        db.session.close()  # ended without commit or rollback, as a failed script might
        live.publish(topic, "kept")
        db.session.commit()
        kinds = [e.kind for e in live.events_since(topic, 0) if e.kind != "state-changed"]
        assert kinds == ["kept"]
