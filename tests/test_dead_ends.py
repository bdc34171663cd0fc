"""No dead ends: nobody is shown a link or button that only answers "you may not" or "too late"."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.dom import page
from wiki.accounts.models import Role, User
from wiki.events import rsvps
from wiki.events import services as events
from wiki.events.models import EventState
from wiki.extensions import db
from wiki.pages import services as pages
from wiki.pitches import services as pitches

EVENT = "/events/govbarcamp-2026"
SLUG = "govbarcamp-2026"
ROLES = ["anonymous", "participant", "facilitator"]
PITCHING = {"registration", "voting"}


@pytest.fixture
def camp(app, create_event, create_user):
    """Return a function that makes the event, in ``state``, with a pitch, RSVP and pages."""

    def factory(state: str, **details):
        create_event(state="registration", **details)
        host = create_user("host", display_name="Hannah Host")
        guest = create_user("priya", display_name="Priya")
        create_user("fran", Role.FACILITATOR, display_name="Fran")
        with app.test_request_context("/", method="POST"):
            event = events.find_event(SLUG)
            author = db.session.get(User, host.id)
            rsvps.save_rsvp(
                event,
                db.session.get(User, guest.id),
                rsvps.RsvpDetails(adults=1, accepted_conduct=True),
            )
            pitch = pitches.create_pitch(event, pitches.PitchDetails(title="Den building"), author)
            locked = pages.create_page("House rules", "Be kind. See [[Car park]].", author).page
            pages.set_protected(locked, True)
            organiser = db.session.scalar(select(User).where(User.username == "organiser"))
            order = list(EventState)
            target = EventState(state)
            if target == EventState.PROPOSAL:
                events.change_state(event, target, organiser)
            for step in order[order.index(EventState.REGISTRATION) + 1 : order.index(target) + 1]:
                events.change_state(event, step, organiser)
            db.session.commit()
            return pitch.id

    return factory


def log_in_as(auth, role: str) -> None:
    if role != "anonymous":
        auth.login({"participant": "priya", "facilitator": "fran"}[role])


def links(doc) -> set[str]:
    """Return the site's own addresses that the page links to (red links to pages not yet
    written are meant to find nothing there: they offer to start the page)."""
    found = set()
    for a in doc.find_all("a", href=True):
        if "wikilink-new" in (a.get("class") or "").split():
            continue
        href = a.get("href")
        parts = urlsplit(href)
        if href.startswith("/") and not href.startswith("//") and not parts.netloc:
            found.add(parts._replace(fragment="").geturl())
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ["proposal", "registration", "voting", "voting_closed", "over"])
def test_pitch_a_session_only_while_pitching_is_open(client, auth, camp, role, state):
    camp(state)
    log_in_as(auth, role)
    new = f"{EVENT}/pitches/new"
    open_ = state in PITCHING
    board = page(client.get(f"{EVENT}/board"))
    if role == "anonymous":
        offered = board.find("a", text="Log in to pitch") is not None
    else:
        offered = board.find("a", href=new) is not None
    assert offered == open_
    for where in (EVENT, f"{EVENT}/board"):
        main = page(client.get(where)).find("main")
        pitch_links = [
            a.text
            for a in main.find_all("a", data_confirm=None)  # not the facilitator's state moves
            if "pitch" in a.text.lower()
        ]
        assert bool(pitch_links) == open_, (where, pitch_links)
    if state not in PITCHING and role != "anonymous":
        closed = page(client.get(new))
        assert "This event is not taking pitches now" in closed.find("main").text
        assert closed.find("form", action=new) is None


@pytest.mark.parametrize(
    ("role", "offered"), [("anonymous", False), ("participant", False), ("facilitator", True)]
)
def test_results_csv_is_offered_only_to_those_who_may_download_it(
    client, auth, camp, role, offered
):
    camp("voting_closed")
    log_in_as(auth, role)
    csv = f"{EVENT}/results.csv"
    assert (page(client.get(f"{EVENT}/results")).find("a", href=csv) is not None) == offered
    assert (client.get(csv).status_code == 200) == offered


@pytest.mark.parametrize(
    ("role", "offered"), [("anonymous", False), ("participant", False), ("facilitator", True)]
)
def test_hidden_results_are_not_linked_until_revealed(client, auth, camp, role, offered):
    camp("voting_closed", hide_tallies=True)
    log_in_as(auth, role)
    results = f"{EVENT}/results"
    for where in (EVENT, f"{EVENT}/board"):
        assert (page(client.get(where)).find("a", href=results) is not None) == offered, where


def test_protected_pages_offer_editing_only_to_facilitators(client, auth, camp):
    camp("registration")
    for role, offered in (("anonymous", False), ("participant", False), ("facilitator", True)):
        log_in_as(auth, role)
        doc = page(client.get("/wiki/house-rules"))
        assert (doc.find("a", href="/wiki/house-rules/-/edit") is not None) == offered, role
        auth.logout()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("state", "details"),
    [
        ("registration", {"capacity": 10}),
        ("voting", {"hide_tallies": True}),
        ("voting_closed", {"hide_tallies": True}),
        ("over", {}),
    ],
)
def test_no_link_leads_to_a_refusal(client, auth, camp, role, state, details):
    pitch = camp(state, **details)
    log_in_as(auth, role)
    start = [
        "/",
        EVENT,
        f"{EVENT}/board",
        f"{EVENT}/pitches/{pitch}",
        "/wiki/house-rules",
        "/wiki/house-rules/-/history",
        "/wiki/house-rules/-/attachments",
    ]
    seen: dict[str, int] = {}
    for where in start:
        response = client.get(where)
        assert response.status_code == 200, where
        for href in links(page(response)) - set(seen):
            seen[href] = client.get(href).status_code
    refused = {href: status for href, status in seen.items() if status >= 400}
    assert refused == {}
