"""Hidden tallies stay hidden on the event's public stream, live and replayed, until the reveal."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import requests

from tests.helpers import Auth
from wiki.accounts.models import User
from wiki.events import services as events
from wiki.extensions import db
from wiki.pitches import services as pitches

SLUG = "govbarcamp-2026"
TITLES = ("Kids teach Scratch", "Composting at scale", "Open data for parish councils")


def event_stream_url(base_url: str, slug: str) -> str:
    """Return the URL of the event's public live stream: the one place this test builds it."""
    return f"{base_url}/events/{slug}/live"


@dataclass
class Message:
    id: int | None
    kind: str
    data: str


class Listener:
    """An anonymous subscriber to a stream, reading it as a browser's EventSource does."""

    def __init__(self, url: str, last_event_id: int | None = None) -> None:
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        # No cookie: nobody is logged in. A read that waits 10 s fails the test.
        self.response = requests.get(url, headers=headers, stream=True, timeout=10)
        assert self.response.status_code == 200
        self._lines = self.response.iter_lines(chunk_size=1, decode_unicode=True)
        self.opened_at: int | None = None

    def _block(self) -> Message | None:
        """Return the next block that carries an id or data; None for comments only."""
        event_id, kind, data = None, "message", []
        for line in self._lines:
            if line:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "id":
                    event_id = int(value)
                elif name == "event":
                    kind = value
                elif name == "data":
                    data.append(value)
                continue
            if event_id is not None or data:
                return Message(event_id, kind, "\n".join(data))
            return None
        raise EOFError("the server ended the stream")

    def open(self) -> Listener:
        """Read the opening blocks, up to the id a browser would resume from."""
        while self.opened_at is None:
            block = self._block()
            if block is not None and block.id is not None and not block.data:
                self.opened_at = block.id
            elif block is not None and block.data:
                raise AssertionError(f"an event before the stream opened: {block}")
        return self

    def messages_until(self, kind: str) -> list[Message]:
        """Return the events received up to and including the first one of ``kind``."""
        received = []
        while not received or received[-1].kind != kind:
            block = self._block()
            if block is not None and block.data:
                received.append(block)
        return received

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def hidden_vote(app, create_event, create_user):
    """An event in voting that hides its tallies, three sessions and three voters."""
    create_event(state="voting", hide_tallies=True)
    with app.app_context():
        event = events.find_event(SLUG)
        host = db.session.get(User, create_user("host", display_name="Hosting Hana").id)
        ids = [pitches.create_pitch(event, pitches.PitchDetails(title=t), host).id for t in TITLES]
        db.session.commit()
        event_id = event.id
    voters = []
    for name in ("ada", "ben", "cleo"):
        client = app.test_client()
        Auth(client).login(create_user(name))
        voters.append(client)
    return event_id, ids, voters


def vote(client, pitch_id: int, action: str = "add"):
    return client.post(
        f"/events/{SLUG}/pitches/{pitch_id}/dots",
        data={"action": action},
        headers={"HX-Request": "true"},
    )


def names_a_pitch(message: Message, ids: list[int]) -> bool:
    """Tell whether the event says which session it is about, by id or by title."""
    if any(message.kind == f"dots-{pitch_id}" for pitch_id in ids):
        return True
    if any(title in message.data for title in TITLES):
        return True
    try:
        data = json.loads(message.data)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("pitch") in ids


def test_hidden_votes_publish_nothing_about_a_session_until_the_reveal(
    app, client, auth, facilitator, live_server, hidden_vote
):
    event_id, ids, voters = hidden_vote
    url = event_stream_url(live_server.url, SLUG)
    listener = Listener(url).open()
    try:
        # Several people vote, take a dot back and vote again while the counts are hidden.
        for client_n, picks in zip(voters, ([0, 0, 1], [1, 2], [2, 2, 2]), strict=True):
            for pick in picks:
                answer = vote(client_n, ids[pick])
                assert answer.status_code == 200
        answer = vote(voters[0], ids[1], action="remove")
        assert answer.status_code == 200
        # The voter's own answer still brings what their board needs: their dots left.
        assert 'id="dots-left"' in answer.get_data(as_text=True)
        assert "3 dots left" in answer.get_data(as_text=True)

        auth.login(facilitator)
        assert client.post(f"/events/{SLUG}/reveal").status_code == 303

        live = listener.messages_until("tallies-revealed")
        assert [m for m in live if names_a_pitch(m, ids)] == []
        assert [m.kind for m in live] == ["tallies-revealed"]  # the votes published nothing

        # Replaying the stream from before the votes tells no more than listening did.
        replay = Listener(url, last_event_id=listener.opened_at)
        try:
            replayed = replay.messages_until("tallies-revealed")
        finally:
            replay.close()
        assert [m for m in replayed if names_a_pitch(m, ids)] == []
        assert [m.kind for m in replayed] == ["tallies-revealed"]

        # Once revealed, the results show every count, and each new dot sends its total.
        results = client.get(f"/events/{SLUG}/results").get_data(as_text=True)
        assert all(title in results for title in TITLES)
        assert vote(voters[1], ids[0]).status_code == 200
        [total] = listener.messages_until(f"dots-{ids[0]}")
        assert total.data == "3"
    finally:
        listener.close()
