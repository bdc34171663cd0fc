"""The demo site's schedule: rooms, a day of slots, voters' dots and a solved draft."""

from sqlalchemy import func, select

from tests import dom
from wiki.accounts.models import User
from wiki.demo import DEMO_PEOPLE, MORE_PITCHES, ROOMS, VOTERS
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.schedule import drafts
from wiki.schedule.models import RevisionKind, Room, ScheduleRevision, SlotKind, TimeSlot
from wiki.schedule.problems import build_problem, event_rooms, event_slots
from wiki.schedule.solver import validate

PASSWORDS = {username: password for username, _name, _role, password in DEMO_PEOPLE}


def _seed(runner) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo content created" in result.output


def _event() -> Event:
    return db.session.scalars(select(Event).order_by(Event.id)).first()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_event_has_rooms_and_a_day_of_slots_with_family_hours(app, runner):
    _seed(runner)
    with app.app_context():
        event = _event()
        rooms = {room.name: room for room in event_rooms(event)}
        assert list(rooms) == [row.name for row in ROOMS]
        assert rooms["Family tent"].family_friendly and rooms["Family tent"].step_free
        hall = rooms["Big hall"]
        assert "projector" in hall.facility_list
        assert hall.capacity == max(room.capacity for room in rooms.values())
        assert "outdoor" in rooms["Orchard"].facility_list and rooms["Orchard"].family_friendly
        slots = event_slots(event)
        assert {slot.kind for slot in slots} == {k.value for k in SlotKind}
        assert {slot.starts_at.date() for slot in slots} == {event.starts_at.date()}
        lunch = next(slot for slot in slots if slot.kind == SlotKind.LUNCH)
        sessions = [slot for slot in slots if slot.is_session]
        assert all(s.family_hours == (s.starts_at < lunch.starts_at) for s in sessions)
        assert any(s.family_hours for s in sessions)


def test_the_demo_keeps_its_first_pitches_and_stays_open_for_voting(app, runner, client, auth):
    _seed(runner)
    with app.app_context():
        event = _event()
        assert event.state == EventState.VOTING
        titles = list(db.session.scalars(select(Pitch.title).order_by(Pitch.id)))
        assert titles[0] == "How do we make public services work for families?"
        assert len(titles) == 4 + len(MORE_PITCHES)
        dad = db.session.scalar(select(User).where(User.username == "dad"))
        dads = db.session.scalars(
            select(Dot).join(Ballot).where(Ballot.user_id == dad.id, Dot.count > 0)
        ).all()
        assert sorted(dot.count for dot in dads) == [1, 2]
        voters = db.session.scalars(select(User).where(User.username.like("voter%"))).all()
        assert len(voters) == VOTERS
        voted = db.session.scalar(
            select(func.count(func.distinct(Ballot.user_id))).where(
                Ballot.user_id.in_([v.id for v in voters])
            )
        )
        assert voted == VOTERS
        for ballot in db.session.scalars(select(Ballot)):
            dots = [
                d.count for d in db.session.scalars(select(Dot).where(Dot.ballot_id == ballot.id))
            ]
            assert sum(dots) <= event.dots_per_person
            assert max(dots, default=0) <= event.max_dots_per_pitch
        slug = event.slug
    auth.login("dad", password=PASSWORDS["dad"])
    assert client.get(f"/events/{slug}/board").status_code == 200


def test_the_demo_draft_is_a_solved_grid_that_breaks_no_hard_rule(app, runner):
    _seed(runner)
    with app.app_context():
        event = _event()
        draft = drafts.get_draft(event)
        head = drafts.head(draft)
        assert head.number == 1
        assert head.kind == RevisionKind.SOLVE
        assert head.author.username == "facilitator"
        problem = build_problem(event)
        doc = drafts.head_doc(draft)
        assert len(doc.schedule) >= len(problem.pitches) - 3
        assert validate(problem, doc.schedule) == []
        assert any(problem.pitch(p).length == 2 for p in doc.schedule)
        assert any(problem.pitch(p).kid_led for p in doc.schedule)


def test_the_facilitator_sees_the_demo_grid_in_the_editor(app, runner, client, auth):
    _seed(runner)
    with app.app_context():
        event = _event()
        slug = event.slug
        placed = drafts.head_doc(drafts.get_draft(event)).schedule
    assert auth.login("facilitator", password=PASSWORDS["facilitator"]).status_code == 303
    response = client.get(f"/events/{slug}/schedule/draft")
    assert response.status_code == 200
    page = dom.page(response)
    grid = page.find("table", class_="grid")
    headings = [th.text for th in grid.find("thead").find_all("th")]
    for row in ROOMS:
        assert any(row.name in heading for heading in headings), row.name
    cards = [
        card
        for cell in grid.find_all("td", class_="grid__cell")
        for card in cell.find_all("li", class_="gcard")
    ]
    assert cards
    assert {card.get("data-pitch") for card in cards} == set(placed)


def test_seeding_again_makes_nothing_twice(app, runner):
    _seed(runner)
    with app.app_context():
        counts = {m: _count(m) for m in (User, Pitch, Room, TimeSlot, ScheduleRevision, Dot)}
    again = runner.invoke(args=["seed-demo"])
    assert "not seeded" in again.output
    with app.app_context():
        assert {m: _count(m) for m in counts} == counts
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        # A forced seed makes a second demo event of its own, with the same people.
        assert _count(User) == counts[User]
        second = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert len(event_rooms(second)) == len(ROOMS)
        assert drafts.head(drafts.get_draft(second)).number == 1
        assert _count(Room) == 2 * counts[Room]
