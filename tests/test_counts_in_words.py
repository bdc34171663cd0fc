"""Counts read right: "1 dot", "1 household", "4 people need places; 3 are left"."""

import pytest

from tests.dom import page
from wiki.accounts.models import User
from wiki.events import rsvps
from wiki.events import services as events
from wiki.extensions import db
from wiki.pitches import services as pitches
from wiki.words import are_left, plural

EVENT = "/events/govbarcamp-2026"
SLUG = "govbarcamp-2026"


@pytest.mark.parametrize(
    ("n", "word", "said"),
    [
        (0, "dot", "0 dots"),
        (1, "dot", "1 dot"),
        (2, "dot", "2 dots"),
        (1, "child", "1 child"),
        (3, "child", "3 children"),
        (1, "person", "1 person"),
        (0, "person", "0 people"),
        (1, "household", "1 household"),
        (1500, "place", "1,500 places"),
    ],
)
def test_plural_says_one_and_many(n, word, said):
    assert plural(n, word) == said


def test_plural_is_a_template_filter(app):
    template = app.jinja_env.from_string('{{ 1|plural("dot") }}, {{ 2|plural("child") }}')
    assert template.render() == "1 dot, 2 children"


@pytest.mark.parametrize(("n", "said"), [(0, "none are left"), (1, "1 is left"), (3, "3 are left")])
def test_what_is_left(n, said):
    assert are_left(n) == said


@pytest.fixture
def rsvp(app):
    """Return a function that RSVPs ``user``'s household and returns what they are told."""

    def factory(user, adults=1, children=()):
        with app.test_request_context("/", method="POST"):
            outcome = rsvps.save_rsvp(
                events.find_event(SLUG),
                db.session.get(User, user.id),
                rsvps.RsvpDetails(
                    adults=adults,
                    children=[rsvps.ChildDetails(name, "5-8") for name in children],
                    accepted_conduct=True,
                ),
            )
            db.session.commit()
            return outcome.message

    return factory


def test_a_household_that_does_not_fit_is_told_how_many_places_are_left(
    create_event, create_user, rsvp
):
    create_event(state="registration", capacity=4)
    rsvp(create_user("ann"))
    message = rsvp(create_user("dan"), adults=2, children=["Maya", "Sam"])
    assert message.startswith("4 people need places; 3 are left, so your household is number 1")
    assert "The event is full" not in message
    rsvp(create_user("bob"), adults=3)
    message = rsvp(create_user("cat"))
    assert message.startswith("2 households were waiting first, so your household is number 3")


def test_one_person_when_nothing_is_left(client, create_event, create_user, rsvp):
    create_event(state="registration", capacity=1)
    rsvp(create_user("ann"))
    message = rsvp(create_user("bob"))
    assert message.startswith("1 person needs a place; none are left, so your household is")
    assert whos_coming(client) == "1 person in 1 household. No places left. 1 household waiting."


def whos_coming(client) -> str:
    doc = page(client.get(EVENT))
    facts = [e for e in doc.find("dl", class_="facts").children if not isinstance(e, str)]
    dt = next(e for e in facts if e.text == "Who's coming")
    return facts[facts.index(dt) + 1].text


def test_who_is_coming_reads_right_for_none_one_and_many(
    client, auth, create_event, create_user, rsvp
):
    create_event(state="registration", capacity=4)
    assert whos_coming(client) == "0 people in 0 households. 4 places left."
    rsvp(create_user("ann"), adults=1, children=["Maya"])
    assert whos_coming(client) == ("2 people in 1 household, including 1 child. 2 places left.")
    rsvp(create_user("bob"))
    assert whos_coming(client) == ("3 people in 2 households, including 1 child. 1 place left.")
    rsvp(create_user("cat"), adults=2)
    assert whos_coming(client) == (
        "3 people in 2 households, including 1 child. 1 place left. 1 household waiting."
    )
    rsvp(create_user("dot"))  # fits, but Cat was first: strictly in order
    assert whos_coming(client) == (
        "3 people in 2 households, including 1 child. 1 place left. 2 households waiting."
    )
    dan = create_user("dan")
    rsvp(dan, adults=1, children=["Ivy", "Jo"])
    auth.login(dan)
    notice = page(client.get(EVENT)).find("p", class_="notice--info").text
    assert notice.startswith("3 people need places; 1 is left, so your household is number 3")


def test_one_dot_reads_as_one_dot(app, client, auth, create_event, create_user):
    create_event(state="voting", dots_per_person=1, max_dots_per_pitch=1)
    host = create_user("host")
    voter = create_user("val")
    with app.app_context():
        event = events.find_event(SLUG)
        pitch = pitches.create_pitch(
            event, pitches.PitchDetails(title="Den building"), db.session.get(User, host.id)
        )
        db.session.commit()
        pitch_id = pitch.id
    auth.login(voter)
    board = page(client.get(f"{EVENT}/board")).find("main").text
    assert "Everyone has 1 dot to place; at most 1 on one session." in board
    assert "1 dot left" in board
    client.post(f"{EVENT}/pitches/{pitch_id}/dots", data={"action": "add"})
    refused = client.post(
        f"{EVENT}/pitches/{pitch_id}/dots", data={"action": "add"}, headers={"HX-Request": "true"}
    )
    assert "no dots left: the only one is placed" in refused.get_data(as_text=True)
    card = page(client.get(f"{EVENT}/board")).find("li", id=f"pitch-{pitch_id}")
    assert "Dots: 1" in card.text and "1 dots" not in card.text
    results = page(client.get(f"{EVENT}/results")).find("ol", class_="results").text
    assert "1 dot (1 from adults, 0 from children)" in results


def test_organisers_counts_read_right(client, auth, create_event, create_user, facilitator, rsvp):
    create_event(state="registration", capacity=1)
    rsvp(create_user("ann"))
    rsvp(create_user("bob"))
    auth.login(facilitator)
    people = page(client.get(f"{EVENT}/people")).find("main").text
    assert "1 person (1 adult, 0 children) in 1 household" in people
    assert "1 person in 1 household" in people


def test_a_one_byte_change_is_one_byte(client, auth, participant):
    auth.login(participant)
    client.post("/-/new", data={"title": "Tea", "body": "Tea", "action": "save"})
    history = page(client.get("/wiki/tea/-/history")).find("main").text
    assert "+4 bytes" in history  # "Tea" and the line end
    edit = page(client.get("/wiki/tea/-/edit"))
    base = edit.find("input", name="base_revision").get("value")
    client.post(
        "/wiki/tea/-/edit",
        data={"title": "Tea", "body": "Teas", "base_revision": base, "action": "save"},
    )
    history = page(client.get("/wiki/tea/-/history")).find("main").text
    assert "+1 byte" in history and "+1 bytes" not in history
