"""A demo site, so a newcomer running campwiki for the first time sees every part."""

import random
from datetime import time, timedelta

from flask import current_app
from sqlalchemy import func, select

from wiki.accounts import services as accounts
from wiki.accounts.models import User
from wiki.accounts.passwords import hash_password
from wiki.auth import Role
from wiki.database import utcnow
from wiki.events import announcements, rsvps
from wiki.events import services as events
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.pages import services as pages
from wiki.pitches import services as pitches
from wiki.pitches import voting
from wiki.pitches.models import Pitch
from wiki.schedule import agenda, drafts, editor, publishing, versions
from wiki.schedule import services as schedule
from wiki.schedule.models import RevisionKind, SlotKind
from wiki.schedule.problems import build_problem, parse_id, schedulable_pitches
from wiki.schedule.solver import solve, validate

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
    _seed_schedule(event, people)
    _seed_voting_event(people, start + timedelta(weeks=16))
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


def _seed_voting_event(people, start) -> Event:
    """A second, later event still open for pitching and dot voting, to try the board on."""
    organiser = people["organiser"]
    event = events.create_event(
        events.EventDetails(
            name="GovBarCamp autumn: pitch and vote",
            summary="The next one: pitch a session and place your dots (and your children's).",
            description="Pitching and voting are open. The spring event's programme is out.",
            starts_on=start,
            starts_time=time(10, 0),
            ends_on=start,
            ends_time=time(16, 0),
            venue_name="Village hall",
            venue_address="The Green\nExampletown EX1 3CD",
            capacity=80,
        ),
        organiser,
    )
    events.change_state(event, EventState.REGISTRATION, organiser)
    rsvps.save_rsvp(
        event,
        people["dad"],
        rsvps.RsvpDetails(
            adults=1,
            children=[rsvps.ChildDetails("Maya", "5-8"), rsvps.ChildDetails("Leo", "9-12")],
            show_name=True,
            accepted_conduct=True,
        ),
    )
    events.change_state(event, EventState.VOTING, organiser)
    leo = next(
        c for c in rsvps.find_rsvp(event, people["dad"]).active_children if c.first_name == "Leo"
    )
    for details, host in (
        (
            pitches.PitchDetails(
                title="What we learnt in the spring",
                summary="A look back at the spring camp: what to keep, what to change.",
                format="discussion",
                tags="retro",
            ),
            people["facilitator"],
        ),
        (
            pitches.PitchDetails(
                title="Minecraft for town planners (by Leo, aged 10)",
                format="kid-led",
                audience="family",
                min_age=7,
                max_age=14,
                child_id=leo.id,
            ),
            people["dad"],
        ),
        (
            pitches.PitchDetails(
                title="School-run friendly hours for meetings",
                format="discussion",
                tags="families, policy",
            ),
            people["participant"],
        ),
    ):
        made = pitches.create_pitch(event, details, host)
        if host is people["facilitator"]:
            voting.add_dot(event, made, voting.Voter(people["participant"]))
    return event


# --- the schedule: rooms, a day of slots, more pitches and voters, a solved draft ------------

VOTERS = 60
VOTER_PASSWORD = "demo-voter-dots"
SEED = 2026  # the same voters, dots and grid every time
SOLVE_SECONDS = 3.0
SOLVE_STEPS = 60_000  # a fixed budget, well inside the time limit, so the grid is reproducible

ROOMS = [
    schedule.RoomRow(None, "Big hall", 120, step_free=True, facilities=("flip-chart", "projector")),
    schedule.RoomRow(None, "Family tent", 40, family_friendly=True, step_free=True),
    schedule.RoomRow(
        None, "Orchard", 40, family_friendly=True, step_free=True, facilities=("outdoor",)
    ),
    schedule.RoomRow(None, "Barn loft", 30, facilities=("flip-chart", "quiet")),
    schedule.RoomRow(None, "Meeting room", 16, step_free=True, facilities=("flip-chart",)),
]

# (start, end, kind, label, family hours): sessions before lunch are family hours.
DAY = [
    ("10:00", "10:30", SlotKind.PLENARY, "Welcome and pitches", False),
    ("10:30", "11:15", SlotKind.SESSION, "Morning 1", True),
    ("11:15", "12:00", SlotKind.SESSION, "Morning 2", True),
    ("12:00", "12:15", SlotKind.BREAK, "Break", False),
    ("12:15", "13:00", SlotKind.SESSION, "Morning 3", True),
    ("13:00", "14:00", SlotKind.LUNCH, "Lunch", False),
    ("14:00", "14:45", SlotKind.SESSION, "Afternoon 1", False),
    ("14:45", "15:30", SlotKind.SESSION, "Afternoon 2", False),
    ("15:30", "15:45", SlotKind.BREAK, "Break", False),
    ("15:45", "16:30", SlotKind.SESSION, "Afternoon 3", False),
    ("16:30", "17:00", SlotKind.PLENARY, "Show and tell, goodbyes", False),
]

# (title, format, topic, needs, extra): extra may set length_slots, audience, co_hosts, child.
# A host of "voterNN" is a generated voter; "Maya"/"Leo" are the demo children (led by dad).
MORE_PITCHES = [
    ("Kids teach grown-ups Scratch (by Leo, aged 10)", "kid-led", "family", [], {"child": "Leo"}),
    ("Draw your dream playground (by Maya, aged 7)", "kid-led", "family", [], {"child": "Maya"}),
    ("Bug hunt in the orchard", "outdoor", "family", ["outdoor"], {"audience": "family"}),
    (
        "Pram test: can a buggy get through your service?",
        "discussion",
        "family",
        [],
        {"audience": "family", "host": "voter07"},
    ),
    ("GOV.UK design system: what's new", "talk", "design", ["projector"], {"host": "voter01"}),
    (
        "Accessibility testing with real users",
        "workshop",
        "design",
        ["projector"],
        {"length_slots": 2, "host": "voter02", "co_hosts": "voter03"},
    ),
    (
        "Plain English clinic: bring a letter",
        "hands-on",
        "design",
        ["flip-chart"],
        {"host": "voter04"},
    ),
    ("Service design for people in crisis", "discussion", "design", ["quiet"], {"host": "voter05"}),
    ("Open data that people actually use", "talk", "data", ["projector"], {"host": "voter06"}),
    (
        "Data visualisation clinic",
        "hands-on",
        "data",
        ["flip-chart"],
        {"host": "voter08", "co_hosts": "voter09"},
    ),
    (
        "Spreadsheets are a database (and that's fine)",
        "discussion",
        "data",
        [],
        {"host": "voter10"},
    ),
    ("Ethics of AI in public services", "discussion", "data", [], {"host": "voter11"}),
    (
        "Build a prototype in 90 minutes",
        "workshop",
        "tech",
        ["flip-chart"],
        {"length_slots": 2, "host": "voter12", "co_hosts": "voter13, voter14"},
    ),
    ("Moving a legacy system to the cloud", "talk", "tech", ["projector"], {"host": "voter15"}),
    ("Open source in government: war stories", "discussion", "tech", [], {"host": "voter16"}),
    ("Writing good user stories", "workshop", "agile", ["flip-chart"], {"host": "voter17"}),
    ("Agile in a waterfall organisation", "discussion", "agile", [], {"host": "voter18"}),
    (
        "Running a retro that isn't boring",
        "hands-on",
        "agile",
        ["flip-chart"],
        {"host": "voter19", "co_hosts": "voter20"},
    ),
    ("Procurement for small suppliers", "discussion", "policy", [], {"host": "voter21"}),
    ("Policy and delivery: one team?", "discussion", "policy", ["quiet"], {"host": "voter22"}),
    (
        "Flexible working for parents and carers",
        "discussion",
        "policy",
        [],
        {"host": "participant"},
    ),
    ("Burnout and how to avoid it", "discussion", "wellbeing", ["quiet"], {"host": "voter23"}),
    ("Lunchtime walk and talk", "outdoor", "wellbeing", ["outdoor"], {"host": "voter24"}),
    (
        "Mentoring across departments",
        "discussion",
        "wellbeing",
        [],
        {"host": "facilitator", "co_hosts": "voter25"},
    ),
]

TOPICS = ["family", "design", "data", "tech", "agile", "policy", "wellbeing"]
# Topics people who like one tend to like too, so dots cluster and sessions clash.
NEAR = {
    "family": ["wellbeing", "policy"],
    "design": ["data", "agile"],
    "data": ["tech", "design"],
    "tech": ["data", "agile"],
    "agile": ["tech", "design"],
    "policy": ["family", "wellbeing"],
    "wellbeing": ["family", "policy"],
}


def _seed_schedule(event, people) -> None:
    """Rooms, a day of slots, more pitches dotted by generated voters, and a planned draft."""
    day = schedule.event_days(event)[0]
    schedule.save_rooms(event, ROOMS)
    schedule.save_slots(
        event,
        [
            schedule.SlotRow(
                None,
                day,
                time.fromisoformat(start),
                time.fromisoformat(end),
                kind=kind,
                label=label,
                family_hours=family,
            )
            for start, end, kind, label, family in DAY
        ],
    )
    voters = _voters()
    everyone = {**people, **{v.username: v for v in voters}}
    rsvp = rsvps.find_rsvp(event, people["dad"])
    children = {c.first_name: c for c in rsvp.active_children}
    topic_of = {}
    for title, format_, topic, needs, extra in MORE_PITCHES:
        child = children.get(extra.get("child", ""))
        pitch = pitches.create_pitch(
            event,
            pitches.PitchDetails(
                title=title,
                format=format_,
                length_slots=extra.get("length_slots", 1),
                audience=extra.get("audience", "everyone"),
                needs=needs,
                tags=topic,
                co_hosts=extra.get("co_hosts", ""),
                child_id=child.id if child else None,
            ),
            people["dad"] if child else everyone[extra.get("host", "facilitator")],
        )
        topic_of[pitch.id] = topic
    _seed_dots(event, voters, topic_of)
    _solve(event, people["facilitator"])
    _publish_programme(event, people["facilitator"], people["dad"])
    _seed_stars(event, people, voters)


def _voters() -> list[User]:
    """Return the generated voters, making the missing ones.

    Checked by the registration rules, but hashed once for all: sixty Argon2 hashes would
    take most of ten seconds, and these accounts share one password anyway.
    """
    password_hash = None
    voters = []
    for n in range(1, VOTERS + 1):
        username = f"voter{n:02d}"
        user = accounts.find_user(username)
        if user is None:
            problems = accounts.registration_problems(
                username,
                VOTER_PASSWORD,
                display_name=f"Voter {n}",
                invite_code=current_app.config["INVITE_CODE"],
            )
            if problems:
                raise problems[0]
            password_hash = password_hash or hash_password(VOTER_PASSWORD)
            user = User(
                username=username,
                username_key=accounts.username_key(username),
                display_name=f"Voter {n}",
                password_hash=password_hash,
                role=Role.PARTICIPANT,
            )
            db.session.add(user)
        voters.append(user)
    db.session.flush()
    return voters


def _seed_dots(event, voters, topic_of) -> None:
    """Each voter likes a topic and its neighbours, and spends most of their dots on them."""
    chosen = random.Random(SEED)
    made = schedulable_pitches(event)
    for user in voters:
        voter = voting.Voter(user)
        liked = chosen.choice(TOPICS)
        weights = [
            6.0
            if topic_of.get(p.id) == liked
            else 2.0
            if topic_of.get(p.id) in NEAR[liked]
            else 0.3
            for p in made
        ]
        placed: dict[int, int] = {}
        for _ in range(chosen.randint(3, event.dots_per_person)):
            pitch = chosen.choices(made, weights)[0]
            if placed.get(pitch.id, 0) >= event.max_dots_per_pitch:
                continue
            if voting.why_not_dot(event, pitch, voter):
                continue
            voting.add_dot(event, pitch, voter)
            placed[pitch.id] = placed.get(pitch.id, 0) + 1


def _solve(event, facilitator) -> None:
    """Plan the grid in-process and save it as the draft's first revision, as a solve job does."""
    problem = build_problem(event)
    result = solve(problem, time_limit=SOLVE_SECONDS, seed=SEED, method="anneal", steps=SOLVE_STEPS)
    draft = drafts.get_draft(event)
    doc = drafts.Doc(
        schedule=dict(result.grid.schedule),
        meta={k: v for k, v in result.meta.items() if isinstance(v, str | int | float | None)},
    )
    drafts.commit(
        draft,
        draft.head_revision,
        RevisionKind.SOLVE,
        doc,
        f"Planned the grid: {result.score.scheduled} sessions placed",
        facilitator,
    )


# --- the published programme: v1, a re-plan, v2 with its change log, stars -----------------


def _publish_programme(event, facilitator, parent) -> None:
    """Close voting, publish the solved draft as v1, move two sessions and publish v2.

    One of the moved sessions is the parent's, and the parent last looked at v1, so their
    agenda shows what changed since. Publishing needs a request (its notices link to pages);
    the demo accounts have no e-mail address, so no mail is sent even when a server is set.
    """
    events.change_state(event, EventState.VOTING_CLOSED, facilitator)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"] or None):
        draft = drafts.get_draft(event)
        publishing.publish(event, facilitator, draft.head_revision)
        agenda.record_look(event, parent, 1)
        theirs = set(agenda.reasons_for(event, parent))
        problem = editor.built_problem(event)
        doc = drafts.head_doc(draft).for_problem(problem)
        mine = sorted(p for p in doc.schedule if parse_id(p, "p") in theirs)
        others = sorted(p for p in doc.schedule if parse_id(p, "p") not in theirs)
        # One of theirs to another time, then someone else's to another room at its time.
        for candidates, to_another_time in ((mine, True), (others, False)):
            edit = _a_move(problem, doc, candidates, to_another_time=to_another_time)
            if edit is not None:
                drafts.apply(draft, draft.head_revision, edit, facilitator)
                doc = edit.doc
        publishing.publish(event, facilitator, draft.head_revision)


def _a_move(problem, doc, candidates, *, to_another_time: bool) -> drafts.Edit | None:
    """Return a move of one of ``candidates`` that keeps every hard rule, or None.

    To another time: into a free cell if one fits, else swapping with a one-slot session of
    someone else, and never into a slot another candidate runs in (so the parent's agenda gains
    no clash by it). Otherwise: to another room at the same time, into a free cell.
    """
    occupant = {
        (room, slot): pid
        for pid, (room, first) in doc.schedule.items()
        for slot in problem.occupied_slots(pid, first)
    }
    busy = {
        slot for pid in candidates for slot in problem.occupied_slots(pid, doc.schedule[pid][1])
    }
    for swapping in (False, True) if to_another_time else (False,):
        for pid in candidates:
            if problem.pitch(pid).length != 1:
                continue
            room, first = doc.schedule[pid]
            for slot in problem.slots:
                if not slot.is_session or (slot.id != first) != to_another_time:
                    continue
                if to_another_time and slot.id in busy:
                    continue
                for other in problem.rooms:
                    there = occupant.get((other.id, slot.id))
                    if (other.id, slot.id) == (room, first) or (there is not None) != swapping:
                        continue
                    if there is not None and problem.pitch(there).length != 1:
                        continue
                    edit = drafts.move(problem, doc, pid, other.id, slot.id)
                    if not validate(problem, edit.doc.schedule):
                        return edit
    return None


def _seed_stars(event, people, voters) -> None:
    """Stars: the parent's make exactly one clash on their agenda; others star for realism."""
    version = versions.latest(event)
    programme = versions.programme(version)
    parent = people["dad"]
    pitches_by_id = {
        p.id: p for p in db.session.scalars(select(Pitch).where(Pitch.event_id == event.id))
    }
    mine = agenda.build(event, parent, version)
    my_slots = {slot for item in mine.items for slot in item.session.slot_ids}
    free = [
        s for s in programme.sessions if s.pitch_id not in {i.session.pitch_id for i in mine.items}
    ]
    if not mine.clashes:
        # A session at the same time as exactly one of theirs, and clear of the rest.
        clashing = next(s for s in free if sum(slot in my_slots for slot in s.slot_ids) == 1)
        agenda.star(event, parent, pitches_by_id[clashing.pitch_id])
    # And one that fits a gap in their day.
    fits = next((s for s in free if not my_slots & set(s.slot_ids)), None)
    if fits is not None:
        agenda.star(event, parent, pitches_by_id[fits.pitch_id])
    chosen = random.Random(SEED)
    for user in [people["participant"], people["organiser"], *voters[::3]]:
        for session in chosen.sample(programme.sessions, 2):
            agenda.star(event, user, pitches_by_id[session.pitch_id])
