"""The demo site: rooms, a day of slots, voters' dots, a solved draft and a published programme
(v1, then v2 with a change log), stars, the parent's agenda with one clash, and a second event
still open for voting."""

from sqlalchemy import func, select

from tests import dom
from wiki.accounts.models import User
from wiki.demo import DEMO_PEOPLE, MORE_PITCHES, ROOMS, VOTERS
from wiki.events import rsvps
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.notices.models import Notice
from wiki.pitches.models import Ballot, Dot, Pitch
from wiki.schedule import agenda, drafts, versions
from wiki.schedule.models import (
    AgendaLook,
    RevisionKind,
    Room,
    ScheduleRevision,
    ScheduleVersion,
    SlotKind,
    Star,
    TimeSlot,
)
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


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_the_demo_keeps_its_first_pitches_and_its_voters_dots(app, runner):
    _seed(runner)
    with app.app_context():
        event = _event()
        titles = list(
            db.session.scalars(
                select(Pitch.title).where(Pitch.event_id == event.id).order_by(Pitch.id)
            )
        )
        assert titles[0] == "How do we make public services work for families?"
        assert len(titles) == 4 + len(MORE_PITCHES)
        dad = _user("dad")
        dads = db.session.scalars(
            select(Dot)
            .join(Ballot)
            .where(Ballot.user_id == dad.id, Ballot.event_id == event.id, Dot.count > 0)
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


def test_a_second_demo_event_stays_open_for_the_family_to_vote(app, runner, client, auth):
    _seed(runner)
    with app.app_context():
        first, second = db.session.scalars(select(Event).order_by(Event.id)).all()
        assert first.state == EventState.PUBLISHED
        assert second.state == EventState.VOTING and second.voting_open
        assert second.starts_at > first.ends_at
        household = rsvps.find_rsvp(second, _user("dad"))
        assert sorted(c.first_name for c in household.active_children) == ["Leo", "Maya"]
        slug = second.slug
    auth.login("dad", password=PASSWORDS["dad"])
    board = client.get(f"/events/{slug}/board")
    assert board.status_code == 200
    assert "Minecraft for town planners" in board.get_data(as_text=True)


def test_the_demo_draft_is_a_solved_grid_that_breaks_no_hard_rule(app, runner):
    _seed(runner)
    with app.app_context():
        event = _event()
        draft = drafts.get_draft(event)
        planned, *moves = [drafts.revision(draft, n) for n in range(1, draft.head_revision + 1)]
        assert planned.kind == RevisionKind.SOLVE
        assert len(moves) == 2
        assert {m.kind for m in moves} <= {RevisionKind.MOVE, RevisionKind.SWAP}
        assert {r.author.username for r in (planned, *moves)} == {"facilitator"}
        # The head is what v2 published.
        assert versions.latest(event).revision == draft.head_revision
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
    tables = (User, Pitch, Room, TimeSlot, ScheduleRevision, Dot, ScheduleVersion, Star, Notice)
    with app.app_context():
        counts = {m: _count(m) for m in (*tables, AgendaLook)}
    again = runner.invoke(args=["seed-demo"])
    assert "not seeded" in again.output
    with app.app_context():
        assert {m: _count(m) for m in counts} == counts
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        # A forced seed makes a second demo event of its own, with the same people.
        assert _count(User) == counts[User]
        # (each seed makes the published event and the one still voting: the third is the new
        # published one)
        second = db.session.scalars(select(Event).order_by(Event.id)).all()[2]
        assert len(event_rooms(second)) == len(ROOMS)
        assert [v.number for v in versions.all_for(second)] == [2, 1]
        assert drafts.head(drafts.get_draft(second)).number == 3  # the plan and two moves
        for model in (Room, ScheduleVersion, Star, AgendaLook):
            assert _count(model) == 2 * counts[model], model


# --- the published programme --------------------------------------------------------------


def test_the_demo_programme_is_published_twice_and_v2_says_what_changed(app, runner):
    _seed(runner)
    with app.app_context():
        event = _event()
        assert event.state == EventState.PUBLISHED
        assert [v.name for v in versions.all_for(event)] == ["v2", "v1"]
        assert versions.changes(versions.get(event, 1)) == []
        log = versions.changes(versions.latest(event))
        assert log and all(c.kind == "moved" for c in log)
        assert all(" moved from " in c.text for c in log)
        # Both published grids keep every hard rule.
        problem = build_problem(event)
        for version in versions.all_for(event):
            assert validate(problem, drafts.Doc.from_json(version.grid).schedule) == []
        # The facilitator published both; the second was announced with its changes.
        assert {v.published_by.username for v in versions.all_for(event)} == {"facilitator"}


def test_the_demo_parent_has_one_clash_and_a_change_since_they_last_looked(app, runner):
    _seed(runner)
    with app.app_context():
        event = _event()
        dad = _user("dad")
        latest = versions.latest(event)
        mine = agenda.build(event, dad, latest)
        assert len(mine.clashes) == 1
        [clash] = mine.clashes
        assert len(clash.items) == 2
        assert mine.seen_version == 1
        [(name, changes)] = mine.changed
        assert name == "v2"
        moved = {c.pitch_id for c in changes}
        assert moved <= {i.session.pitch_id for i in mine.items}
        assert any(i.reasons.kinds & {agenda.CHILD} for i in mine.items)
        assert mine.starred  # stars of their own
        # Others starred sessions too, and the parent heard about the move in their inbox.
        assert (
            db.session.scalar(
                select(func.count(func.distinct(Star.user_id))).where(Star.event_id == event.id)
            )
            > 2
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Notice)
                .where(Notice.user_id == dad.id, Notice.key == f"programme:{event.id}:v2")
            )
            == 1
        )


def test_every_view_of_the_demo_programme_answers(app, runner, client, auth):
    _seed(runner)
    with app.app_context():
        slug = _event().slug
    for path in (
        "schedule",
        "schedule.xml",
        "schedule.json",
        "schedule.ics",
        "schedule.csv",
        "schedule/screen",
        "schedule/print",
    ):
        assert client.get(f"/events/{slug}/{path}").status_code == 200, path
    assert "v2" in client.get(f"/events/{slug}/schedule.xml").get_data(as_text=True)
    auth.login("dad", password=PASSWORDS["dad"])
    assert client.get(f"/events/{slug}/schedule/agenda").status_code == 200
    inbox = dom.page(client.get("/notices")).text
    assert "the programme changed (v2)" in inbox and "the programme is published" in inbox
    assert "2 unread notices" in inbox  # the header counts them
    auth.logout()
    auth.login("facilitator", password=PASSWORDS["facilitator"])
    editor_page = client.get(f"/events/{slug}/schedule/draft").get_data(as_text=True)
    assert "Published: <a" in editor_page and "Nothing has changed since v2" in editor_page


def test_seeding_the_demo_sends_no_mail_even_with_a_mail_server(make_app, smtp_sink):
    controller, inbox = smtp_sink
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    _seed(app.test_cli_runner())
    with app.app_context():
        assert _count(Notice) > 0
    assert inbox.messages == []
