"""The optimiser, its process entry point, and the purity of the scheduling core."""

from __future__ import annotations

import ast
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.solver import generate
from tests.unit.pure import modules_loaded_by
from tests.unit.test_solver_problem import camp
from wiki.schedule.solver import Progress, load_problem, score, solve, validate
from wiki.schedule.solver.cli import main
from wiki.schedule.solver.greedy import construct
from wiki.schedule.solver.score import Index

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wiki" / "schedule" / "solver"


@pytest.fixture(scope="module")
def small():
    return load_problem(generate("small", 1))


def test_the_same_seed_gives_the_same_grid(small):
    first = solve(small, time_limit=30, seed=7, steps=4000, method="anneal")
    again = solve(small, time_limit=30, seed=7, steps=4000, method="anneal")

    assert first.grid.schedule == again.grid.schedule
    assert first.meta["deterministic"] is True
    assert first.meta["objective"] == again.meta["objective"]


def test_annealing_improves_on_greedy_and_keeps_every_rule(small):
    greedy = solve(small, time_limit=30, method="greedy")
    annealed = solve(small, time_limit=30, steps=20000, method="anneal")

    assert annealed.score.objective > greedy.score.objective
    assert validate(small, annealed.grid) == []
    assert annealed.meta["objective"] == score(small, annealed.grid).objective
    assert annealed.meta["terms"]["clash"] == annealed.score.clash
    assert annealed.meta["status"] == "feasible"
    assert annealed.meta["bound"] >= annealed.score.objective
    assert greedy.meta["time_to_first"] < 1


def test_cancel_returns_the_best_grid_so_far(small):
    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] > 5

    greedy = solve(small, time_limit=30, method="greedy")
    result = solve(small, time_limit=30, steps=10**9, should_stop=should_stop, method="anneal")

    assert result.meta["status"] == "cancelled"
    assert result.meta["deterministic"] is False
    assert result.score.objective >= greedy.score.objective
    assert validate(small, result.grid) == []


def test_progress_comes_at_least_twice_a_second_and_ends_with_the_result(small):
    reports: list[Progress] = []

    result = solve(small, time_limit=1.2, steps=10**9, method="anneal", on_progress=reports.append)

    times = [p.elapsed for p in reports]
    assert times[0] < 0.5
    assert max(b - a for a, b in zip(times, times[1:], strict=False)) < 0.7
    assert reports[-1].objective == result.score.objective
    assert reports[-1].grid.schedule == result.grid.schedule
    assert all(p.bound >= p.objective for p in reports)
    assert [p.objective for p in reports] == sorted(p.objective for p in reports)
    assert 1.1 < result.meta["seconds"] < 2.5


def test_locks_hold_through_annealing(small):
    data = generate("small", 1)
    index = Index(load_problem(data))
    state = construct(index)
    # Lock three placed pitches where the greedy grid has them, one moved to a free cell.
    placed = [i for i in range(index.n) if state.placed(i)][:3]
    locks = {
        index.pitch_ids[i]: [index.room_ids[state.room[i]], index.slot_ids[state.slot[i]]]
        for i in placed
    }
    data["locked"] = {**data["locked"], **locks}
    problem = load_problem(data)

    result = solve(problem, time_limit=30, steps=20000, method="anneal")

    for pitch, (room, slot) in problem.locked.items():
        assert result.grid.schedule[pitch] == (room, slot)
    assert validate(problem, result.grid) == []


def test_replanning_an_unchanged_problem_moves_nothing(small):
    first = solve(small, time_limit=30, steps=20000, method="anneal")
    data = generate("small", 1)
    data["previous"] = {k: list(v) for k, v in first.grid.schedule.items()}
    problem = load_problem(data)

    again = solve(problem, time_limit=30, steps=20000, seed=3, method="anneal")

    assert (again.score.move_time, again.score.move_room) == (0, 0)
    assert again.score.objective >= first.score.objective


def test_replanning_starts_from_what_still_fits():
    data = camp(
        votes=[{"voter": "v1", "pitch": p, "dots": 1, "at": 1.0} for p in ("a", "b")],
        previous={"a": ["hall", "s3"], "b": ["b", "s4"]},
        unavailable={"u2": ["s4"]},
    )
    result = solve(load_problem(data), time_limit=30, steps=2000, method="anneal")

    assert result.grid.schedule["a"] == ("hall", "s3")
    assert result.grid.schedule["b"][1] != "s4"
    assert result.score.move_time == 1


def test_cpsat_proves_the_optimum_of_a_small_problem():
    data = camp(
        pitches=[
            {"id": p, "title": p.upper(), "host": h}
            for p, h in [("a", "u1"), ("b", "u2"), ("c", "u3"), ("d", "v1"), ("e", "v2")]
        ],
        votes=[
            {"voter": v, "pitch": p, "dots": 1, "at": 1.0}
            for v, ps in [("v1", "abc"), ("v2", "bcd"), ("v3", "ade"), ("v4", "ce")]
            for p in ps
        ],
    )
    data["rooms"] = data["rooms"][:2]
    for slot in data["slots"][3:]:
        slot["kind"] = "plenary"  # four cells for five pitches, two at a time: clashes
    problem = load_problem(data)

    exact = solve(problem, time_limit=60, method="cpsat")
    annealed = solve(problem, time_limit=30, steps=20000, method="anneal")

    assert exact.meta["status"] == "optimal"
    assert exact.meta["bound_kind"] == "cp-sat"
    assert exact.meta["bound"] == pytest.approx(exact.score.objective)
    assert annealed.score.objective == exact.score.objective
    assert validate(problem, exact.grid) == []


def test_an_unknown_method_is_refused(small):
    with pytest.raises(ValueError, match="method must be one of"):
        solve(small, time_limit=1, method="magic")


@pytest.fixture
def problem_file(tmp_path):
    path = tmp_path / "camp.json"
    path.write_text(json.dumps(camp()))
    return path


def test_the_cli_prints_the_grid(problem_file, capsys):
    out = io.StringIO()

    assert (
        main([str(problem_file), "--time-limit", "2", "--steps", "500", "--progress"], stdout=out)
        == 0
    )

    grid = json.loads(out.getvalue())
    assert set(grid["schedule"]) == {"a", "b"}
    assert grid["meta"]["status"] in {"optimal", "feasible"}
    lines = capsys.readouterr().err.splitlines()
    assert lines and all("objective" in json.loads(line) for line in lines)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"slots": [', "not valid JSON: Expecting value at line 1, column 12"),
        (
            json.dumps(camp(votes=[{"voter": "v1", "pitch": "zz", "dots": 1, "at": 0}])),
            'votes[0].pitch: unknown pitch "zz"',
        ),
        (
            json.dumps(camp(locked={"a": ["hall", "br"]})),
            "locked.a: *Open data* is placed at 10:30, which is a break slot, not a session",
        ),
    ],
)
def test_the_cli_exits_2_with_one_line_for_a_bad_problem(tmp_path, capsys, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)

    assert main([str(path), "--time-limit", "1"], stdout=io.StringIO()) == 2

    err = capsys.readouterr().err
    assert err == f"campwiki solver: {path}: {message}\n"


def test_the_cli_exits_2_for_a_missing_file(tmp_path, capsys):
    assert main([str(tmp_path / "none.json")], stdout=io.StringIO()) == 2
    assert "cannot read" in capsys.readouterr().err


def test_sigterm_stops_the_process_and_prints_the_best_grid(tmp_path):
    path = tmp_path / "camp.json"
    path.write_text(json.dumps(generate("small", 1)))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wiki.schedule.solver",
            str(path),
            "--time-limit",
            "60",
            "--method",
            "anneal",
            "--progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        first = json.loads(process.stderr.readline())
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    grid = json.loads(out)
    assert process.returncode == 0
    assert grid["meta"]["status"] == "cancelled"
    assert grid["meta"]["objective"] >= first["objective"]
    assert grid["meta"]["seconds"] < 30


def test_the_core_imports_no_flask_no_database_and_nothing_else_of_the_app():
    modules = modules_loaded_by(
        "wiki.schedule.solver", "wiki.schedule.solver.cli", "wiki.schedule.solver.report"
    )

    assert not [
        m
        for m in modules
        if m.split(".")[0] in {"flask", "sqlalchemy", "werkzeug", "jinja2", "ortools", "numpy"}
    ]
    ours = [m for m in modules if m == "wiki" or m.startswith("wiki.")]
    assert all(
        m in {"wiki", "wiki.schedule"} or m.startswith("wiki.schedule.solver") for m in ours
    ), ours


def test_no_module_of_the_core_names_an_import_outside_it():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top not in {"flask", "sqlalchemy", "werkzeug", "jinja2"}, (path, name)
                if top == "wiki":
                    assert name.startswith("wiki.schedule.solver"), (path, name)
