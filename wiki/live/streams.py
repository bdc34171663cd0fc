"""The live stream: a topic's events as Server-Sent Events, resumable by Last-Event-ID.

Live carries messages; it does not decide who may listen. Each domain owns the URL of its
stream and checks access there, then hands the topic to ``stream``::

    @bp.get("/<slug>/live")
    def stream(slug: str):
        return live_stream(live.event_topic(get_event(slug).id))
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, current_app, request
from sqlalchemy import func, select

from wiki.extensions import db
from wiki.live import services, sse
from wiki.live.hub import Hub, Subscriber, get_hub
from wiki.live.models import LiveEvent

RETRY_MILLISECONDS = 2000


def _resume_from() -> int | None:
    value = request.headers.get("Last-Event-ID") or request.args.get("last_id") or ""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _opening(topic: str, resume_from: int | None, replay_limit: int) -> tuple[list[bytes], int]:
    """Return what the stream starts with and the id it has brought the browser up to."""
    latest = services.latest_id()
    opening = [sse.comment("connected"), sse.retry(RETRY_MILLISECONDS)]
    if resume_from is not None:
        oldest = db.session.scalar(select(func.min(LiveEvent.id))) or latest + 1
        missed = services.events_since(topic, resume_from, limit=replay_limit + 1)
        # Ids from another database, pruned history or too much to replay: tell the page
        # to reload its live parts instead.
        if resume_from <= latest and resume_from >= oldest - 1 and len(missed) <= replay_limit:
            opening.extend(sse.frame(event.id, event.kind, event.data) for event in missed)
            sent = max([resume_from, *(event.id for event in missed)])
            return opening, sent
        opening.append(sse.frame(latest, "reset", ""))
        return opening, latest
    # An id without data sets the browser's Last-Event-ID without firing an event, so even
    # a stream that never carried an event resumes without a gap.
    opening.append(f"id: {latest}\n\n".encode())
    return opening, latest


def stream(topic: str) -> Response:
    """Answer with ``topic``'s live events as they come, first replaying those missed.

    Call it from a view that has already decided the visitor may listen. A browser that
    reconnects sends Last-Event-ID (or ``?last_id=``) and is sent what it missed, or a
    ``reset`` event when that is no longer known.
    """
    services.check_topic(topic)
    config = current_app.config
    heartbeat = float(config["LIVE_HEARTBEAT_SECONDS"])
    replay_limit = int(config["LIVE_REPLAY_LIMIT"])
    resume_from = _resume_from()
    hub = get_hub(current_app)
    # Hold no pooled connection while waiting for the hub: a hub that is starting needs
    # one, and a thousand browsers reconnecting at once would otherwise hold them all.
    db.session.remove()
    # Subscribe before reading the table: whatever commits after this read is in the
    # mailbox, whatever committed before is in the read; the overlap is skipped by id.
    subscriber = hub.subscribe(topic)
    try:
        opening, sent = _opening(topic, resume_from, replay_limit)
    except BaseException:
        hub.unsubscribe(subscriber)
        raise
    # The stream may stay open for hours: hold no connection or transaction meanwhile.
    db.session.remove()
    response = Response(
        _events(hub, subscriber, opening, sent, heartbeat),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    # Also runs when the body is never read (a HEAD request, a client gone at once).
    response.call_on_close(lambda: hub.unsubscribe(subscriber))
    return response


def _events(
    hub: Hub, subscriber: Subscriber, opening: list[bytes], sent: int, heartbeat: float
) -> Iterator[bytes]:
    # Runs outside the app context, after the view has returned.
    try:
        yield b"".join(opening)
        while not subscriber.closed:
            messages = subscriber.receive(heartbeat)
            if subscriber.closed:
                return
            if not messages:
                # A closed tab is noticed only when we write to it.
                yield sse.comment()
                continue
            # When votes come fast, several messages wait by the time this stream runs:
            # one write for all of them costs a fraction of one write each.
            frames = []
            for message in messages:
                if message.id > sent:
                    frames.append(message.frame)
                    sent = message.id
            if frames:
                yield b"".join(frames)
    finally:
        hub.unsubscribe(subscriber)
