"""The optimiser: a greedy first plan, simulated annealing on it, CP-SAT beside it for a bound.

``solve`` is what the app, the command line and the benchmark call. With ``method="auto"`` the
annealing runs in this process and, when the time limit leaves room for it, CP-SAT runs in a
child process (``python -m wiki.schedule.solver.cpsat``, one worker, so the two share this
machine's two cores) and reports a proven upper bound on J as it tightens. The child is ended
when the solve ends, however it ends.

The annealing spends a budget of steps worked out from the time limit and the problem's size
(``steps`` sets it outright), so the same problem, seed and time limit give the same grid; the
wall clock only cuts in when the machine is slower than that budget assumes, and then
``meta["deterministic"]`` is false. A CP-SAT plan replaces the annealed one only once CP-SAT has
proved it optimal, which keeps the answer reproducible too.
"""

from __future__ import annotations

import json
import math
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wiki.schedule.solver.anneal import Annealer
from wiki.schedule.solver.bound import dots_bound
from wiki.schedule.solver.greedy import check_locks, construct
from wiki.schedule.solver.problem import Grid, Problem, problem_to_dict
from wiki.schedule.solver.score import Index, Score, score
from wiki.schedule.solver.state import State

METHODS = ("auto", "greedy", "anneal", "cpsat")
PROGRESS_EVERY = 0.5  # seconds between progress reports when nothing improves
IMPROVED_EVERY = 0.1  # at most this often for improvements, so a fast start does not flood
CHUNK = 1000  # annealing steps between looks at the clock, the child and should_stop
CPSAT_MIN_SECONDS = 5.0  # below this CP-SAT cannot even start (imports, model, presolve)
# Above this many pair-in-slot helpers (the 200-pitch camps have 150,000) CP-SAT spent the
# whole minute building and presolving the model on this machine and proved nothing.
CPSAT_MAX_PAIRS = 40_000
T_END = 0.3


@dataclass(frozen=True)
class Progress:
    """What a solve has found so far."""

    elapsed: float
    objective: float
    grid: Grid
    bound: float | None
    time_limit: float
    method: str
    bound_kind: str = "dots"


@dataclass(frozen=True)
class Result:
    """The best grid found, its score, and how it was found (``meta``, also in the grid)."""

    grid: Grid
    score: Score
    meta: Mapping[str, Any] = field(default_factory=dict)


def step_budget(index: Index, seconds: float) -> int:
    """Return the annealing steps this machine takes in ``seconds`` on a problem this size."""
    # Measured on the 2-core machine at about 10 us a step for 6 rooms and 16 us for 10
    # (CPU time); 0.8 leaves room for a busier machine before the clock has to cut in.
    per_step = (2.0 + 1.4 * max(1, len(index.room_ids))) * 1e-6
    return max(0, int(0.8 * seconds / per_step))


# The child needs only this package: a bare ``wiki`` package object spares it importing
# ``wiki/__init__.py`` (Flask, SQLAlchemy), seconds it would otherwise take from CP-SAT.
_CHILD = """
import sys, types
wiki = types.ModuleType("wiki")
wiki.__path__ = [sys.argv[1]]
sys.modules["wiki"] = wiki
from wiki.schedule.solver.cpsat import main
sys.exit(main())
"""


class _Child:
    """CP-SAT in its own process, spoken to in JSON lines."""

    def __init__(
        self, problem: Problem, hint: Mapping[str, Any], seconds: float, seed: int, workers: int
    ) -> None:
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(Path(__file__).resolve().parents[2])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        request = {
            "problem": problem_to_dict(problem),
            "hint": {k: list(v) for k, v in hint.items()},
            "time_limit": seconds,
            "seed": seed,
            "workers": workers,
        }
        self.done = False
        # The child reads its request only once ortools is imported (seconds): write it from
        # the reading thread so this process goes on annealing meanwhile.
        self._reader = threading.Thread(target=self._talk, args=(request,), daemon=True)
        self._reader.start()

    def _talk(self, request: dict[str, Any]) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except OSError:
            pass
        for line in self.process.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                continue
        self.messages.put({"type": "exit"})

    def poll(self) -> list[dict[str, Any]]:
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                return out

    def stop(self) -> None:
        """Ask the child to stop, then make sure it has."""
        try:
            assert self.process.stdin is not None
            self.process.stdin.write("stop\n")
            self.process.stdin.close()
        except (OSError, ValueError):
            # Closed already, or the request is still being written: stop it the hard way.
            self.process.terminate()
        try:
            # Its bounds came in as it went; nothing it could still say is worth a wait.
            self.process.wait(timeout=0.3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=1)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass


class _Solve:
    """One run of ``solve``: the clock, the best grid so far, and the reports."""

    def __init__(
        self,
        problem: Problem,
        index: Index,
        time_limit: float,
        method: str,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
        started: float,
    ) -> None:
        self.problem = problem
        self.index = index
        self.time_limit = time_limit
        self.method = method
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.started = started
        self.deadline = started + time_limit
        self.best_value = -math.inf
        self.best_places: list[tuple[int, int] | None] = [None] * index.n
        self.best_from = "greedy"
        self.bound = dots_bound(index)
        self.bound_kind = "dots"
        self.cancelled = False
        self.optimal = False
        self.time_to_first: float | None = None
        self.time_to_best = 0.0
        self.last_report = -math.inf
        self.pending = False
        self.child_status: str | None = None
        self.steps_done = 0
        self.steps_budget = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stop_now(self) -> bool:
        if not self.cancelled and self.should_stop is not None and self.should_stop():
            self.cancelled = True
        return self.cancelled or self.optimal or time.monotonic() >= self.deadline

    def offer(self, places: list[tuple[int, int] | None], value: float, source: str) -> None:
        """Keep a grid if it beats the best so far."""
        if self.time_to_first is None:
            self.time_to_first = self.elapsed()
        if value > self.best_value + 1e-9:
            self.best_value = value
            self.best_places = list(places)
            self.best_from = source
            self.time_to_best = self.elapsed()
            self.pending = True
        self._check_optimal()

    def offer_bound(self, bound: float) -> None:
        if bound < self.bound:
            self.bound = bound
            self.bound_kind = "cp-sat"
            self.pending = True
        self._check_optimal()

    def _check_optimal(self) -> None:
        if self.best_value >= self.bound - 1e-6:
            self.optimal = True

    def report(self, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = self.elapsed()
        quiet = now - self.last_report
        if force or quiet >= PROGRESS_EVERY or (self.pending and quiet >= IMPROVED_EVERY):
            self.last_report = now
            self.pending = False
            grid = Grid(self.index.schedule(self.best_places))
            self.on_progress(
                Progress(
                    elapsed=now,
                    objective=round(self.best_value, 6),
                    grid=grid,
                    bound=round(self.bound, 6),
                    time_limit=self.time_limit,
                    method=self.method,
                    bound_kind=self.bound_kind,
                )
            )

    def hear(self, child: _Child | None, *, adopt: bool) -> None:
        """Take in what CP-SAT said: bounds always; plans if ``adopt`` or proved optimal."""
        if child is None or child.done:
            return
        for message in child.poll():
            kind = message.get("type")
            if kind == "bound" and message.get("bound") is not None:
                self.offer_bound(float(message["bound"]))
            elif kind == "solution" and adopt:
                self._adopt(message)
            elif kind == "done":
                self.child_status = message.get("status")
                if message.get("bound") is not None:
                    self.offer_bound(float(message["bound"]))
                # A proven optimum is taken even in "auto": CP-SAT with one worker gives the
                # same one every time, so the answer stays reproducible.
                if message.get("status") == "OPTIMAL" and message.get("schedule") is not None:
                    self._adopt(message)
            elif kind == "exit":
                child.done = True

    def _adopt(self, message: dict[str, Any]) -> None:
        # Scored here rather than trusted, so every figure comes from one scorer.
        places = self.index.positions(message["schedule"])
        value = score(self.problem, message["schedule"], self.index).objective
        self.offer(places, value, "cp-sat")


def solve(
    problem: Problem,
    *,
    time_limit: float,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    method: str = "auto",
    steps: int | None = None,
) -> Result:
    """Plan the grid within ``time_limit`` seconds and return the best one found."""
    started = time.monotonic()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    check_locks(problem)
    index = Index(problem)
    run = _Solve(problem, index, time_limit, method, on_progress, should_stop, started)
    state = construct(index, from_previous=True)
    run.offer(state.places(), state.objective(), "greedy")
    run.report(force=True)
    child = None
    deterministic = True
    try:
        if method in ("auto", "cpsat") and not run.optimal:
            remaining = run.deadline - time.monotonic()
            if method == "cpsat" or (
                remaining >= CPSAT_MIN_SECONDS and _pair_count(index) <= CPSAT_MAX_PAIRS
            ):
                child = _Child(
                    problem,
                    index.schedule(state.places()),
                    remaining,
                    seed,
                    workers=2 if method == "cpsat" else 1,
                )
        if method in ("auto", "anneal"):
            deterministic = _anneal(run, state, seed, steps, child)
        elif method == "cpsat":
            deterministic = False
            while child is not None and not child.done and not run.stop_now():
                run.hear(child, adopt=True)
                run.report()
                time.sleep(0.02)
            run.hear(child, adopt=True)
    finally:
        if child is not None:
            child.stop()
            run.hear(child, adopt=method == "cpsat")
    return _result(run, deterministic)


def _pair_count(index: Index) -> int:
    """Estimate the CP-SAT model's size: co-voted pairs times the slots both could take."""
    slots = [set(s for _, s in index.candidates[i]) for i in range(index.n)]
    spans = [{t for s in slots[i] for t in index.occupies(i, s)} for i in range(index.n)]
    count = 0
    for i in range(index.n):
        row = index.covote[i]
        for j in range(i + 1, index.n):
            if row[j]:
                count += len(spans[i] & spans[j])
    return count


def _anneal(run: _Solve, state: State, seed: int, steps: int | None, child: _Child | None) -> bool:
    """Anneal until the step budget is spent or the run must stop; say if it was reproducible.

    The temperature follows the share of the budget spent, or the share of the time used when
    that is larger (a busy machine), so the walk still cools down before the deadline.
    """
    annealer = Annealer(state, seed)
    if not annealer.movable:
        return True
    begun = time.monotonic()
    budget = steps if steps is not None else step_budget(run.index, run.deadline - begun)
    run.steps_budget = budget
    if budget <= 0:
        return True
    t_start = annealer.typical_loss()
    if any(p is not None for p in run.index.previous):
        # Re-planning: start cool enough that moving a published session is rarely taken
        # on a whim, so what moves is what pays for moving.
        t_start = min(t_start, max(T_END * 2, run.index.weights.move_time / 4))
    annealer.best, annealer.best_places = run.best_value, list(run.best_places)
    annealer.current = state.objective()
    ratio = T_END / t_start if t_start > T_END else 1.0
    span = max(1e-9, run.deadline - begun)
    paced = True
    done = 0
    share = 0.0
    chunk_seconds = 0.0
    while done < budget:
        if run.stop_now():
            return paced and run.optimal
        now = time.monotonic()
        n = min(CHUNK, budget - done)
        end_share = (done + n) / budget
        clock_share = (now - begun + chunk_seconds) / span
        if clock_share > end_share:
            paced = False
            end_share = min(1.0, clock_share)
        annealer.run(n, t_start * ratio**share, t_start * ratio**end_share)
        share = end_share
        done += n
        run.steps_done = done
        chunk_seconds = time.monotonic() - now
        if annealer.improved:
            annealer.improved = False
            run.offer(annealer.best_places, annealer.best, "anneal")
        run.hear(child, adopt=False)
        run.report()
    return paced


def _result(run: _Solve, deterministic: bool) -> Result:
    index = run.index
    grid = Grid(index.schedule(run.best_places))
    figures = score(run.problem, grid, index)
    if run.cancelled:
        status = "cancelled"
    elif figures.objective >= run.bound - 1e-6:
        status = "optimal"
    else:
        status = "feasible"
    bound = round(run.bound, 6)
    meta = {
        "objective": figures.objective,
        "bound": bound,
        "bound_kind": run.bound_kind,
        "gap": round((bound - figures.objective) / abs(bound), 6) if bound else 0.0,
        "seconds": round(run.elapsed(), 3),
        "status": status,
        "time_to_first": round(run.time_to_first or 0.0, 3),
        "time_to_best": round(run.time_to_best, 3),
        "method": run.method,
        "found_by": run.best_from,
        "deterministic": deterministic and not run.cancelled,
        "steps": run.steps_done,
        "step_budget": run.steps_budget,
        "terms": figures.as_dict(),
    }
    if run.child_status is not None:
        meta["cpsat_status"] = run.child_status
    grid = Grid(grid.schedule, meta)
    run.report(force=True)
    return Result(grid=grid, score=figures, meta=dict(grid.meta))
