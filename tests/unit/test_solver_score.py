"""The objective J of FORMAT.md, term by term, on cases small enough to work out by hand."""

from __future__ import annotations

import random

import pytest

from bench.solver import generate
from tests.unit.test_solver_problem import camp
from wiki.schedule.solver import Index, load_problem, score
from wiki.schedule.solver.anneal import Annealer
from wiki.schedule.solver.greedy import construct
from wiki.schedule.solver.state import NOBODY


def late_camp(late_min_share: float) -> dict:
    # 10 dots in all: 6 early on "a", then at hour 50, 2 on "late" and 2 more on "a".
    return camp(
        params={"late_min_share": late_min_share},
        pitches=[
            {"id": "a", "title": "Early", "host": "u1", "submitted_at": 0.0},
            {"id": "late", "title": "Late", "host": "u2", "submitted_at": 40.0},
        ],
        votes=[
            {"voter": "v1", "pitch": "a", "dots": 3, "at": 1.0},
            {"voter": "v2", "pitch": "a", "dots": 3, "at": 2.0},
            {"voter": "v3", "pitch": "late", "dots": 2, "at": 50.0},
            {"voter": "v3", "pitch": "a", "dots": 2, "at": 50.0},
        ],
    )


@pytest.mark.parametrize(("share", "correction", "adjusted"), [(0.5, 2.0, 4.0), (0.2, 2.5, 5.0)])
def test_a_late_pitch_counts_for_more_up_to_the_min_share(share, correction, adjusted):
    index = Index(load_problem(late_camp(share)))
    late = index.pitch_pos["late"]

    # Exposure: 4 of the 10 dots were placed at or after hour 40.
    assert index.exposure[late] == 0.4
    assert index.correction[late] == correction
    assert index.adjusted[late] == adjusted
    assert index.exposure[index.pitch_pos["a"]] == 1.0
    assert index.adjusted[index.pitch_pos["a"]] == 8.0


def test_rounding_is_pythons_halves_to_even():
    # "late" was out for 8 of 10 dots' time: f = 1/0.8 = 1.25; D = 5 gives 6.25, which
    # rounds to 6.2 (half to even), not 6.3. Audience 0.5 * 5 voters * 1.25 = 3.125 -> 3;
    # and with one voter less, 0.5 * 4 * 1.25 = 2.5 -> 2, not 3.
    votes = [{"voter": "u1", "pitch": "a", "dots": 2, "at": 1.0}]
    votes += [{"voter": f"v{k}", "pitch": "late", "dots": 1, "at": 5.0} for k in range(1, 5)]
    votes += [{"voter": "u3", "pitch": "late", "dots": 1, "at": 6.0}]
    votes += [{"voter": "u2", "pitch": "a", "dots": 3, "at": 7.0}]
    data = camp(
        params={"late_min_share": 0.5, "audience_per_voter": 0.5},
        pitches=[
            {"id": "a", "title": "A", "host": "u1"},
            {"id": "late", "title": "Late", "host": "u2", "submitted_at": 2.0},
        ],
        votes=votes,
    )
    index = Index(load_problem(data))
    late = index.pitch_pos["late"]

    assert index.correction[late] == 1.25
    assert index.adjusted[late] == 6.2
    assert index.audience[late] == 3

    data["votes"] = [v for v in data["votes"] if v["voter"] != "u3"]
    data["votes"].append({"voter": "u1", "pitch": "a", "dots": 1, "at": 6.0})
    index = Index(load_problem(data))
    assert index.correction[late] == 1.25
    assert index.audience[late] == 2


def clash_camp() -> dict:
    # w and w2 are two-slot workshops at 09:00-09:45; x runs at 09:00 and y at 09:45.
    return camp(
        rooms=[
            {"id": f"r{k}", "name": f"Room {k}", "capacity": 100, "family_friendly": True}
            for k in range(4)
        ],
        pitches=[
            {"id": "w", "title": "W", "host": "u1", "length": 2},
            {"id": "w2", "title": "W2", "host": "u2", "length": 2},
            {"id": "x", "title": "X", "host": "u3"},
            {"id": "y", "title": "Y", "host": "v4"},
        ],
        votes=[
            # v1: w 3, x 2 -> c(w,x) = 2; v2: w 1, y 3, x 1 -> c(w,y) = 1, c(w,x) += 1,
            # c(x,y) = 1 (never in one slot); v3: w 2, w2 2 -> c(w,w2) = 2, in both slots.
            {"voter": "v1", "pitch": "w", "dots": 3, "at": 1.0},
            {"voter": "v1", "pitch": "x", "dots": 2, "at": 1.0},
            {"voter": "v2", "pitch": "w", "dots": 1, "at": 1.0},
            {"voter": "v2", "pitch": "y", "dots": 3, "at": 1.0},
            {"voter": "v2", "pitch": "x", "dots": 1, "at": 1.0},
            {"voter": "v3", "pitch": "w", "dots": 1, "at": 1.0},
            {"voter": "v3", "pitch": "w", "dots": 1, "at": 2.0},
            {"voter": "v3", "pitch": "w2", "dots": 2, "at": 1.0},
        ],
    )


def test_a_two_slot_pitch_clashes_with_what_runs_in_each_of_its_slots():
    problem = load_problem(clash_camp())
    index = Index(problem)
    at = index.pitch_pos
    assert index.covote[at["w"]][at["x"]] == 3
    assert index.covote[at["w"]][at["w2"]] == 2  # v3's two records on w add up to 2

    grid = {"w": ("r0", "s1"), "w2": ("r1", "s1"), "x": ("r2", "s1"), "y": ("r2", "s2")}
    figures = score(problem, grid)

    # 09:00: w-x 3, w-w2 2, w2-x 0; 09:45: w-y 1, w-w2 2, w2-y 0.
    assert figures.clash == 3 + 2 + 1 + 2
    assert figures.dots == 14.0
    assert figures.family_gap == 2  # nothing family-friendly in family hours
    assert figures.objective == 14.0 - 8 - 50 * 2


def test_every_term_and_j_on_a_hand_worked_grid():
    data = camp(
        pitches=[
            {"id": "a", "title": "A", "host": "u1"},
            {"id": "b", "title": "B", "host": "u2"},
            {"id": "c", "title": "C", "host": "u3"},
            {"id": "k", "title": "Kids", "host": "c1", "kid_led": True},
        ],
        votes=[{"voter": f"v{n}", "pitch": "a", "dots": 2, "at": 1.0} for n in range(1, 5)]
        + [
            {"voter": "v1", "pitch": "b", "dots": 1, "at": 1.0},
            {"voter": "c1", "pitch": "k", "dots": 3, "at": 1.0, "placed_by": "u3"},
        ],
        previous={"a": ["hall", "s1"], "b": ["hall", "s2"], "c": ["tent", "s1"]},
        weights={"overcap": 2.0},
    )
    data["rooms"][1]["capacity"] = 3  # Room B holds 3; "a" expects 4 voters
    problem = load_problem(data)

    # a: same slot, another room (MOVE_R) and 1 over capacity; b: another slot (MOVE_T);
    # c: unscheduled (MOVE_T); k fills family slot s1, nothing fills s2 (FAMGAP 1).
    grid = {"a": ("b", "s1"), "b": ("hall", "s3"), "k": ("tent", "s1")}
    figures = score(problem, grid)

    assert figures.dots == 8 + 1 + 3
    assert figures.clash == 0
    assert figures.over == 1
    assert figures.family_gap == 1
    assert (figures.move_time, figures.move_room) == (2, 1)
    assert figures.scheduled == 3
    assert figures.objective == 12 - 2 * 1 - 50 * 1 - 20 * 2 - 5 * 1

    # Back where they were: no move terms; "b" beside "a" at 09:00 clashes by v1's 1 dot.
    figures = score(problem, {"a": ("hall", "s1"), "b": ("hall", "s2"), "c": ("tent", "s1")})
    assert (figures.move_time, figures.move_room, figures.over) == (0, 0, 0)


def test_no_dots_at_all_means_full_exposure():
    index = Index(load_problem(camp(votes=[])))

    assert index.exposure == [1.0, 1.0]
    assert index.adjusted == [0.0, 0.0]


@pytest.fixture(scope="module")
def generated():
    data = generate("small", 2)
    base = load_problem(data)
    first = Index(base)
    # A published grid, so that the move terms take part too.
    data["previous"] = {k: list(v) for k, v in first.schedule(construct(first).places()).items()}
    problem = load_problem(data)
    return problem, Index(problem)


def test_the_incremental_terms_match_a_full_rescoring(generated):
    problem, index = generated
    state = construct(index)
    walker = Annealer(state, seed=3)
    rng = random.Random(4)
    for k in range(400):
        walker.step(rng.choice([0.5, 5.0, 500.0]))
        walker.current = state.objective()
        if k % 20 == 0:
            figures = score(problem, index.schedule(state.places()), index)
            terms = (
                round(figures.dots * 10),
                figures.clash,
                figures.over,
                figures.family_gap,
                figures.move_time,
                figures.move_room,
            )
            assert terms == state.terms()
            assert figures.objective == pytest.approx(state.objective(), abs=1e-9)


def test_move_deltas_match_a_full_rescoring_on_random_moves(generated):
    problem, index = generated
    state = construct(index)
    walker = Annealer(state, seed=5)
    walker.run(3000, 50.0, 5.0)  # away from the greedy grid
    rng = random.Random(6)
    checked = {"relocate": 0, "swap": 0, "add": 0, "drop": 0}

    def full() -> float:
        return score(problem, index.schedule(state.places()), index).objective

    for _ in range(20000):
        if min(checked.values()) >= 25:
            break
        i = rng.choice(walker.movable)
        r, s = rng.choice(index.candidates[i])
        here = {state.cell[t][r] for t in index.occupies(i, s)} - {NOBODY, i}
        if state.placed(i) and rng.random() < 0.1:
            before, kind = full(), "drop"
            ri, si = state.room[i], state.slot[i]
            state.remove(i)
            delta = -state.gain(i, ri, si)
        elif not state.placed(i):
            if here or not state.fits(i, r, s):
                continue
            before, delta, kind = full(), state.gain(i, r, s), "add"
            state.add(i, r, s)
        elif not here:
            if not state.fits(i, r, s):
                continue
            before, delta, kind = full(), walker.relocate_delta(i, r, s), "relocate"
            state.remove(i)
            state.add(i, r, s)
        else:
            j = here.pop()
            ri, si = state.room[i], state.slot[i]
            if (
                here
                or index.locked[j] is not None
                or index.lengths[j] != index.lengths[i]
                or state.slot[j] != s
                or not (si == s or abs(si - s) >= index.lengths[i])
                or (ri, si) not in walker.allowed[j]
                or not (state.fits(i, r, s, ignore=j) and state.fits(j, ri, si, ignore=i))
            ):
                continue
            before, delta, kind = full(), walker.swap_delta(i, j), "swap"
            state.remove(i)
            state.remove(j)
            state.add(i, r, s)
            state.add(j, ri, si)
        assert full() - before == pytest.approx(delta, abs=1e-6), kind
        checked[kind] += 1
    assert min(checked.values()) >= 25, checked
