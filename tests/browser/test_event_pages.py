"""An organiser's event pages on a phone: readable, keyboard-usable, axe-clean."""

import pytest

from tests.browser.conftest import assert_accessible, log_in
from wiki.accounts.models import User
from wiki.events import rsvps
from wiki.events import services as events
from wiki.extensions import db
from wiki.pitches import services as pitches
from wiki.pitches import voting

EVENT = "/events/govbarcamp-2026"


@pytest.fixture
def busy_event(app, create_event, create_user, facilitator):
    """An event in voting with a family that has needs, a pitch and dots."""
    create_event(state="voting", capacity=40)
    family = create_user("dan", display_name="Dan")
    with app.test_request_context("/", method="POST"):
        event = events.find_event("govbarcamp-2026")
        dan = db.session.get(User, family.id)
        rsvps.save_rsvp(
            event,
            dan,
            rsvps.RsvpDetails(
                adults=2,
                children=[rsvps.ChildDetails("Maya", "5-8")],
                access_needs="Step-free access, please: our buggy is wide.",
                dietary_needs="No nuts",
                childcare_interest=True,
                accepted_conduct=True,
            ),
        )
        pitch = pitches.create_pitch(event, pitches.PitchDetails(title="Den building"), dan)
        voting.add_dot(event, pitch, voting.Voter(db.session.get(User, facilitator.id)))
        db.session.commit()


@pytest.mark.parametrize("path", ["", "/people", "/board", "/results", "/edit", "/rsvp", "/poster"])
def test_organiser_pages_fit_a_phone_and_pass_axe(new_page, busy_event, facilitator, path):
    page = new_page(width=360)
    log_in(page, facilitator.username)
    page.goto(EVENT + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{EVENT + path} scrolls sideways by {overflow}px at 360px"
    assert_accessible(page)
    assert page.console_errors == []
