"""The problem as a CP-SAT model, for a proven upper bound on J and for exact small solves.

Imported only in the process that runs CP-SAT (``ortools`` pulls in numpy and pandas and takes
seconds to import). Every helper variable is tied to the placements in both directions, so
the model's objective is J exactly: ``y[i, t]`` is 1 exactly when pitch i runs in slot t,
``z[i, j, t]`` exactly when both run in t, and ``g[t]`` exactly when family slot t has a
family option. The objective is scaled to integers when the weights allow it.

As a process (``python -m wiki.schedule.solver.cpsat``) it reads one JSON request on stdin
(``problem``, ``hint`` schedule, ``time_limit``, ``seed``, ``workers``) and writes one JSON line
per event on stdout: ``ready``, ``bound``, ``solution`` and finally ``done``. A line ``stop``
on stdin, or stdin closing, stops the search: the parent's death ends it too.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ortools.sat.python import cp_model

from wiki.schedule.solver.problem import load_problem
from wiki.schedule.solver.score import Index


def _scale(values: list[float]) -> int:
    """Return the smallest power of ten that makes every coefficient whole, or 0 if none."""
    for scale in (1, 10, 100, 1000, 10000):
        if all(abs(v * scale - round(v * scale)) < 1e-6 for v in values):
            return scale
    return 0


class Model:
    """The CP-SAT model of one problem, with a way back from a solution to placements."""

    def __init__(self, index: Index) -> None:
        self.index = index
        w = index.weights
        m = cp_model.CpModel()
        self.model = m
        self.x: list[list[tuple[cp_model.IntVar, tuple[int, int]]]] = []
        covering: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        person_at: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        runs: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        terms: list[tuple[cp_model.IntVar, float]] = []
        constant = 0.0
        for i in range(index.n):
            lock = index.locked[i]
            places = [lock] if lock is not None else index.candidates[i]
            mine = []
            for r, s in places:
                var = m.new_bool_var(f"x{i}_{r}_{s}")
                mine.append((var, (r, s)))
                t, rr = index.move_cost(i, (r, s))
                value = w.dots * index.adjusted10[i] / 10 - w.overcap * index.over[i][r]
                value -= w.move_time * t + w.move_room * rr
                if index.previous[i] is not None:
                    value += w.move_time  # undoes the constant below for a placed pitch
                terms.append((var, value))
                for t_ in index.occupies(i, s):
                    covering[(r, t_)].append(var)
                    runs[(i, t_)].append(var)
                    for a in index.attendees[i]:
                        person_at[(a, t_)].append(var)
            if index.previous[i] is not None:
                constant -= w.move_time
            if lock is not None:
                m.add(mine[0][0] == 1)
            elif len(mine) > 1:
                m.add_at_most_one(v for v, _ in mine)
            self.x.append(mine)
        for group in list(covering.values()) + list(person_at.values()):
            if len(group) > 1:
                m.add_at_most_one(group)
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}
        self.y_made: list[tuple[cp_model.IntVar, tuple[int, int]]] = []
        for (i, t), group in runs.items():
            if len(group) == 1:
                self.y[(i, t)] = group[0]
            else:
                y = m.new_bool_var(f"y{i}_{t}")
                m.add(y == sum(group))
                self.y[(i, t)] = y
                self.y_made.append((y, (i, t)))
        by_slot: dict[int, list[int]] = defaultdict(list)
        for i, t in self.y:
            by_slot[t].append(i)
        self.z: list[tuple[cp_model.IntVar, int, int, int]] = []
        for t, here in by_slot.items():
            here.sort()
            for k, i in enumerate(here):
                row = index.covote[i]
                for j in here[k + 1 :]:
                    c = row[j]
                    if c <= 0:
                        continue
                    yi, yj = self.y[(i, t)], self.y[(j, t)]
                    z = m.new_bool_var(f"z{i}_{j}_{t}")
                    m.add_implication(z, yi)
                    m.add_implication(z, yj)
                    m.add_bool_or([yi.Not(), yj.Not(), z])
                    self.z.append((z, i, j, t))
                    terms.append((z, -w.clash * c))
        self.g: dict[int, cp_model.IntVar] = {}
        for t in index.family_slots:
            options = [self.y[(i, t)] for i in by_slot.get(t, []) if index.for_families[i]]
            constant -= w.family_gap
            if not options:
                continue
            g = m.new_bool_var(f"g{t}")
            for y in options:
                m.add_implication(y, g)
            m.add_bool_or([g.Not(), *options])
            self.g[t] = g
            terms.append((g, w.family_gap))
        self.constant = constant
        self.scale = _scale([v for _, v in terms] + [constant])
        if self.scale:
            m.maximize(sum(round(v * self.scale) * var for var, v in terms))
        else:
            m.maximize(sum(v * var for var, v in terms))
        self.n_vars = len(terms)

    def objective_of(self, raw: float) -> float:
        """Turn the solver's objective (or bound) back into J."""
        return (raw / self.scale if self.scale else raw) + self.constant

    def hint(self, places: Sequence[tuple[int, int] | None]) -> None:
        """Hint every variable with a grid's values: placements and every helper."""
        m = self.model
        m.clear_hints()
        running = set()
        for i, mine in enumerate(self.x):
            for var, place in mine:
                on = places[i] == place
                m.add_hint(var, on)
                if on:
                    running.update((i, t) for t in self.index.occupies(i, place[1]))
        for y, key in self.y_made:
            m.add_hint(y, key in running)
        for z, i, j, t in self.z:
            m.add_hint(z, (i, t) in running and (j, t) in running)
        families = [i for i in range(self.index.n) if self.index.for_families[i]]
        for t, g in self.g.items():
            m.add_hint(g, any((i, t) in running for i in families))

    def places(self, value: Callable[[Any], int]) -> list[tuple[int, int] | None]:
        """Read the placements out of a solution through ``value(var)``."""
        out: list[tuple[int, int] | None] = [None] * self.index.n
        for i, mine in enumerate(self.x):
            for var, place in mine:
                if value(var):
                    out[i] = place
        return out


def parameters(solver: cp_model.CpSolver, *, time_limit: float, seed: int, workers: int) -> None:
    """Set the parameters measured to give a useful bound on this kind of model."""
    p = solver.parameters
    p.max_time_in_seconds = max(0.1, time_limit)
    p.random_seed = seed
    p.num_workers = workers
    if workers == 1:
        # One worker: the LP-heavy search is what tightens the bound on the clash term.
        p.linearization_level = 2
    else:
        p.subsolvers.append("max_lp")


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, model: Model, on_solution: Callable[[list, float], None]) -> None:
        super().__init__()
        self._model = model
        self._on_solution = on_solution

    def on_solution_callback(self) -> None:
        places = self._model.places(self.boolean_value)
        self._on_solution(places, self._model.objective_of(self.objective_value))


def run(
    index: Index,
    *,
    hint: Sequence[tuple[int, int] | None] | None,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
    on_solution: Callable[[list, float], None] | None = None,
    on_bound: Callable[[float], None] | None = None,
    on_ready: Callable[[float], None] | None = None,
    stopper: list[cp_model.CpSolver] | None = None,
    stopped: threading.Event | None = None,
) -> tuple[str, float | None, float | None, list | None]:
    """Solve; return (status name, J of the best solution, bound on J, its placements)."""
    started = time.monotonic()
    model = Model(index)
    if hint is not None:
        model.hint(hint)
    if on_ready:
        on_ready(time.monotonic() - started)
    solver = cp_model.CpSolver()
    if stopper is not None:
        stopper.append(solver)
    if stopped is not None and stopped.is_set():
        return "CANCELLED", None, None, None
    parameters(
        solver, time_limit=time_limit - (time.monotonic() - started), seed=seed, workers=workers
    )
    if on_bound:
        solver.best_bound_callback = lambda raw: on_bound(model.objective_of(raw))
    best: dict[str, Any] = {}

    def found(places: list, value: float) -> None:
        best["places"], best["value"] = places, value
        if on_solution:
            on_solution(places, value)

    status = solver.solve(model.model, _Callback(model, found))
    name = solver.status_name(status)
    bound = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = model.objective_of(solver.best_objective_bound)
    return name, best.get("value"), bound, best.get("places")


def _emit(lock: threading.Lock, message: Mapping[str, Any]) -> None:
    with lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def main() -> int:
    """Serve one request from stdin as a child process of ``search.solve``."""
    # Ctrl-C in a terminal reaches the whole process group: the parent decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    request = json.loads(sys.stdin.readline())
    index = Index(load_problem(request["problem"]))
    hint = index.positions(request["hint"]) if request.get("hint") is not None else None
    lock = threading.Lock()
    stopper: list[cp_model.CpSolver] = []
    stopped = threading.Event()

    def watch() -> None:
        # A "stop" line or the parent going away (stdin closes) ends the search.
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stopped.set()
        for solver in stopper:
            solver.stop_search()

    threading.Thread(target=watch, daemon=True).start()
    status, value, bound, places = run(
        index,
        hint=hint,
        time_limit=float(request["time_limit"]),
        seed=int(request.get("seed", 0)),
        workers=int(request.get("workers", 1)),
        on_solution=lambda p, v: _emit(
            lock, {"type": "solution", "objective": v, "schedule": index.schedule(p)}
        ),
        on_bound=lambda b: _emit(lock, {"type": "bound", "bound": b}),
        on_ready=lambda s: _emit(lock, {"type": "ready", "seconds": s}),
        stopper=stopper,
        stopped=stopped,
    )
    _emit(
        lock,
        {
            "type": "done",
            "status": status,
            "objective": value,
            "bound": bound,
            "schedule": index.schedule(places) if places is not None else None,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
