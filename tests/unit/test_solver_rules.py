"""The hard rules H1-H8: the validator catches each, the solver keeps each.

For every rule there is a grid that breaks it, with the validator's message, and a problem
where the obvious choice would break it, which the solver still plans without a violation.
"""

from __future__ import annotations

import pytest

from tests.unit.test_solver_problem import camp
from wiki.schedule.solver import ProblemError, load_problem, solve, validate
from wiki.schedule.solver.report import (
    family_gaps,
    over_capacity,
    report,
    why_unscheduled,
    worst_clashes,
)


def planned(data: dict, **kwargs):
    problem = load_problem(data)
    result = solve(problem, time_limit=5, steps=3000, method="anneal", **kwargs)
    assert validate(problem, result.grid) == []
    return problem, result.grid.schedule


def messages(data: dict, grid: dict) -> list[tuple[str, str]]:
    return [(v.rule, v.message) for v in validate(load_problem(data), grid)]


def votes_for(*pitches: str, dots: int = 3) -> list[dict]:
    return [
        {"voter": f"v{k}", "pitch": p, "dots": dots, "at": 1.0}
        for p in pitches
        for k in range(1, 4)
    ]


def test_h1_names_what_does_not_exist():
    found = messages(camp(), {"a": ["attic", "s1"], "zz": ["hall", "s1"], "b": ["hall", "x"]})

    assert found == [
        ("H1", '*Open data* is placed in room "attic", which does not exist'),
        ("H1", 'Pitch "zz" is not in the problem'),
        ("H1", '*Privacy* is placed in slot "x", which does not exist'),
    ]
    assert messages(camp(), {"a": "hall"}) == [
        ("H1", "*Open data* has a place that is not [room, slot]")
    ]


def test_h1_the_solver_names_only_what_exists():
    problem, schedule = planned(camp())

    assert set(schedule) == {"a", "b"}
    for room, slot in schedule.values():
        assert problem.has("rooms", room) and problem.has("slots", slot)


def two_slot_camp() -> dict:
    data = camp(
        pitches=[{"id": "w", "title": "Workshop", "host": "u1", "length": 2}],
        votes=votes_for("w"),
    )
    data["slots"][0]["kind"] = "plenary"  # only s3-s4 remain for two slots in a row
    return data


def test_h2_catches_breaks_and_the_days_end():
    data = two_slot_camp()

    assert messages(data, {"w": ["hall", "s2"]}) == [
        ("H2", "*Workshop* takes two slots but starts at 09:45, and the break follows it")
    ]
    assert messages(data, {"w": ["hall", "s4"]}) == [
        ("H2", "*Workshop* takes two slots but starts at 11:30, and nothing follows it")
    ]
    assert messages(data, {"w": ["hall", "s1"]}) == [
        ("H2", "*Workshop* is placed at 09:00, which is a plenary slot, not a session")
    ]
    data["slots"][4]["day"] = 1
    assert messages(data, {"w": ["hall", "s3"]}) == [
        (
            "H2",
            "*Workshop* takes two slots but starts at day 1 10:45, and it is the day's last slot",
        )
    ]


def test_h2_the_solver_puts_a_workshop_in_two_session_slots_in_a_row():
    _, schedule = planned(two_slot_camp())

    assert schedule["w"][1] == "s3"


def test_h3_catches_two_pitches_in_one_room_at_once():
    found = messages(camp(), {"a": ["hall", "s3"], "b": ["hall", "s3"]})

    assert found == [("H3", "*Open data* and *Privacy* are both in Hall at 10:45")]


def test_h3_the_solver_gives_each_cell_one_pitch():
    data = camp(votes=votes_for("a", "b"))
    data["rooms"] = data["rooms"][:1]  # one room: the two must take turns
    _, schedule = planned(data)

    assert len(schedule) == 2
    assert schedule["a"][1] != schedule["b"][1]


def busy_camp() -> dict:
    return camp(
        pitches=[
            {"id": "a", "title": "A", "host": "u1"},
            {"id": "b", "title": "B", "host": "u2", "cohosts": ["u1"]},
            {"id": "k", "title": "Lego", "host": "c1", "kid_led": True, "family_friendly": True},
            {"id": "g", "title": "Gardening", "host": "u3"},
        ],
        votes=votes_for("a", "b", "k", "g", dots=1),
    )


def test_h4_catches_hosts_cohosts_and_guardians_in_two_places():
    found = messages(
        busy_camp(),
        {"a": ["hall", "s1"], "b": ["b", "s1"], "k": ["tent", "s2"], "g": ["hall", "s2"]},
    )

    assert found == [
        ("H4", "Sam (u1) hosts *A* and co-hosts *B*, both at 09:00"),
        ("H4", "Kim (u3) goes with their child to *Lego* and hosts *Gardening*, both at 09:45"),
    ]


def test_h4_the_solver_keeps_everyone_in_one_place():
    data = busy_camp()
    # Clashing dots would push the pitches apart anyway; with none, only H4 keeps them apart.
    _, schedule = planned(data)

    assert len(schedule) == 4
    assert schedule["a"][1] != schedule["b"][1]
    assert schedule["k"][1] != schedule["g"][1]


def test_h5_catches_a_host_placed_when_away():
    data = camp(unavailable={"u1": ["s3", "s4"]})

    assert messages(data, {"a": ["hall", "s3"]}) == [
        ("H5", "Sam (u1) cannot be there at 10:45 but hosts *Open data* then")
    ]


def test_h5_the_solver_places_a_host_when_they_are_there():
    data = camp(unavailable={"u1": ["s1", "s2", "s3"]}, votes=votes_for("a"))
    _, schedule = planned(data)

    assert schedule["a"][1] == "s4"


def test_h6_catches_a_room_without_what_the_pitch_needs():
    data = camp()
    data["pitches"][0]["needs"] = ["projector", "flip-chart"]

    assert messages(data, {"a": ["b", "s3"]}) == [
        ("H6", "*Open data* needs a projector and a flip chart; Room B has none")
    ]


def test_h6_the_solver_finds_the_room_with_the_projector():
    data = camp(votes=votes_for("a"))
    data["pitches"][0]["needs"] = ["projector", "step-free"]
    data["rooms"][0]["capacity"] = 1  # the Hall is the worse room but for its projector
    _, schedule = planned(data)

    assert schedule["a"][0] == "hall"


def family_camp() -> dict:
    return camp(
        pitches=[
            {"id": "f", "title": "Kids' Lego", "host": "u1", "family_friendly": True},
            {"id": "k", "title": "Dinosaur facts", "host": "c1", "kid_led": True},
        ],
        votes=votes_for("f", "k"),
    )


def test_h7_catches_family_sessions_outside_family_rooms_and_hours():
    found = messages(family_camp(), {"f": ["b", "s1"], "k": ["tent", "s3"]})

    assert found == [
        ("H7", "*Kids' Lego* is family-friendly but Room B is not a family room"),
        ("H7", "*Dinosaur facts* is kid-led but 10:45 is outside family hours"),
    ]


def test_h7_the_solver_keeps_family_sessions_in_the_tent_in_family_hours():
    _, schedule = planned(family_camp())

    assert {schedule["f"][0], schedule["k"][0]} == {"tent"}
    assert {schedule["f"][1], schedule["k"][1]} == {"s1", "s2"}


def test_h8_catches_a_lock_that_moved_or_went():
    data = camp(locked={"a": ["hall", "s1"], "b": ["b", "s4"]})

    assert messages(data, {"a": ["b", "s3"]}) == [
        ("H8", "*Open data* is locked to Hall 09:00 but placed in Room B 10:45"),
        ("H8", "*Privacy* is locked to Room B 11:30 but is not scheduled"),
    ]


def test_h8_the_solver_keeps_locks_even_where_it_costs():
    # Both locked into one slot although 3 voters dotted both: moving either would pay.
    data = camp(votes=votes_for("a", "b"), locked={"a": ["hall", "s3"], "b": ["b", "s3"]})
    problem, schedule = planned(data)

    assert schedule == {"a": ("hall", "s3"), "b": ("b", "s3")}


def test_a_lock_that_breaks_a_rule_is_a_problem_error_naming_it():
    data = camp(locked={"a": ["b", "s3"]})
    data["pitches"][0]["needs"] = ["projector"]

    with pytest.raises(ProblemError, match=r"^locked\.a: \*Open data\* needs a projector"):
        solve(load_problem(data), time_limit=1)

    data = camp(locked={"a": ["hall", "s3"], "b": ["hall", "s3"]})
    with pytest.raises(ProblemError, match=r"^locked\.a, locked\.b: .* both in Hall at 10:45"):
        solve(load_problem(data), time_limit=1)


def test_nothing_placeable_gives_an_empty_valid_grid():
    data = camp(unavailable={"u1": ["s1", "s2", "s3", "s4"], "u2": ["s1", "s2", "s3", "s4"]})
    problem = load_problem(data)

    result = solve(problem, time_limit=1)

    assert result.grid.schedule == {}
    assert validate(problem, result.grid) == []
    assert result.meta["status"] == "optimal"


def test_why_a_pitch_is_left_out():
    data = camp(
        pitches=[
            {"id": "p", "title": "Slides", "host": "u1", "needs": ["quiet"]},
            {"id": "f", "title": "Lego", "host": "u2", "family_friendly": True},
            {"id": "f2", "title": "Duplo", "host": "v1", "family_friendly": True},
            {"id": "f3", "title": "Clay", "host": "v2", "family_friendly": True},
            {"id": "a", "title": "Away", "host": "u3"},
            {"id": "z", "title": "Nobody came", "host": "v3"},
        ],
        unavailable={"u3": ["s1", "s2", "s3", "s4"]},
        votes=votes_for("f", "f2", "f3"),
    )
    problem = load_problem(data)
    grid = {"f": ("tent", "s1"), "f2": ("tent", "s2")}

    def reason(pitch):
        found = why_unscheduled(problem, grid, pitch)
        return found.reason, found.message

    assert reason("p") == ("no-room", "No room has a quiet room for *Slides*")
    assert reason("f3") == ("family-full", "No family room is free in family hours for *Clay*")
    assert reason("a") == ("unavailable", "Kim (u3) cannot be there at any time *Away* could run")
    assert reason("z") == (
        "outscored",
        "*Nobody came* would fit Hall at 09:00, but its dots do not make up for what it "
        "would cost in clashes and seats (0)",
    )
    grid = {"f": ("tent", "s1")}
    assert why_unscheduled(problem, grid, "f2").reason == "fits"

    data["slots"] = data["slots"][2:3]  # only the break is left
    data["unavailable"] = {}
    assert why_unscheduled(load_problem(data), {}, "z").message == (
        "There is no session slot for *Nobody came*"
    )


def test_the_report_names_clashes_full_rooms_and_family_gaps():
    data = camp(votes=votes_for("a", "b"))
    data["rooms"][1]["capacity"] = 2
    problem = load_problem(data)
    grid = {"a": ("hall", "s3"), "b": ("b", "s3")}

    assert [c.message for c in worst_clashes(problem, grid)] == [
        "3 people dotted both *Open data* and *Privacy*, both at 10:45 (9 dots)"
    ]
    assert [o.message for o in over_capacity(problem, grid)] == [
        "*Privacy* expects about 3 people; Room B holds 2"
    ]
    assert [g.message for g in family_gaps(problem, grid)] == [
        "Nothing for families at 09:00, though it is in family hours",
        "Nothing for families at 09:45, though it is in family hours",
    ]
    whole = report(problem, grid, bound=20.0)
    assert whole.score.clash == 9
    assert whole.gap == pytest.approx((20.0 - whole.score.objective) / 20.0)
    assert whole.unscheduled == ()


def test_a_pitch_crowded_out_by_better_supported_ones_is_told_so():
    data = camp(votes=votes_for("a") + [{"voter": "v1", "pitch": "b", "dots": 1, "at": 1.0}])
    data["rooms"] = data["rooms"][:1]
    for slot in data["slots"][1:]:
        slot["kind"] = "plenary"
    problem = load_problem(data)

    found = why_unscheduled(problem, {"a": ("hall", "s1")}, "b")

    assert (found.reason, found.message) == (
        "full",
        "Every room and time that suits *Privacy* is taken by a session with more dots "
        "(1 against at least 9)",
    )
