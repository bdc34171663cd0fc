"""The first plan: locks, then what is left of the published grid, then a greedy fill."""

from __future__ import annotations

from wiki.schedule.solver.problem import Grid, Problem, ProblemError
from wiki.schedule.solver.score import Index
from wiki.schedule.solver.state import State
from wiki.schedule.solver.validate import validate


def check_locks(problem: Problem) -> None:
    """Raise ProblemError naming each lock that breaks a hard rule on its own or with others."""
    broken = [v for v in validate(problem, Grid(problem.locked)) if v.rule != "H8"]
    if broken:
        messages = []
        for violation in broken:
            keys = ", ".join(f"locked.{p}" for p in violation.pitches)
            messages.append(f"{keys}: {violation.message}")
        raise ProblemError("; ".join(messages))


def place_locks(state: State) -> None:
    """Add every locked pitch at its lock (``check_locks`` has passed)."""
    for i, lock in enumerate(state.index.locked):
        if lock is not None:
            state.add(i, *lock)


def keep_previous(state: State) -> None:
    """Add each previously published placement that still keeps the hard rules."""
    index = state.index
    for i, prev in enumerate(index.previous):
        if prev is None or state.placed(i) or index.locked[i] is not None:
            continue
        if prev in index.candidates[i] and state.fits(i, *prev):
            state.add(i, *prev)


def fill(state: State) -> None:
    """Add each unplaced pitch, best-supported first, where it raises J most (if it does)."""
    index = state.index
    order = sorted(
        (i for i in range(index.n) if not state.placed(i) and index.locked[i] is None),
        key=lambda i: (-index.adjusted10[i] / index.lengths[i], i),
    )
    for i in order:
        best = None
        best_gain = 0.0
        for r, s in index.candidates[i]:
            if state.fits(i, r, s):
                gain = state.gain(i, r, s)
                if best is None or gain > best_gain:
                    best, best_gain = (r, s), gain
        if best is not None and best_gain >= 0:
            state.add(i, *best)


def construct(index: Index, *, from_previous: bool = True) -> State:
    """Return the first plan: locks, the previous grid where it still fits, then greedy."""
    state = State(index)
    place_locks(state)
    if from_previous:
        keep_previous(state)
    fill(state)
    return state
