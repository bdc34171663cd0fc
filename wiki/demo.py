"""A demo site, so a newcomer running campwiki for the first time sees every part."""

from datetime import time, timedelta

from flask import current_app
from sqlalchemy import func, select

from wiki.accounts import services as accounts
from wiki.accounts.models import User
from wiki.auth import Role
from wiki.database import utcnow
from wiki.events import announcements, rsvps
from wiki.events import services as events
from wiki.events.models import EventState
from wiki.extensions import db
from wiki.pages import services as pages
from wiki.pitches import services as pitches
from wiki.pitches import voting

DEMO_PEOPLE = [
    ("organiser", "Olu (organiser)", Role.ADMIN, "festival-with-toilets"),
    ("facilitator", "Fran (facilitator)", Role.FACILITATOR, "kids-pitch-sessions"),
    ("participant", "Priya (participant)", Role.PARTICIPANT, "bring-the-family"),
    ("dad", "Dev (dad of two)", Role.PARTICIPANT, "bring-the-family"),
]

PAGES = {
    "Sessions": """\
Anyone can pitch a session once pitching opens: a talk, a discussion, a workshop, a walk,
or a session **led by a child** (pitched by their grown-up). Drawings are welcome as pitches.

Ideas so far:

- How do we make public services work for families? (discussion)
- Kids teach grown-ups Scratch (kid-led, ages 9-12)
- A walk round the venue's nature trail (outdoor)

See the [[Venue ideas]] too.
""",
    "Venue ideas": """\
| Venue | Toilets | Outdoor space | Step-free |
|---|---|---|---|
| Village hall | yes | small field | yes |
| City farm | yes, plus baby-changing | lots | mostly |
| University campus | plenty | quad | yes |

- [x] Ask the village hall for dates
- [ ] Visit the city farm
- [ ] Check public transport on a Saturday[^bus]

[^bus]: Some buses do not run on Sundays.
""",
}


def seed(force: bool = False) -> bool:
    """Create demo people, an event with RSVPs, and pages; False when the site is not empty."""
    if not force and db.session.scalar(select(func.count()).select_from(User)):
        return False
    people = {}
    for username, display_name, role, password in DEMO_PEOPLE:
        people[username] = accounts.find_user(username) or accounts.register_user(
            username,
            password,
            display_name=display_name,
            role=role,
            invite_code=current_app.config["INVITE_CODE"],
        )
    organiser = people["organiser"]
    start = (utcnow() + timedelta(days=60)).date()
    start = start + timedelta(days=(5 - start.weekday()) % 7)  # a Saturday
    event = events.create_event(
        events.EventDetails(
            name="GovBarCamp: bring the family",
            summary="A BarCamp for public-sector people and their families: "
            "a festival, with toilets.",
            description=(
                "An **unconference**: the people who come make the programme. Pitch a session, "
                "vote with dots, and bring the family. Children can pitch sessions too.\n\n"
                "Read and improve the proposal, then say you're coming."
            ),
            starts_on=start,
            starts_time=time(10, 0),
            ends_on=start + timedelta(days=1),
            ends_time=time(16, 0),
            venue_name="City farm",
            venue_address="1 Orchard Lane\nExampletown EX1 2AB",
            directions="Ten minutes' walk from the station; step-free path from the car park.",
            capacity=150,
        ),
        organiser,
    )
    events.change_state(event, EventState.REGISTRATION, organiser)
    for title, text in PAGES.items():
        pages.create_page(title, text, people["facilitator"], summary="Demo page")
    announcements.post_announcement(
        event,
        "Toilets confirmed!",
        "The farm has toilets, baby-changing and a quiet room. Bring wellies.",
        people["facilitator"],
    )
    rsvps.save_rsvp(
        event,
        people["dad"],
        rsvps.RsvpDetails(
            adults=2,
            children=[
                rsvps.ChildDetails("Maya", "5-8"),
                rsvps.ChildDetails("Leo", "9-12"),
            ],
            dietary_needs="One vegetarian",
            childcare_interest=True,
            show_name=True,
            accepted_conduct=True,
        ),
    )
    rsvps.save_rsvp(
        event, people["participant"], rsvps.RsvpDetails(show_name=True, accepted_conduct=True)
    )
    _seed_pitches(event, people)
    return True


def _seed_pitches(event, people) -> None:
    events.change_state(event, EventState.VOTING, people["organiser"])
    maya = next(c for c in rsvps.find_rsvp(event, people["dad"]).active_children)
    made = [
        pitches.create_pitch(
            event,
            pitches.PitchDetails(
                title="How do we make public services work for families?",
                summary="A round-table: what got in the way of coming last time, and what "
                "would make it easy to bring the kids.",
                format="discussion",
                tags="families, services",
            ),
            people["participant"],
        ),
        pitches.create_pitch(
            event,
            pitches.PitchDetails(
                title="Dinosaur facts (by Maya, aged 7)",
                summary="Maya tells you everything about dinosaurs. Questions welcome!",
                format="kid-led",
                audience="family",
                min_age=4,
                max_age=10,
                child_id=maya.id,
            ),
            people["dad"],
        ),
        pitches.create_pitch(
            event,
            pitches.PitchDetails(
                title="A walk round the nature trail",
                format="outdoor",
                audience="family",
                needs=["outdoor", "step-free"],
                tags="nature, outdoors",
            ),
            people["facilitator"],
        ),
        pitches.create_pitch(
            event,
            pitches.PitchDetails(
                title="Someone run a data-visualisation clinic?",
                wish=True,
                tags="data",
            ),
            people["participant"],
        ),
    ]
    voter = voting.Voter(people["dad"])
    for pitch in (made[0], made[0], made[2]):
        voting.add_dot(event, pitch, voter)
    voting.add_dot(event, made[2], voting.Voter(people["participant"]))
