"""A form that creates something, sent twice, creates it once.

Four identical posts at once (plain and htmx-boosted, over real HTTP), or the same form sent
again after the browser's back button, make one comment, pitch, announcement, report,
page or event; every answer leads to the one that was made. A form with no token (an old open tab)
still works, as a fresh request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
import requests
from sqlalchemy import func, select

from tests.helpers import CSRF_RE, PASSWORD
from tests.test_events import EVENT_FORM
from wiki.accounts.models import Role, User
from wiki.events import services as events
from wiki.events.models import Announcement, Event
from wiki.extensions import db
from wiki.idempotency import REPEATED
from wiki.moderation.models import Report
from wiki.pages.models import Page
from wiki.pitches import services as pitches
from wiki.pitches.models import Comment, Pitch

SLUG = "govbarcamp-2026"


class FormFields(HTMLParser):
    """Collect the hidden and text inputs of the form that posts to ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").split("?")[0] == self.action
            self.found |= self.inside
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") in (None, "hidden", "text"):
                self.fields.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(html)
    assert parser.found, f"no form posts to {action}"
    return parser.fields


@dataclass(frozen=True)
class Case:
    """One form that creates something: where it is, what to type, how to count results."""

    page: str
    action: str
    typed: dict[str, str]
    count: Callable[[], int]
    who: str = "participant"


def _count(query) -> Callable[[], int]:
    return lambda: db.session.scalar(select(func.count()).select_from(query.subquery()))


@pytest.fixture
def pitch(app, create_event, create_user):
    """Return the id of a pitch at an event open for voting."""
    create_event(state="voting")
    host = create_user("host", display_name="Host")
    with app.app_context():
        event = events.find_event(SLUG)
        made = pitches.create_pitch(
            event, pitches.PitchDetails(title="Picnic"), db.session.get(User, host.id)
        )
        db.session.commit()
        return made.id


def cases(pitch_id: int) -> dict[str, Case]:
    """Return the forms that create something."""
    shown = f"/events/{SLUG}/pitches/{pitch_id}"
    return {
        "comment": Case(
            page=shown,
            action=f"{shown}/comments",
            typed={"body": "Can toddlers come?"},
            count=_count(select(Comment.id).where(Comment.body.like("Can toddlers come?%"))),
        ),
        "pitch": Case(
            page=f"/events/{SLUG}/pitches/new",
            action=f"/events/{SLUG}/pitches/new",
            typed={
                "title": "Pond dipping",
                "format": "talk",
                "length_slots": "1",
                "audience": "everyone",
            },
            count=_count(select(Pitch.id).where(Pitch.title == "Pond dipping")),
        ),
        "announcement": Case(
            page=f"/events/{SLUG}",
            action=f"/events/{SLUG}/announcements",
            typed={"title": "Doors open at nine", "body": "Bring a cup."},
            count=_count(select(Announcement.id).where(Announcement.title == "Doors open at nine")),
            who="facilitator",
        ),
        "report": Case(
            page=f"/-/reports/new?type=pitch&id={pitch_id}&next={shown}",
            action="/-/reports",
            typed={"reason": "This looks like spam."},
            count=_count(select(Report.id).where(Report.reason.like("This looks like spam.%"))),
        ),
        "page": Case(
            page="/-/new",
            action="/-/new",
            typed={"title": "Lost property", "body": "Ask at the desk.", "template": "blank"},
            count=_count(select(Page.id).where(Page.title == "Lost property")),
        ),
        "event": Case(
            page="/events/new",
            action="/events/new",
            typed={**EVENT_FORM, "name": "Winter camp", "slug": ""},
            count=_count(select(Event.id).where(Event.name == "Winter camp")),
            who="facilitator",
        ),
    }


class Person:
    """One browser over real HTTP: its cookies, its CSRF token."""

    def __init__(self, base_url: str, username: str) -> None:
        self.base = base_url
        self.session = requests.Session()
        token = CSRF_RE.search(self.session.get(f"{base_url}/-/login").text).group(1)
        reply = self.session.post(
            f"{base_url}/-/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert reply.status_code == 303

    def open_form(self, case: Case) -> dict[str, str]:
        """Open the page with the form and return what it would send, typed text included."""
        reply = self.session.get(self.base + case.page)
        assert reply.status_code == 200, reply.text[:500]
        return {**form_fields(reply.text, case.action), **case.typed}

    def send(self, case: Case, data: dict[str, str], htmx: bool = False) -> requests.Response:
        headers = {"HX-Request": "true", "HX-Boosted": "true"} if htmx else {}
        return self.session.post(
            self.base + case.action, data=data, headers=headers, allow_redirects=False
        )


@pytest.fixture
def people(live_server, participant, create_user):
    """Return a logged-in browser for the participant and one for a facilitator."""
    create_user("fran", Role.FACILITATOR, display_name="Fran")
    return {
        "participant": Person(live_server.url, participant.username),
        "facilitator": Person(live_server.url, "fran"),
    }


KINDS = ["comment", "pitch", "announcement", "report", "page", "event"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_four_identical_posts_at_once_make_one(app, people, pitch, kind):
    case = cases(pitch)[kind]
    person = people[case.who]
    data = person.open_form(case)
    assert data.get("submission_token")
    start = threading.Barrier(4)

    def post(n: int) -> requests.Response:
        start.wait()
        return person.send(case, data, htmx=n % 2 == 1)

    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(post, range(4)))
    assert [r.status_code for r in replies] == [303] * 4, [r.text[:300] for r in replies]
    assert len({r.headers["Location"] for r in replies}) == 1
    with app.app_context():
        assert case.count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_sending_the_form_again_lands_on_what_was_made(app, people, pitch, kind):
    case = cases(pitch)[kind]
    person = people[case.who]
    data = person.open_form(case)
    first = person.send(case, data)
    assert first.status_code == 303
    # The browser's back button shows the same form, token and all; submit it again.
    again = person.send(case, data)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    landed = person.session.get(person.base + again.headers["Location"])
    assert REPEATED in landed.text
    with app.app_context():
        assert case.count() == 1
    # A new visit to the form is a new submission.
    assert person.send(case, {**person.open_form(case), **_different(kind)}).status_code == 303


def _different(kind: str) -> dict[str, str]:
    # Pages are found by title: a second page needs its own.
    return {"title": "Lost property, again"} if kind == "page" else {}


def test_a_form_without_a_token_is_a_fresh_request(app, people, pitch):
    case = cases(pitch)["comment"]
    person = people["participant"]
    data = person.open_form(case)
    del data["submission_token"]
    assert person.send(case, data).status_code == 303
    assert person.send(case, data).status_code == 303
    with app.app_context():
        assert case.count() == 2


def test_a_failed_submit_keeps_its_token_and_the_corrected_one_counts_once(app, people, pitch):
    case = cases(pitch)["pitch"]
    person = people["participant"]
    data = person.open_form(case)
    refused = person.send(case, {**data, "title": ""})
    assert refused.status_code == 422
    kept = form_fields(refused.text, case.action)
    assert kept["submission_token"] == data["submission_token"]
    assert person.send(case, data).status_code == 303
    assert person.send(case, data).status_code == 303
    with app.app_context():
        assert case.count() == 1


def test_tokens_belong_to_one_person(app, people, pitch):
    """Someone else's token, even a copied one, never hides their own submission."""
    case = cases(pitch)["comment"]
    data = people["participant"].open_form(case)
    assert people["participant"].send(case, data).status_code == 303
    copied = {**people["facilitator"].open_form(case), "submission_token": data["submission_token"]}
    assert people["facilitator"].send(case, copied).status_code == 303
    with app.app_context():
        assert case.count() == 2
