"""The venue's pure core: what the screen says when, and the printed grid's spans and breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.unit.pure import modules_loaded_by
from wiki.schedule import programme as p
from wiki.schedule import venue

T0 = datetime(2027, 6, 12, 9, 0, tzinfo=UTC)  # 10:00 in London
DAY2 = T0 + timedelta(days=1)


def _slot(i, start, kind="session", label=""):
    return p.SlotInfo(i, start, start + timedelta(minutes=45), kind, label)


# Day one: session 10:00, break 11:00, session 12:00; day two: session 10:00.
SLOTS = (
    _slot(1, T0),
    _slot(2, T0 + timedelta(hours=1), "break", "Coffee"),
    _slot(3, T0 + timedelta(hours=2)),
    _slot(4, DAY2),
)


def _session(pid, room, *slots, title=None):
    first, last = (next(s for s in SLOTS if s.id == i) for i in (slots[0], slots[-1]))
    return p.Session(
        pitch_id=pid,
        guid=f"g{pid}",
        title=title or f"Talk {pid}",
        hosts="Sam",
        room_id=room,
        slot_ids=tuple(slots),
        starts_at=first.starts_at,
        ends_at=last.ends_at,
    )


def _programme(*sessions):
    return p.Programme(
        event_name="Camp",
        timezone="Europe/London",
        rooms=(p.RoomInfo(1, "Hall", 80), p.RoomInfo(2, "Room B", 20), p.RoomInfo(3, "Yard", 9)),
        slots=SLOTS,
        sessions=tuple(sessions),
        number=1,
    )


PROGRAMME = _programme(
    _session(1, 1, 1), _session(2, 2, 1, 3, title="Workshop"), _session(3, 3, 3), _session(4, 1, 4)
)


def test_a_two_slot_session_spans_the_break_between_its_slots():
    day_one, day_two = venue.day_grids(PROGRAMME)
    first, pause, third = day_one.rows
    assert [(c.kind, c.rowspan) for c in first.cells] == [
        ("session", 1),
        ("session", 3),
        ("empty", 1),
    ]
    assert first.cells[1].session.title == "Workshop"
    # The break row runs round the workshop: Hall, then (Room B is covered) Yard.
    assert pause.is_break and [(c.kind, c.colspan) for c in pause.cells] == [("break", 1)] * 2
    assert [c.kind for c in third.cells] == ["empty", "session"]
    assert [c.session.pitch_id for c in day_two.rows[0].cells if c.session] == [4]


def test_a_break_without_spans_is_one_cell_across_every_room():
    [day_one, _] = venue.day_grids(_programme(_session(1, 1, 1), _session(4, 1, 4)))
    assert [(c.kind, c.colspan) for c in day_one.rows[1].cells] == [("break", 3)]


def test_the_screen_says_before_on_between_over_and_done():
    at = {
        "before": T0 - timedelta(minutes=30),
        "on": T0 + timedelta(minutes=10),
        "between": T0 + timedelta(hours=1, minutes=10),
        "over": T0 + timedelta(hours=5),
        "done": DAY2 + timedelta(hours=2),
    }
    plain = _programme(_session(1, 1, 1), _session(3, 3, 3), _session(4, 1, 4))
    states = {name: venue.screen(plain, moment) for name, moment in at.items()}
    assert {name: s.state for name, s in states.items()} == {n: n for n in at}
    assert venue.slot_words(states["between"].pause) == "Coffee"
    assert states["over"].next_at == DAY2
    # With the workshop in Room B running on through the break, the break is not a gap.
    everywhere = venue.screen(PROGRAMME, at["between"])
    assert everywhere.state == "on" and [s.title for s in everywhere.now] == ["Workshop"]
    assert everywhere.next_at == T0 + timedelta(hours=2)
    assert [s.pitch_id for s in venue.screen(PROGRAMME, at["on"]).now] == [1, 2]


def test_a_room_screen_between_its_sessions_is_not_before_the_programme():
    shown = venue.screen(PROGRAMME, T0 + timedelta(minutes=10), room=3)
    assert shown.state == "between" and shown.next_for(3).pitch_id == 3
    assert venue.screen(PROGRAMME, T0, room=99).state == "empty"


def test_a_door_card_lists_the_rooms_sessions_and_the_days_breaks():
    entries = venue.room_day(PROGRAMME, 2, PROGRAMME.days[0])
    assert [(e.session.title if e.session else e.label) for e in entries] == ["Workshop", "Coffee"]


def test_the_venue_core_imports_no_flask_and_no_database():
    modules = modules_loaded_by("wiki.schedule.venue")
    assert not [m for m in modules if m.split(".")[0] in {"flask", "sqlalchemy", "jinja2"}]
