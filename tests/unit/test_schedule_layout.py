"""The day layout's pure rules: overlaps, words for slots, and the day pattern."""

from __future__ import annotations

from datetime import date, datetime, time

from wiki.schedule.layout import day_pattern, describe, overlaps


def at(hhmm: str) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 10, 17, hours, minutes)


def test_touching_slots_do_not_overlap():
    assert overlaps([(at("10:00"), at("11:00")), (at("11:00"), at("12:00"))]) == []


def test_every_overlapping_pair_is_found_whatever_the_order():
    spans = [(at("12:00"), at("13:00")), (at("10:00"), at("12:30")), (at("10:30"), at("11:00"))]
    assert overlaps(spans) == [(0, 1), (1, 2)]


def test_a_slot_inside_another_overlaps_it():
    assert overlaps([(at("09:00"), at("17:00")), (at("10:00"), at("10:30"))]) == [(0, 1)]


def test_describe_names_label_day_and_times():
    assert (
        describe("Session 2", at("10:30"), at("11:30")) == "“Session 2” (Sat 17 Oct, 10:30–11:30)"
    )
    assert describe("", at("10:30"), at("11:30")) == "the slot Sat 17 Oct, 10:30–11:30"


def test_day_pattern_with_breaks_lunch_and_family_hours():
    slots = day_pattern(date(2026, 10, 17), time(9, 0), 4, 45, 15, 2, 60, 2)
    assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M"), s.kind) for s in slots] == [
        ("09:00", "09:45", "session"),
        ("09:45", "10:00", "break"),
        ("10:00", "10:45", "session"),
        ("10:45", "11:45", "lunch"),
        ("11:45", "12:30", "session"),
        ("12:30", "12:45", "break"),
        ("12:45", "13:30", "session"),
    ]
    assert [s.family_hours for s in slots if s.kind == "session"] == [True, True, False, False]
    assert (
        overlaps(
            [(datetime.combine(s.day, s.start), datetime.combine(s.day, s.end)) for s in slots]
        )
        == []
    )


def test_day_pattern_stops_at_midnight():
    slots = day_pattern(date(2026, 10, 17), time(22, 0), 5, 60)
    assert [s.start.strftime("%H:%M") for s in slots] == ["22:00", "23:00"]
    assert slots[-1].end == time(23, 59)
