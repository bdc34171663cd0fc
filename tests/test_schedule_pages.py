"""Rooms and slots grids, availability, pitches on the day, and copying an event's layout."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from tests.schedule_camp import build_camp
from wiki.accounts.models import Role, User
from wiki.events.models import Event
from wiki.extensions import db
from wiki.live.models import LiveEvent
from wiki.live.services import event_topic
from wiki.pitches.models import Pitch
from wiki.schedule.models import GuestHost, Room, TimeSlot, Unavailability
from wiki.schedule.problems import build_problem


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp with rooms, slots, hosts, voters and dots."""
    return build_camp(app, create_user, create_event)


@pytest.fixture
def as_facilitator(camp, auth):
    """Log the client in as the camp's facilitator."""
    auth.login(camp.facilitator)
    return camp


def _rooms(app, camp):
    with app.app_context():
        return [
            (r.name, r.capacity, r.family_friendly, r.step_free, r.facilities)
            for r in db.session.scalars(
                select(Room).where(Room.event_id == camp.event_id).order_by(Room.position)
            )
        ]


def _slots(app, camp):
    with app.app_context():
        return db.session.scalars(
            select(TimeSlot).where(TimeSlot.event_id == camp.event_id).order_by(TimeSlot.starts_at)
        ).all()


def _room_form(rows):
    data = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if isinstance(value, list):
                data[f"rows-{i}-{key}"] = value
            elif value is True:
                data[f"rows-{i}-{key}"] = "y"
            elif value is not False:
                data[f"rows-{i}-{key}"] = str(value)
    return data


def test_rooms_page_shows_a_row_per_room_and_blank_rows(client, as_facilitator):
    page = client.get(f"/events/{as_facilitator.slug}/schedule/rooms")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Family tent"' in html and 'value="Meadow"' in html
    assert 'name="rows-4-name"' in html  # three rooms, two spare rows
    assert "Capacity<span" in html  # every cell has its label


def test_rooms_saved_added_renamed_and_removed(app, client, as_facilitator):
    camp = as_facilitator
    rows = [
        {
            "id": camp.rooms[0],
            "name": "Kids tent",
            "capacity": 25,
            "family_friendly": True,
            "facilities": ["flip-chart", "quiet"],
        },
        {
            "id": camp.rooms[1],
            "name": "Hall",
            "capacity": 90,
            "step_free": True,
            "facilities": ["projector"],
            "order": 0,
        },
        {"id": camp.rooms[2], "name": "Meadow", "capacity": 40, "remove": True},
        {"name": "Library", "capacity": 12, "facilities": ["quiet"]},
        {"name": "", "capacity": ""},
    ]
    response = client.post(
        f"/events/{camp.slug}/schedule/rooms", data={**_room_form(rows), "action": "save"}
    )
    assert response.status_code == 303
    assert _rooms(app, camp) == [
        ("Hall", 90, False, True, "projector"),
        ("Kids tent", 25, True, False, "flip-chart,quiet"),
        ("Library", 12, False, False, "quiet"),
    ]


def test_rooms_may_swap_names(app, client, as_facilitator):
    camp = as_facilitator
    rows = [
        {"id": camp.rooms[0], "name": "Hall", "capacity": 30},
        {"id": camp.rooms[1], "name": "Family tent", "capacity": 80},
        {"id": camp.rooms[2], "name": "Meadow", "capacity": 40},
    ]
    response = client.post(
        f"/events/{camp.slug}/schedule/rooms", data={**_room_form(rows), "action": "save"}
    )
    assert response.status_code == 303
    assert [r[0] for r in _rooms(app, camp)] == ["Hall", "Family tent", "Meadow"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"name": "Shed", "capacity": ""}], "Say how many people the room holds."),
        ([{"name": "Shed", "capacity": "0"}], "A room holds 1 to 100,000 people."),
        ([{"name": "Shed", "capacity": "lots"}], "A room holds 1 to 100,000 people."),
        ([{"name": "", "capacity": "10"}], "Give the room a name."),
        (
            [{"name": "Shed", "capacity": "10"}, {"name": "shed", "capacity": "5"}],
            "Another room is called “shed”: each room needs its own name.",
        ),
    ],
)
def test_rooms_refused_with_a_message_and_nothing_saved(app, client, as_facilitator, rows, message):
    camp = as_facilitator
    before = _rooms(app, camp)
    # A good change rides along: it must not be saved either.
    good = {"id": camp.rooms[0], "name": "Renamed tent", "capacity": 30}
    response = client.post(
        f"/events/{camp.slug}/schedule/rooms",
        data={**_room_form([good, *rows]), "action": "save"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message.replace("“", "&#8220;") in html or message in html
    assert "Nothing was saved" in html or "There is a problem" in html
    assert 'value="Renamed tent"' in html  # what was typed stays
    assert _rooms(app, camp) == before


def test_more_blank_rows_keeps_what_was_typed(app, client, as_facilitator):
    camp = as_facilitator
    rows = [{"name": "Typed but not saved", "capacity": 5}]
    response = client.post(
        f"/events/{camp.slug}/schedule/rooms", data={**_room_form(rows), "action": "add"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Typed but not saved"' in html and 'name="rows-2-name"' in html
    assert len(_rooms(app, camp)) == 3


def test_rooms_fragment_for_htmx(client, as_facilitator):
    response = client.get(
        f"/events/{as_facilitator.slug}/schedule/rooms", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("role", ["anonymous", "participant"])
def test_schedule_set_up_pages_are_for_facilitators(client, camp, auth, participant, role):
    if role == "participant":
        auth.login(participant)
    for page in ("rooms", "slots", "day-pitches"):
        response = client.get(f"/events/{camp.slug}/schedule/{page}")
        assert response.status_code in (302, 403), page


def _slot_form(rows):
    data = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"rows-{i}-{key}"] = "y"
            elif value is not False:
                data[f"rows-{i}-{key}"] = str(value)
    return data


def _day(app, camp) -> str:
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        from zoneinfo import ZoneInfo

        return event.starts_at.astimezone(ZoneInfo(event.timezone)).date().isoformat()


def test_slots_saved_in_local_time(app, client, as_facilitator):
    camp = as_facilitator
    day = _day(app, camp)
    rows = [
        {
            "day": day,
            "start": "09:30",
            "end": "10:15",
            "kind": "session",
            "label": "Early",
            "family_hours": True,
        },
        {"day": day, "start": "10:15", "end": "10:30", "kind": "break", "label": "Tea"},
        {"day": day, "start": "10:30", "end": "11:15", "kind": "session", "label": "Late"},
    ]
    response = client.post(
        f"/events/{camp.slug}/schedule/slots", data={**_slot_form(rows), "action": "save"}
    )
    assert response.status_code == 303
    slots = _slots(app, camp)
    assert [(s.kind, s.label, s.family_hours) for s in slots] == [
        ("session", "Early", True),
        ("break", "Tea", False),
        ("session", "Late", False),
    ]
    with app.app_context():
        problem = build_problem(db.session.get(Event, camp.event_id))
    assert [(s.start, s.end) for s in problem.slots] == [
        ("09:30", "10:15"),
        ("10:15", "10:30"),
        ("10:30", "11:15"),
    ]


@pytest.mark.parametrize(
    ("rows", "messages"),
    [
        (
            [{"start": "10:00", "end": "09:30", "label": "Backwards"}],
            ["This slot ends (09:30) before it starts (10:00)."],
        ),
        (
            [
                {"start": "10:00", "end": "11:00", "label": "First"},
                {"start": "10:30", "end": "11:30", "label": "Second"},
            ],
            ["Overlaps “Second” (", "Overlaps “First” ("],
        ),
        ([{"start": "", "end": "11:00", "label": "No start"}], ["Say when the slot starts."]),
    ],
)
def test_slots_refused_with_a_message_and_nothing_saved(
    app, client, as_facilitator, rows, messages
):
    camp = as_facilitator
    day = _day(app, camp)
    before = [(s.id, s.starts_at) for s in _slots(app, camp)]
    rows = [{"day": day, "kind": "session", **row} for row in rows]
    response = client.post(
        f"/events/{camp.slug}/schedule/slots", data={**_slot_form(rows), "action": "save"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in messages:
        assert message in html
    assert [(s.id, s.starts_at) for s in _slots(app, camp)] == before


def test_day_pattern_fills_the_grid_without_saving(app, client, as_facilitator):
    camp = as_facilitator
    day = _day(app, camp)
    response = client.post(
        f"/events/{camp.slug}/schedule/slots",
        data={
            "action": "pattern",
            "pattern-day": day,
            "pattern-first_start": "09:00",
            "pattern-sessions": "4",
            "pattern-session_minutes": "45",
            "pattern-break_minutes": "15",
            "pattern-lunch_after": "2",
            "pattern-lunch_minutes": "60",
            "pattern-family_sessions": "2",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Session 4"' in html and 'value="Lunch"' in html
    assert 'value="12:45"' in html  # S1 09:00, break, S2 10:00, lunch 10:45, S3 11:45, S4 12:45
    assert len(_slots(app, camp)) == 7


def test_availability_for_self_and_child(app, client, auth, camp):
    with app.app_context():
        guardian = db.session.get(User, camp.guardian_id)
        username = guardian.username
    auth.login(username)
    page = client.get(f"/events/{camp.slug}/schedule/availability")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kit (your child)" in html
    first, second = camp.session_slots[:2]
    assert (
        client.post(
            f"/events/{camp.slug}/schedule/availability",
            data={"person": "me", "slots": [str(first)]},
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/events/{camp.slug}/schedule/availability",
            data={"person": f"c{camp.child_id}", "slots": [str(second)]},
        ).status_code
        == 303
    )
    with app.app_context():
        marks = db.session.scalars(
            select(Unavailability).where(Unavailability.event_id == camp.event_id)
        ).all()
        assert {(m.user_id, m.child_id, m.slot_id) for m in marks} >= {
            (camp.guardian_id, None, first),
            (None, camp.child_id, second),
        }
        problem = build_problem(db.session.get(Event, camp.event_id))
    assert problem.unavailable[f"u{camp.guardian_id}"] == {f"s{first}"}
    assert problem.unavailable[f"c{camp.child_id}"] == {f"s{second}"}
    # Someone else's child cannot be marked; a break is not a session.
    assert (
        client.post(
            f"/events/{camp.slug}/schedule/availability", data={"person": "c999999", "slots": []}
        ).status_code
        == 404
    )
    refused = client.post(
        f"/events/{camp.slug}/schedule/availability",
        data={"person": "me", "slots": [str(camp.slots[2])]},
    )
    assert refused.status_code == 422
    assert "Choose session slots of this event." in refused.get_data(as_text=True)


def test_day_pitch_added_counts_as_a_person_and_can_be_claimed(
    app, client, as_facilitator, create_user
):
    camp = as_facilitator
    response = client.post(
        f"/events/{camp.slug}/schedule/day-pitches",
        data={"title": "Knots for beginners", "host_name": "  Sam  ", "length_slots": "2"},
    )
    assert response.status_code == 303
    page = client.get(f"/events/{camp.slug}/schedule/day-pitches").get_data(as_text=True)
    assert "Knots for beginners" in page and "Sam" in page
    with app.app_context():
        pitch = db.session.scalar(select(Pitch).where(Pitch.title == "Knots for beginners"))
        guest = pitch.guest_host
        assert not pitch.is_wish and pitch.host_name == "Sam" and pitch.length_slots == 2
        guest_id, pitch_id = guest.id, pitch.id
        problem = build_problem(db.session.get(Event, camp.event_id))
    assert problem.pitch(f"p{pitch_id}").host == f"g{guest_id}"
    assert problem.person(f"g{guest_id}").name == "Sam"
    shown = client.get(f"/events/{camp.slug}/pitches/{pitch_id}").get_data(as_text=True)
    assert "Sam" in shown
    with app.app_context():  # open boards hear of it, as of any other new pitch
        told = db.session.scalars(
            select(LiveEvent.data).where(
                LiveEvent.topic == event_topic(camp.event_id), LiveEvent.kind == "pitch-added"
            )
        ).all()
    assert told == [f'{{"pitch":{pitch_id}}}']

    sam = create_user("samuel", Role.PARTICIPANT, display_name="Samuel")
    bad = client.post(
        f"/events/{camp.slug}/schedule/day-pitches/claim",
        data={"guest_host_id": str(guest_id), "username": "nobody-here"},
    )
    assert bad.status_code == 422 and "Nobody here has that username." in bad.get_data(as_text=True)
    ok = client.post(
        f"/events/{camp.slug}/schedule/day-pitches/claim",
        data={"guest_host_id": str(guest_id), "username": "samuel"},
    )
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.get(GuestHost, guest_id).claimed_by_id == sam.id
        assert db.session.get(Pitch, pitch_id).host_id == sam.id
        problem = build_problem(db.session.get(Event, camp.event_id))
    assert problem.pitch(f"p{pitch_id}").host == f"u{sam.id}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "host_name": "Sam"}, "Give the session a title."),
        ({"title": "Knots", "host_name": " "}, "Type the host&#39;s name, as they gave it."),
    ],
)
def test_day_pitch_refused_without_title_or_name(app, client, as_facilitator, data, message):
    response = client.post(f"/events/{as_facilitator.slug}/schedule/day-pitches", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(GuestHost)) is None


def test_copying_an_event_copies_rooms_and_slots_onto_its_dates(app, client, as_facilitator):
    camp = as_facilitator
    from wiki.events import services as events

    with app.app_context():
        source = db.session.get(Event, camp.event_id)
        by = db.session.get(User, camp.facilitator_id)
        details = events.EventDetails(
            name="Schedule Camp 2027",
            starts_on=date(2027, 3, 20),
            starts_time=time(10, 0),
            ends_on=date(2027, 3, 20),
            ends_time=time(17, 0),
            timezone=source.timezone,
        )
        copy = events.create_event(details, by, copy_from=source)
        db.session.commit()
        copy_id = copy.id
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(source.timezone)
        old = [
            (s.starts_at.astimezone(zone).time(), s.kind, s.label)
            for s in db.session.scalars(
                select(TimeSlot)
                .where(TimeSlot.event_id == camp.event_id)
                .order_by(TimeSlot.starts_at)
            )
        ]
        new = db.session.scalars(
            select(TimeSlot).where(TimeSlot.event_id == copy_id).order_by(TimeSlot.starts_at)
        ).all()
        assert [(s.starts_at.astimezone(zone).time(), s.kind, s.label) for s in new] == old
        assert {s.starts_at.astimezone(zone).date() for s in new} == {date(2027, 3, 20)}
        rooms = db.session.scalars(select(Room).where(Room.event_id == copy_id)).all()
        assert sorted(r.name for r in rooms) == ["Family tent", "Hall", "Meadow"]


def test_event_page_links_the_schedule_pages_for_facilitators(client, as_facilitator):
    html = client.get(f"/events/{as_facilitator.slug}").get_data(as_text=True)
    assert f"/events/{as_facilitator.slug}/schedule/rooms" in html
    assert f"/events/{as_facilitator.slug}/schedule/day-pitches" in html


def test_rooms_refused_over_htmx_answers_the_grid_fragment(app, client, as_facilitator):
    camp = as_facilitator
    response = client.post(
        f"/events/{camp.slug}/schedule/rooms",
        data={**_room_form([{"name": "Shed", "capacity": ""}]), "action": "save"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form method="post"') and "<html" not in html
    assert "Say how many people the room holds." in html
    assert len(_rooms(app, camp)) == 3


def test_archived_event_layout_cannot_change(app, client, as_facilitator):
    camp = as_facilitator
    with app.app_context():
        db.session.get(Event, camp.event_id).state = "over"
        db.session.commit()
    response = client.post(
        f"/events/{camp.slug}/schedule/rooms",
        data={**_room_form([{"name": "Shed", "capacity": "3"}]), "action": "save"},
    )
    assert response.status_code == 403
    assert len(_rooms(app, camp)) == 3


def test_facilitator_marks_a_guest_host_unavailable(app, client, as_facilitator):
    camp = as_facilitator
    client.post(
        f"/events/{camp.slug}/schedule/day-pitches",
        data={"title": "Bread on a stick", "host_name": "Robin", "length_slots": "1"},
    )
    with app.app_context():
        guest_id = db.session.scalar(select(GuestHost.id).where(GuestHost.name == "Robin"))
    page = client.get(f"/events/{camp.slug}/schedule/availability").get_data(as_text=True)
    assert "Robin (pitched on the day)" in page
    slot = camp.session_slots[0]
    response = client.post(
        f"/events/{camp.slug}/schedule/availability",
        data={"person": f"g{guest_id}", "slots": [str(slot)]},
    )
    assert response.status_code == 303
    with app.app_context():
        problem = build_problem(db.session.get(Event, camp.event_id))
    assert problem.unavailable[f"g{guest_id}"] == {f"s{slot}"}


def test_a_participant_cannot_mark_a_guest_host(app, client, auth, camp, participant):
    with app.app_context():
        guest = GuestHost(event_id=camp.event_id, name="Robin")
        db.session.add(guest)
        db.session.commit()
        guest_id = guest.id
    auth.login(participant)
    response = client.post(
        f"/events/{camp.slug}/schedule/availability",
        data={"person": f"g{guest_id}", "slots": [str(camp.session_slots[0])]},
    )
    assert response.status_code == 404


def test_spare_slot_rows_start_blank(client, as_facilitator):
    html = client.get(f"/events/{as_facilitator.slug}/schedule/slots").get_data(as_text=True)
    spare = html.split('name="rows-7-day"')[1].split("</select>")[0]
    assert spare.startswith('><option value="">Choose a day</option>') and "selected" not in spare
