"""Numbers past what the database holds, and forms missing a field, get clear answers.

Every id in a URL is a positive 32-bit integer or the route does not match (404); query
numbers out of range are 404 too; numbers in forms are checked against the bounds the
model's CHECK constraints hold (422, the message beside the field, the typed text kept).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.dom import parse
from tests.test_events import EVENT_FORM
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.pages import services as pages

BIG = [str(2**31), str(2**63), str(2**64), "9" * 30]


class Inputs(HTMLParser):
    """Collect each input's value by name, and the error texts: by fields and in the summary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.errors: list[str] = []
        self._summary = False
        self._in_error: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        if "error-summary" in classes:
            self._summary = True
        if "field__error" in classes or (self._summary and tag == "li"):
            self._in_error = tag
            self.errors.append("")

    def handle_data(self, data):
        if self._in_error:
            self.errors[-1] += data

    def handle_endtag(self, tag):
        if tag == self._in_error:
            self._in_error = None
        if tag == "div":
            self._summary = False


def parsed(response) -> Inputs:
    parser = Inputs()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture
def page(app, participant):
    """Return the slug of a page with one revision, written by the participant."""
    with app.app_context():
        outcome = pages.create_page("Venue", "The hall.\n", db.session.get(User, participant.id))
        db.session.commit()
        return outcome.page.slug


def test_edit_without_base_revision_shows_a_conflict_and_keeps_the_text(
    client, auth, page, participant
):
    auth.login(participant)
    response = client.post(
        f"/wiki/{page}/-/edit", data={"title": "Venue", "body": "The big hall.\n", "action": "save"}
    )
    # Nobody knows what the editor started from, so nothing is overwritten unseen.
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "The big hall." in body
    inputs = parsed(response)
    assert inputs.values["base_revision"].isdigit()
    again = client.post(
        f"/wiki/{page}/-/edit",
        data={
            "title": "Venue",
            "body": "The big hall.\n",
            "base_revision": inputs.values["base_revision"],
        },
    )
    assert again.status_code == 303
    assert "The big hall." in client.get(f"/wiki/{page}").get_data(as_text=True)


def test_edit_with_a_base_revision_that_is_not_a_number_is_refused_clearly(
    client, auth, page, participant
):
    auth.login(participant)
    response = client.post(
        f"/wiki/{page}/-/edit",
        data={"title": "Venue", "body": "Mine.\n", "base_revision": "abc"},
    )
    assert response.status_code == 422
    assert "reload and edit again" in " ".join(parsed(response).errors)
    assert "Mine." in response.get_data(as_text=True)


@pytest.mark.parametrize("number", BIG)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/events/govbarcamp-2026/pitches/{n}"),
        ("post", "/events/govbarcamp-2026/pitches/{n}/dots"),
        ("post", "/events/govbarcamp-2026/pitches/{n}/comments"),
        ("get", "/wiki/venue/-/revisions/{n}"),
        ("get", "/wiki/venue/-/edited-since/{n}"),
        ("get", "/-/attachments/{n}/map.png"),
        ("get", "/-/attachments/1/v{n}/map.png"),
        ("post", "/-/reports/{n}/resolve"),
        ("post", "/-/admin/users/{n}/role"),
    ],
)
def test_ids_past_the_integer_range_in_urls_are_not_found(
    client, auth, admin, page, create_event, method, path, number
):
    create_event(state="voting")
    auth.login(admin)
    response = getattr(client, method)(path.format(n=number), data={"action": "add"})
    assert response.status_code == 404


def test_the_largest_id_is_looked_up_like_any_other(client, create_event):
    create_event(state="voting")
    response = client.get(f"/events/govbarcamp-2026/pitches/{2**31 - 1}")
    assert response.status_code == 404
    assert "There is no such session pitch." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [f"to={2**31}", f"from={2**63}", f"to=2&from={2**64}", "to=-1"],
)
def test_revision_numbers_past_the_range_in_a_diff_are_not_found(client, page, query):
    assert client.get(f"/wiki/{page}/-/diff?{query}").status_code == 404


@pytest.mark.parametrize("path", ["/wiki/venue/-/history", "/-/recent"])
@pytest.mark.parametrize("number", [str(2**31), str(2**63), "0"])
def test_page_numbers_past_the_range_are_not_found(client, page, path, number):
    assert client.get(f"{path}?page={number}").status_code == 404


@pytest.mark.parametrize("path", ["/wiki/venue/-/history", "/-/recent"])
def test_a_page_number_that_is_not_a_number_shows_the_first(client, page, path):
    response = client.get(f"{path}?page=abc")
    assert response.status_code == 200
    shown = parse(response.get_data(as_text=True)).find("main")
    assert "Venue" in shown.text
    assert shown.text == parse(client.get(path).get_data(as_text=True)).find("main").text


def test_ticking_with_a_huge_base_revision_is_refused_clearly(client, auth, page, participant):
    auth.login(participant)
    response = client.post(
        f"/wiki/{page}/-/tick", data={"task": "0:1", "base_revision": str(2**63)}
    )
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)


@pytest.mark.parametrize("into", [str(2**31), str(2**63), "-1", "abc", ""])
def test_merging_into_an_impossible_session_is_explained(
    app, client, auth, facilitator, create_event, create_user, into
):
    from wiki.events import services as events
    from wiki.pitches import services as pitches

    create_event(state="voting")
    host = create_user("host")
    with app.app_context():
        event = events.find_event("govbarcamp-2026")
        made = pitches.create_pitch(
            event, pitches.PitchDetails(title="Picnic"), db.session.get(User, host.id)
        )
        db.session.commit()
        pitch_id = made.id
    auth.login(facilitator)
    response = client.post(f"/events/govbarcamp-2026/pitches/{pitch_id}/merge", data={"into": into})
    assert response.status_code == 422
    assert "Choose the session to merge this one into." in response.get_data(as_text=True)


@pytest.mark.parametrize("target_id", [str(2**31), str(2**63), "-1", "abc"])
def test_reporting_an_impossible_target_is_not_found(client, auth, participant, target_id):
    auth.login(participant)
    response = client.post(
        "/-/reports", data={"target_type": "pitch", "target_id": target_id, "reason": "Spam"}
    )
    assert response.status_code == 404
    assert "There is nothing to report there" in response.get_data(as_text=True)
    shown = client.get(f"/-/reports/new?type=pitch&id={target_id}")
    assert shown.status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_dots_per_pitch": "0"}, "The most dots on one session must be a whole number from 1"),
        ({"dots_per_person": "0"}, "Dots per person must be a whole number from 1 to 100."),
        ({"dots_per_person": str(2**31)}, "Dots per person must be a whole number from 1 to 100."),
        (
            {"dots_per_person": "9" * 30, "max_dots_per_pitch": "9" * 30},
            "Dots per person must be a whole number from 1 to 100.",
        ),
        ({"capacity": "0"}, "Capacity must be a whole number from 1 to 100,000"),
        ({"capacity": str(2**63)}, "Capacity must be a whole number from 1 to 100,000"),
        ({"capacity": "12.5"}, "Capacity must be a whole number from 1 to 100,000"),
    ],
)
def test_event_numbers_are_held_to_the_bounds_of_their_constraints(
    client, auth, facilitator, change, message
):
    auth.login(facilitator)
    response = client.post("/events/new", data={**EVENT_FORM, **change})
    assert response.status_code == 422
    inputs = parsed(response)
    assert any(message in error for error in inputs.errors), inputs.errors
    for name, typed in change.items():
        assert inputs.values[name] == typed


@pytest.mark.parametrize("adults", ["0", str(2**31), "two"])
def test_rsvp_adults_are_held_to_their_bounds(client, auth, participant, create_event, adults):
    create_event(state="registration")
    auth.login(participant)
    response = client.post(
        "/events/govbarcamp-2026/rsvp",
        data={"adults": adults, "accepted_conduct": "y", "action": "save"},
    )
    assert response.status_code == 422
    inputs = parsed(response)
    assert "A household brings from 1 to 10 adults." in " ".join(inputs.errors)
    assert inputs.values["adults"] == adults


def test_facilitators_cannot_save_rules_the_constraints_refuse(app, facilitator):
    """The service holds the same bounds, for callers that are not the form."""
    from datetime import date, time

    from wiki.events import services as events
    from wiki.events.models import EventError

    with app.test_request_context():
        by = db.session.get(User, facilitator.id)
        details = events.EventDetails(
            name="Camp",
            starts_on=date(2026, 10, 17),
            starts_time=time(10),
            ends_on=date(2026, 10, 17),
            ends_time=time(16),
            dots_per_person=5,
            max_dots_per_pitch=0,
        )
        with pytest.raises(EventError) as refused:
            events.create_event(details, by)
        assert refused.value.field == "max_dots_per_pitch"
