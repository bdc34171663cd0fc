"""Building the solver's problem from the database, and the two ``flask schedule`` commands."""

from __future__ import annotations

import json

import pytest

from tests.schedule_camp import build_camp
from wiki.events.models import Event
from wiki.extensions import db
from wiki.schedule import problems
from wiki.schedule.solver import load_problem, problem_to_dict, solve, validate


@pytest.fixture
def camp(app, create_user, create_event):
    """Return a small camp with rooms, slots, hosts, voters and dots."""
    return build_camp(app, create_user, create_event)


def _problem(app, camp, **kwargs):
    with app.app_context():
        return problems.build_problem(db.session.get(Event, camp.event_id), **kwargs)


def test_problem_round_trips_and_solves_without_breaking_a_hard_rule(app, camp):
    problem = _problem(app, camp)
    again = load_problem(json.loads(json.dumps(problem_to_dict(problem))))
    assert problem_to_dict(again) == problem_to_dict(problem)
    result = solve(again, time_limit=2.0, seed=0, steps=20_000)
    assert result.grid.schedule
    assert validate(again, result.grid) == []


def test_the_same_database_gives_the_same_problem(app, camp):
    first = problem_to_dict(_problem(app, camp))
    assert problem_to_dict(_problem(app, camp)) == first
    assert first["params"]["voting_close"] >= 60.0  # the late pitch's dots, not the clock


def test_problem_has_every_part_with_stable_ids(app, camp):
    problem = _problem(app, camp)
    assert [r.id for r in problem.rooms] == [f"r{i}" for i in camp.rooms]
    assert [s.id for s in problem.slots] == [f"s{i}" for i in camp.slots]
    # Breaks and lunch stay in, so a two-slot session is never planned across them.
    assert [s.kind for s in problem.slots] == [
        "session",
        "session",
        "break",
        "session",
        "lunch",
        "session",
        "session",
    ]
    assert [s.family for s in problem.slots][:2] == [True, True]
    assert problem.slots[0].start == "10:00" and problem.slots[0].day == 0
    assert {p.id for p in problem.pitches} == {f"p{i}" for i in camp.pitches}
    kid = problem.pitch(f"p{camp.kid_pitch_id}")
    assert kid.kid_led and kid.host == f"c{camp.child_id}"
    assert kid.guardian == f"u{camp.guardian_id}"
    assert problem.person(f"c{camp.child_id}").guardian == f"u{camp.guardian_id}"
    assert problem.pitch(f"p{camp.workshop_id}").length == 2
    assert problem.pitch(f"p{camp.pitches[2]}").needs == ("projector",)
    assert problem.pitch(f"p{camp.pitches[0]}").cohosts == (f"u{camp.hosts[1]}",)
    assert problem.unavailable[f"u{camp.hosts[0]}"] == {f"s{camp.session_slots[-1]}"}
    assert problem.params.late_min_share == 0.5
    assert problem.pitch(f"p{camp.late_pitch_id}").submitted_at == 60.0
    child_votes = [v for v in problem.votes if v.voter == f"c{camp.child_id}"]
    assert [(v.dots, v.placed_by) for v in child_votes] == [(2, f"u{camp.guardian_id}")]
    assert all(v.at >= 0 for v in problem.votes)


def test_problem_weights_come_from_settings(make_app, create_user, create_event):
    app = make_app(SCHEDULE_WEIGHTS={"clash": 3.0, "unknown": 9}, SCHEDULE_LATE_MIN_SHARE=0.25)
    camp = build_camp(app, create_user, create_event)
    problem = _problem(app, camp)
    assert problem.weights.clash == 3.0 and problem.weights.family_gap == 50.0
    assert problem.params.late_min_share == 0.25


def test_locks_and_previous_grid_are_passed_through(app, camp):
    lock = {f"p{camp.pitches[0]}": (f"r{camp.rooms[1]}", f"s{camp.session_slots[2]}")}
    problem = _problem(app, camp, locked=lock, previous=lock)
    assert dict(problem.locked) == lock and dict(problem.previous) == lock
    result = solve(problem, time_limit=2.0, seed=0, steps=5_000)
    assert result.grid.schedule[f"p{camp.pitches[0]}"] == lock[f"p{camp.pitches[0]}"]


@pytest.mark.parametrize(
    ("rooms", "slots", "message"),
    [
        (False, True, "Add at least one room"),
        (True, False, "Add at least one session slot"),
    ],
)
def test_problem_refused_without_rooms_or_sessions(
    app, create_user, create_event, rooms, slots, message
):
    camp = build_camp(app, create_user, create_event, rooms=rooms, slots=slots)
    with pytest.raises(problems.SetupError, match=message):
        _problem(app, camp)


def test_cli_problem_writes_the_event_problem(app, camp, runner, tmp_path):
    out = tmp_path / "problem.json"
    result = runner.invoke(args=["schedule", "problem", camp.slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert {p["id"] for p in data["pitches"]} == {f"p{i}" for i in camp.pitches}
    printed = runner.invoke(args=["schedule", "problem", camp.slug])
    assert json.loads(printed.stdout) == data


def test_cli_problem_names_a_missing_event_or_setup(app, create_user, create_event, runner):
    result = runner.invoke(args=["schedule", "problem", "no-such-camp"])
    assert result.exit_code == 1 and "No event is at /events/no-such-camp" in result.output
    camp = build_camp(app, create_user, create_event, rooms=False)
    result = runner.invoke(args=["schedule", "problem", camp.slug])
    assert result.exit_code == 1 and "Add at least one room" in result.output
    assert "Traceback" not in result.output


def test_cli_solve_prints_a_valid_grid(app, camp, runner, tmp_path):
    path = tmp_path / "problem.json"
    runner.invoke(args=["schedule", "problem", camp.slug, "-o", str(path)])
    result = runner.invoke(args=["schedule", "solve", str(path), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    grid = json.loads(result.stdout)
    problem = _problem(app, camp)
    assert grid["schedule"] and validate(problem, grid["schedule"]) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"slots": [], "rooms": [], "people": [], "votes": [],'
            ' "pitches": [{"id": "p1", "title": "T", "host": "u99"}]}',
            'unknown person "u99"',
        ),
    ],
)
def test_cli_solve_refuses_bad_files_with_a_clear_message(runner, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = runner.invoke(args=["schedule", "solve", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_cli_solve_names_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["schedule", "solve", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read" in result.stderr
