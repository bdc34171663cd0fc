"""The programme's pure core: JSON, sequences across versions, the change log, now/next."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from wiki.schedule import programme as p

T0 = datetime(2027, 6, 12, 9, 0, tzinfo=UTC)  # 10:00 in London


def _slot(i, kind="session"):
    return p.SlotInfo(i, T0 + timedelta(hours=i), T0 + timedelta(hours=i, minutes=45), kind)


def _session(pid, room, slot, title=None, length=1):
    return p.Session(
        pitch_id=pid,
        guid=p.session_guid(1, T0, pid),
        title=title or f"Talk {pid}",
        hosts="Sam",
        room_id=room,
        slot_ids=tuple(range(slot, slot + length)),
        starts_at=T0 + timedelta(hours=slot),
        ends_at=T0 + timedelta(hours=slot + length - 1, minutes=45),
    )


def _programme(*sessions, number=1):
    return p.Programme(
        event_name="Camp",
        timezone="Europe/London",
        rooms=(p.RoomInfo(1, "Hall", 80, step_free=True), p.RoomInfo(2, "Room B", 20)),
        slots=tuple(_slot(i) for i in range(4)),
        sessions=tuple(sessions),
        number=number,
    )


def test_json_round_trip_keeps_everything():
    before = _programme(_session(1, 1, 0), _session(2, 2, 1, title="Ünïcode <&>", length=2))
    after = p.from_json(p.to_json(before), number=1)
    assert after == before


def test_a_move_raises_the_sequence_keeps_the_guid_and_is_said_in_plain_words():
    v1 = _programme(_session(1, 2, 0, title="Composting with kids"), _session(2, 1, 1))
    v2 = p.carry_over(_programme(_session(1, 1, 1, title="Composting with kids"), number=2), v1)
    moved = v2.session(1)
    assert moved.guid == v1.session(1).guid
    assert moved.sequence == 1
    log = p.changes(v1, v2)
    assert [c.text for c in log] == [
        "*Composting with kids* moved from Room B 10:00 to Hall 11:00.",
        "*Talk 2* was dropped (it was Hall 11:00).",
    ]
    assert [c.guid for c in v2.cancelled] == [v1.session(2).guid]
    assert v2.cancelled[0].sequence == 1


def test_an_unchanged_session_keeps_its_sequence_and_a_returning_one_raises_it():
    v1 = _programme(_session(1, 1, 0), _session(2, 2, 0))
    v2 = p.carry_over(_programme(_session(1, 1, 0), number=2), v1)
    assert v2.session(1).sequence == 0 and p.changes(v1, v2)[0].kind == "dropped"
    v3 = p.carry_over(_programme(_session(1, 1, 0), _session(2, 2, 0), number=3), v2)
    assert v3.session(2).sequence == 2 and v3.cancelled == ()
    assert [c.kind for c in p.changes(v2, v3)] == ["added"]


def test_a_renamed_session_is_logged_as_renamed():
    v1 = _programme(_session(1, 1, 0, title="Kites"))
    v2 = p.carry_over(_programme(_session(1, 1, 0, title="Kites for all"), number=2), v1)
    assert [c.text for c in p.changes(v1, v2)] == ["*Kites* is now called *Kites for all*."]
    assert v2.session(1).sequence == 1


def test_now_and_next_per_room():
    prog = _programme(_session(1, 1, 0), _session(2, 2, 0), _session(3, 1, 1), _session(4, 2, 2))
    now, upcoming = p.now_and_next(prog, T0 + timedelta(minutes=10))
    assert [s.pitch_id for s in now] == [1, 2] and [s.pitch_id for s in upcoming] == [3]
    now, upcoming = p.now_and_next(prog, T0 + timedelta(minutes=10), room=2)
    assert [s.pitch_id for s in now] == [2] and [s.pitch_id for s in upcoming] == [4]
    now, upcoming = p.now_and_next(prog, T0 + timedelta(hours=9))
    assert now == [] and upcoming == []


def test_filters_keep_what_was_asked_for():
    family = replace(_session(1, 2, 0), family=True, tags=("outdoors",))
    prog = _programme(family, _session(2, 1, 0))
    keep = [s.pitch_id for s in prog.sessions if p.Filters(family=True).keeps(prog, s)]
    assert keep == [1]
    keep = [s.pitch_id for s in prog.sessions if p.Filters(step_free=True).keeps(prog, s)]
    assert keep == [2]
    keep = [s.pitch_id for s in prog.sessions if p.Filters(tags=("outdoors",)).keeps(prog, s)]
    assert keep == [1]
