"""Reading and writing the scheduler's problem and grid files (FORMAT.md)."""

from __future__ import annotations

import copy
import json

import pytest

from wiki.schedule.solver import (
    Grid,
    ProblemError,
    grid_from_dict,
    grid_to_dict,
    load_problem,
    problem_from_json,
    problem_to_dict,
)

FORMAT_EXAMPLE = {
    "name": "GovBarCamp 2027",
    "params": {
        "dot_budget": 8,
        "max_dots_per_pitch": 3,
        "voting_open": 0.0,
        "voting_close": 72.0,
        "late_min_share": 0.2,
        "audience_per_voter": 1.0,
    },
    "weights": {
        "dots": 1.0,
        "clash": 1.0,
        "overcap": 1.0,
        "family_gap": 50.0,
        "move_time": 20.0,
        "move_room": 5.0,
    },
    "slots": [{"id": "d0-0930", "day": 0, "start": "09:30", "kind": "session", "family": True}],
    "rooms": [
        {
            "id": "r1",
            "name": "Kids Tent",
            "capacity": 30,
            "family_friendly": True,
            "step_free": True,
            "facilities": ["projector"],
        }
    ],
    "people": [
        {"id": "u7", "kind": "adult", "guardian": None},
        {"id": "u9", "kind": "child", "guardian": "u7"},
    ],
    "pitches": [
        {
            "id": "p3",
            "title": "Dinosaur facts",
            "host": "u9",
            "cohosts": [],
            "length": 1,
            "needs": [],
            "family_friendly": True,
            "kid_led": True,
            "guardian": "u7",
            "submitted_at": 30.5,
        }
    ],
    "votes": [{"voter": "u9", "pitch": "p3", "dots": 2, "at": 31.0, "placed_by": "u7"}],
    "unavailable": {"u7": ["d0-0930"]},
    "locked": {"p3": ["r1", "d0-0930"]},
    "previous": {"p3": ["r1", "d0-0930"]},
}  # FORMAT.md's example, with the one slot it names standing in for d0-1015 and d0-1515


def camp(**changes) -> dict:
    """Return a small valid BarCamp problem; keyword arguments replace top-level keys.

    Day 0: 09:00 and 09:45 sessions in family hours, a break at 10:30, sessions at 10:45 and
    11:30. Rooms: Hall (50, projector, step-free), Room B (10, nothing), Tent (20, family,
    outdoor). People: Sam, Alex, Kim and Kim's child Ada, and four voters.
    """
    data = {
        "name": "Tiny camp",
        "params": {"late_min_share": 0.5},
        "slots": [
            {"id": "s1", "day": 0, "start": "09:00", "kind": "session", "family": True},
            {"id": "s2", "day": 0, "start": "09:45", "kind": "session", "family": True},
            {"id": "br", "day": 0, "start": "10:30", "kind": "break"},
            {"id": "s3", "day": 0, "start": "10:45", "kind": "session"},
            {"id": "s4", "day": 0, "start": "11:30", "kind": "session"},
        ],
        "rooms": [
            {
                "id": "hall",
                "name": "Hall",
                "capacity": 50,
                "step_free": True,
                "facilities": ["projector"],
            },
            {"id": "b", "name": "Room B", "capacity": 10},
            {
                "id": "tent",
                "name": "Tent",
                "capacity": 20,
                "family_friendly": True,
                "facilities": ["outdoor"],
            },
        ],
        "people": [
            {"id": "u1", "name": "Sam"},
            {"id": "u2", "name": "Alex"},
            {"id": "u3", "name": "Kim"},
            {"id": "c1", "kind": "child", "guardian": "u3", "name": "Ada"},
            *({"id": f"v{k}"} for k in range(1, 5)),
        ],
        "pitches": [
            {"id": "a", "title": "Open data", "host": "u1"},
            {"id": "b", "title": "Privacy", "host": "u2"},
        ],
        "votes": [
            {"voter": "v1", "pitch": "a", "dots": 2, "at": 1.0},
            {"voter": "v2", "pitch": "b", "dots": 1, "at": 2.0},
        ],
    }
    data.update(copy.deepcopy(changes))
    return data


def error_of(data) -> str:
    with pytest.raises(ProblemError) as caught:
        load_problem(data)
    return str(caught.value)


def test_the_format_example_loads_with_every_field():
    problem = load_problem(FORMAT_EXAMPLE)

    assert problem.name == "GovBarCamp 2027"
    assert problem.params.late_min_share == 0.2
    assert problem.weights.family_gap == 50.0
    assert problem.room("r1").features >= {"projector", "step_free", "family_friendly"}
    pitch = problem.pitch("p3")
    assert (pitch.host, pitch.guardian, pitch.kid_led, pitch.submitted_at) == (
        "u9",
        "u7",
        True,
        30.5,
    )
    assert pitch.attendees == ("u9", "u7")
    assert problem.votes[0].placed_by == "u7"
    assert problem.unavailable["u7"] == frozenset({"d0-0930"})
    assert problem.locked["p3"] == ("r1", "d0-0930")
    assert problem.previous["p3"] == ("r1", "d0-0930")


def test_absent_params_and_weights_take_formats_example_values():
    problem = load_problem(camp(params={}))

    assert problem.params.late_min_share == 0.2  # FORMAT.md's; the app writes its own 0.5
    assert problem.params.audience_per_voter == 1.0
    assert (problem.weights.move_time, problem.weights.move_room) == (20.0, 5.0)
    assert problem.pitch("a").length == 1
    assert problem.pitch("a").submitted_at == 0.0
    assert problem.votes[0].placed_by == "v1"


def test_unknown_keys_are_ignored():
    data = camp()
    data["colour"] = "blue"
    data["rooms"][0]["carpet"] = True
    data["pitches"][0]["mood"] = {"any": "thing"}

    assert load_problem(data).room("hall").name == "Hall"


def test_optional_extras_are_read():
    data = camp()
    data["slots"][0].update(label="Morning 1", end="09:40")

    problem = load_problem(data)

    assert (problem.slot("s1").label, problem.slot("s1").end) == ("Morning 1", "09:40")
    assert problem.person("u1").display == "Sam (u1)"
    assert problem.person("v1").display == "v1"


def test_invalid_json_names_the_line_and_column():
    with pytest.raises(ProblemError, match=r"not valid JSON: .* at line 3, column 11"):
        problem_from_json('{\n  "slots": [],\n  "rooms" []\n}')


def test_a_problem_that_is_not_an_object_is_an_error():
    with pytest.raises(ProblemError, match="problem: expected an object, got a list"):
        problem_from_json("[]")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("rooms",), 'problem: missing required key "rooms"'),
        (("slots", 0, "kind"), 'slots[0]: missing required key "kind"'),
        (("rooms", 1, "capacity"), 'rooms[1]: missing required key "capacity"'),
        (("people", 0, "id"), 'people[0]: missing required key "id"'),
        (("pitches", 1, "host"), 'pitches[1]: missing required key "host"'),
        (("pitches", 0, "title"), 'pitches[0]: missing required key "title"'),
        (("votes", 0, "dots"), 'votes[0]: missing required key "dots"'),
        (("votes", 1, "at"), 'votes[1]: missing required key "at"'),
    ],
)
def test_a_missing_required_key_is_named(path, message):
    data = camp()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    del target[last]

    assert error_of(data) == message


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("rooms", 0, "capacity"), "30", 'rooms[0].capacity: expected an integer, got "30"'),
        (("slots", 0, "day"), 0.5, "slots[0].day: expected an integer, got a number"),
        (("slots", 1, "family"), "yes", 'slots[1].family: expected true or false, got "yes"'),
        (
            ("slots", 0, "kind"),
            "meal",
            'slots[0].kind: expected one of session, break, lunch, plenary, got "meal"',
        ),
        (("slots", 0, "start"), "9:00", 'slots[0].start: expected a time HH:MM, got "9:00"'),
        (("votes", 0, "dots"), True, "votes[0].dots: expected an integer, got a boolean"),
        (("votes", 0, "at"), "soon", 'votes[0].at: expected a number, got "soon"'),
        (("pitches", 0, "cohosts"), "u2", 'pitches[0].cohosts: expected a list, got "u2"'),
        (("pitches", 0, "length"), 3, "pitches[0].length: expected 1 or 2 slots, got 3"),
        (("pitches", 1, "id"), 7, "pitches[1].id: expected a string, got a number"),
        (
            ("rooms", 2, "facilities"),
            [1],
            "rooms[2].facilities[0]: expected a string, got a number",
        ),
        (
            ("params", "late_min_share"),
            "half",
            'params.late_min_share: expected a number, got "half"',
        ),
        (("weights", "clash"), None, "weights.clash: expected a number, got null"),
        (("locked",), [], "locked: expected an object, got a list"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(path, value, message):
    data = camp(params={"late_min_share": 0.5}, weights={}, locked={})
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = value

    assert error_of(data) == message


def _set(data, path, value):
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("pitches", 1, "host"), "u99", 'pitches[1].host: unknown person "u99"'),
        (("pitches", 0, "cohosts"), ["u2", "u98"], 'pitches[0].cohosts[1]: unknown person "u98"'),
        (("pitches", 0, "guardian"), "u97", 'pitches[0].guardian: unknown person "u97"'),
        (("people", 3, "guardian"), "u96", 'people[3].guardian: unknown person "u96"'),
        (("votes", 1, "voter"), "v9", 'votes[1].voter: unknown person "v9"'),
        (("votes", 0, "pitch"), "zz", 'votes[0].pitch: unknown pitch "zz"'),
        (("votes", 0, "placed_by"), "v8", 'votes[0].placed_by: unknown person "v8"'),
        (("unavailable",), {"u95": ["s1"]}, 'unavailable.u95: unknown person "u95"'),
        (("unavailable",), {"u1": ["s1", "s9"]}, 'unavailable.u1[1]: unknown slot "s9"'),
        (("locked",), {"zz": ["hall", "s1"]}, 'locked.zz: unknown pitch "zz"'),
        (("locked",), {"a": ["attic", "s1"]}, 'locked.a[0]: unknown room "attic"'),
        (("locked",), {"a": ["hall", "s9"]}, 'locked.a[1]: unknown slot "s9"'),
        (("previous",), {"zz": ["hall", "s1"]}, 'previous.zz: unknown pitch "zz"'),
        (("previous",), {"a": ["attic", "s1"]}, 'previous.a[0]: unknown room "attic"'),
        (("previous",), {"a": ["hall", "s9"]}, 'previous.a[1]: unknown slot "s9"'),
    ],
)
def test_an_unknown_id_in_every_reference_field_is_named(path, value, message):
    assert error_of(_set(camp(), path, value)) == message


def test_a_placement_must_be_a_room_and_a_slot():
    assert error_of(camp(locked={"a": ["hall"]})) == "locked.a: expected [room, slot], got a list"


def test_a_duplicate_id_is_named():
    data = camp()
    data["rooms"][2]["id"] = "hall"

    assert error_of(data) == 'rooms[2].id: duplicate id "hall"'


def test_slots_out_of_time_order_are_an_error():
    data = camp()
    data["slots"][3]["start"] = "10:00"

    assert "slots[3]" in error_of(data)
    assert "time order" in error_of(data)


def test_a_child_needs_a_guardian_and_a_kid_led_pitch_takes_the_childs():
    data = camp()
    data["pitches"].append({"id": "k", "title": "Lego", "host": "c1", "kid_led": True})
    assert load_problem(data).pitch("k").guardian == "u3"

    data["people"][3]["guardian"] = None
    assert error_of(data) == 'people[3].guardian: child "c1" has no guardian'


def test_the_problem_survives_a_round_trip():
    problem = load_problem(FORMAT_EXAMPLE)

    again = load_problem(json.loads(json.dumps(problem_to_dict(problem))))

    assert again == problem


def test_grid_files_are_checked_against_the_problem():
    problem = load_problem(camp())
    data = {"schedule": {"a": ["hall", "s1"]}, "meta": {"objective": 2.0}}

    grid = grid_from_dict(problem, data)

    assert grid == Grid({"a": ("hall", "s1")}, {"objective": 2.0})
    assert grid_to_dict(grid) == data
    with pytest.raises(ProblemError, match='schedule.zz: unknown pitch "zz"'):
        grid_from_dict(problem, {"schedule": {"zz": ["hall", "s1"]}})
    with pytest.raises(ProblemError, match=r'schedule.a\[0\]: unknown room "attic"'):
        grid_from_dict(problem, {"schedule": {"a": ["attic", "s1"]}})
    with pytest.raises(ProblemError, match=r'schedule.b\[1\]: unknown slot "s0"'):
        grid_from_dict(problem, {"schedule": {"b": ["hall", "s0"]}})
    with pytest.raises(ProblemError, match='missing required key "schedule"'):
        grid_from_dict(problem, {"meta": {}})
