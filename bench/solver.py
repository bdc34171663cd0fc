"""How well and how fast the scheduler plans generated BarCamps (issue 11).

Run from the repository root:

    .venv/bin/python -m bench.solver                      # both sizes, every method
    .venv/bin/python -m bench.solver --sizes small --seconds 10
    .venv/bin/python -m bench.solver --write /tmp/camps   # write the problem files only
    .venv/bin/python -m bench.solver --best-known         # long runs; updates the record

Every plan is made through the process entry point, ``python -m wiki.schedule.solver``, as
``flask schedule solve`` runs it, so the times include starting Python and the imports. The
grids are checked with the independent validator and scored with ``score``; the best plan known
for each problem is kept in ``bench/solver_best_known.json`` with how it was found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEST_KNOWN = Path(__file__).with_name("solver_best_known.json")

TOPICS = [
    "civic tech",
    "open data",
    "accessibility",
    "design",
    "privacy",
    "climate",
    "education",
    "making",
    "music",
    "community",
]
WORDS = {
    "civic tech": ["Budgets in the open", "Fixing council forms", "Petitions that work"],
    "open data": ["Bus timetables as data", "CSV therapy", "Maps from open data"],
    "accessibility": ["Screen readers 101", "Plain language", "Captions for everyone"],
    "design": ["Paper prototypes", "Naming things", "Service design on a napkin"],
    "privacy": ["Threat models for humans", "Cookie banners", "Encrypt your inbox"],
    "climate": ["Heat maps of the town", "Repair cafes", "Composting with kids"],
    "education": ["Scratch for grown-ups", "Teaching with games", "Homework clubs"],
    "making": ["Soldering for beginners", "3D printing fails", "Kids' Lego robots"],
    "music": ["Live coding music", "Choir in an hour", "Synths from scrap"],
    "community": ["Running a meetup", "Welcoming newcomers", "Volunteers who stay"],
}


@dataclass(frozen=True)
class Size:
    """The shape of one generated BarCamp."""

    pitches: int
    voters: int
    rooms: int
    days: int
    sessions_per_day: int
    children: int
    kid_led: int
    family: int
    two_slot: int
    locks: int


SIZES = {
    "small": Size(60, 300, 6, 1, 8, 16, 3, 7, 5, 2),
    "large": Size(200, 1000, 10, 2, 10, 40, 8, 18, 15, 4),
}

# (start, kind, family) for one day; the session slots beyond ``sessions_per_day`` are dropped.
DAY = [
    ("09:00", "plenary", False),
    ("09:30", "session", False),
    ("10:15", "session", True),
    ("11:00", "break", False),
    ("11:15", "session", True),
    ("12:00", "session", True),
    ("12:45", "lunch", False),
    ("13:45", "session", True),
    ("14:30", "session", False),
    ("15:15", "break", False),
    ("15:30", "session", False),
    ("16:15", "session", False),
    ("17:00", "session", False),
    ("17:45", "session", False),
]

ROOMS = [
    ("Hall", 110, False, True, ["projector"]),
    ("Room A", 60, False, True, ["projector", "flip-chart"]),
    ("Kids Tent", 35, True, True, ["outdoor"]),
    ("Room B", 40, False, False, ["flip-chart", "quiet"]),
    ("Library", 25, False, True, ["quiet", "projector"]),
    ("Garden", 30, True, True, ["outdoor", "flip-chart"]),
    ("Room C", 45, False, True, ["projector"]),
    ("Studio", 30, False, False, ["quiet"]),
    ("Family Room", 40, True, True, ["projector"]),
    ("Attic", 20, False, False, ["flip-chart"]),
]


def _slots(size: Size) -> list[dict[str, Any]]:
    slots = []
    for day in range(size.days):
        sessions = 0
        for start, kind, family in DAY:
            if kind == "session":
                if sessions == size.sessions_per_day:
                    continue
                sessions += 1
            slots.append(
                {
                    "id": f"d{day}-{start.replace(':', '')}",
                    "day": day,
                    "start": start,
                    "kind": kind,
                    "family": family and kind == "session",
                }
            )
        slots.append(
            {"id": f"d{day}-1830", "day": day, "start": "18:30", "kind": "plenary", "family": False}
        )
    return slots


def generate(size: str = "small", seed: int = 0) -> dict[str, Any]:
    """Return a seeded BarCamp problem of the given size as FORMAT.md's JSON object."""
    shape = SIZES[size]
    rng = random.Random(f"{size}-{seed}")
    slots = _slots(shape)
    session_ids = [s["id"] for s in slots if s["kind"] == "session"]
    # A bigger camp has bigger rooms, though never quite big enough for the favourites.
    scale = 1.0 if shape.voters <= 300 else 1.8
    rooms = [
        {
            "id": f"r{k}",
            "name": name,
            "capacity": round(cap * scale),
            "family_friendly": fam,
            "step_free": step,
            "facilities": facilities,
        }
        for k, (name, cap, fam, step, facilities) in enumerate(ROOMS[: shape.rooms])
    ]
    close = 72.0

    adults = [f"u{k}" for k in range(shape.voters - shape.children)]
    children = [f"c{k}" for k in range(shape.children)]
    guardian_of = {child: rng.choice(adults[: shape.voters // 4]) for child in children}
    names = ["Sam", "Alex", "Kim", "Jo", "Robin", "Charlie", "Max", "Sasha", "Noor", "Ola"]
    people = [
        {"id": a, "kind": "adult", "guardian": None, "name": f"{rng.choice(names)} {a[1:]}"}
        for a in adults
    ] + [
        {"id": c, "kind": "child", "guardian": guardian_of[c], "name": f"Kid {c[1:]}"}
        for c in children
    ]
    interests = {
        v: rng.sample(TOPICS, 2) for v in adults + children
    }  # each voter cares about two topics, so dots cluster and clashes matter

    # Pitches: hosts are mostly voters; some host two; some have co-hosts.
    hosts = rng.sample(adults, shape.pitches - shape.pitches // 8)
    hosts += rng.sample(hosts, shape.pitches - len(hosts) - shape.kid_led)
    kid_hosts = rng.sample(children, shape.kid_led)
    pitches = []
    for k in range(shape.pitches):
        kid_led = k >= shape.pitches - shape.kid_led
        family = kid_led or k < shape.family
        topic = (
            rng.choice(["making", "education", "climate", "music"])
            if family
            else rng.choice(TOPICS)
        )
        host = kid_hosts[k - (shape.pitches - shape.kid_led)] if kid_led else hosts[k]
        needs = []
        roll = rng.random()
        if roll < 0.3 and not family:
            needs.append("projector")
        elif roll < 0.4:
            needs.append("flip-chart")
        elif roll < 0.45 and not family:
            needs.append("quiet")
        elif roll < 0.5:
            needs.append("outdoor")
        if rng.random() < 0.05:
            needs.append("step-free")
        late = k % 12 == 7  # about one pitch in twelve comes in late
        pitch = {
            "id": f"p{k}",
            "title": f"{rng.choice(WORDS[topic])} #{k}",
            "host": host,
            "cohosts": [rng.choice(adults)] if rng.random() < 0.15 and not kid_led else [],
            "length": 2 if shape.two_slot > k - shape.family >= 0 else 1,
            "needs": needs,
            "family_friendly": family,
            "kid_led": kid_led,
            "guardian": guardian_of[host] if kid_led else None,
            "submitted_at": round(
                rng.uniform(40.0, 66.0) if late else max(0.0, rng.uniform(-20.0, 24.0)), 2
            ),
            "_topic": topic,
            "_appeal": rng.paretovariate(1.6),
        }
        if pitch["cohosts"] == [host]:
            pitch["cohosts"] = []
        pitches.append(pitch)

    # Votes: each voter comes once or twice, sees what was pitched by then, and spreads dots
    # over the pitches of their topics, the more appealing ones more.
    votes = []
    for voter in adults + children:
        child = voter in guardian_of
        visits = sorted(rng.uniform(0, close) for _ in range(1 if rng.random() < 0.7 else 2))
        budget = 8
        for n, at in enumerate(visits):
            dots_now = budget if n == len(visits) - 1 else rng.randint(2, budget - 2)
            seen = [p for p in pitches if p["submitted_at"] <= at]
            if not seen:
                continue
            if child:
                seen = [p for p in seen if p["family_friendly"] or p["kid_led"]] or seen
            weights = [
                p["_appeal"] * (6.0 if p["_topic"] in interests[voter] else 0.4) for p in seen
            ]
            given: dict[str, int] = {}
            for _ in range(dots_now):
                pitch = rng.choices(seen, weights)[0]
                if given.get(pitch["id"], 0) < 3:
                    given[pitch["id"]] = given.get(pitch["id"], 0) + 1
            for pitch_id, dots in given.items():
                votes.append(
                    {
                        "voter": voter,
                        "pitch": pitch_id,
                        "dots": dots,
                        "at": round(at, 3),
                        "placed_by": guardian_of[voter] if child else voter,
                    }
                )
            budget -= sum(given.values())
    for pitch in pitches:
        del pitch["_topic"], pitch["_appeal"]

    # Some hosts leave at lunch or come late; a few sessions are locked where they must be.
    afternoon = [s for s in session_ids if s.split("-")[1] >= "1345"]
    unavailable = {}
    for pitch in rng.sample(pitches[shape.family + shape.two_slot :], shape.pitches // 12):
        if pitch["kid_led"]:
            continue
        day = rng.randrange(shape.days)
        if rng.random() < 0.5:
            away = [s for s in afternoon if s.startswith(f"d{day}-")]
        else:
            away = [s for s in session_ids if s.startswith(f"d{day}-")][:2]
        unavailable.setdefault(pitch["host"], sorted(set(away)))
    locked = {}
    free_hall = [s for s in session_ids if s not in {x for v in unavailable.values() for x in v}]
    for pitch in pitches[shape.family + shape.two_slot :][: shape.locks]:
        if pitch["host"] in unavailable:
            continue
        slot = free_hall[len(locked) * 3 % len(free_hall)]
        locked[pitch["id"]] = ["r0", slot]
    for pitch_id in locked:
        pitch = next(p for p in pitches if p["id"] == pitch_id)
        pitch["needs"] = []
        pitch["cohosts"] = []
    return {
        "name": f"Generated BarCamp ({size}, seed {seed})",
        "params": {
            "dot_budget": 8,
            "max_dots_per_pitch": 3,
            "voting_open": 0.0,
            "voting_close": close,
            "late_min_share": 0.5,
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
        "slots": slots,
        "rooms": rooms,
        "people": people,
        "pitches": pitches,
        "votes": votes,
        "unavailable": unavailable,
        "locked": locked,
        "previous": {},
    }


# --- running the solver as `flask schedule solve` does ------------------------------------------


@dataclass
class Run:
    """One solve through the process entry point, timed from the process's start."""

    size: str
    seed: int
    method: str
    limit: float
    grid: dict[str, Any]
    first: float  # seconds from process start to the first plan
    final: float  # seconds from process start to the plan it returned
    wall: float  # seconds the whole process took
    violations: int

    @property
    def meta(self) -> dict[str, Any]:
        return self.grid["meta"]


def solve_file(
    path: Path, seconds: float, seed: int, method: str, extra: tuple[str, ...] = ()
) -> tuple[dict[str, Any], float, float, float]:
    """Run ``python -m wiki.schedule.solver`` on a file; return grid, first, final, wall."""
    command = [
        sys.executable,
        "-m",
        "wiki.schedule.solver",
        str(path),
        "--time-limit",
        str(seconds),
        "--seed",
        str(seed),
        "--method",
        method,
        "--progress",
        *extra,
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen: list[tuple[float, float]] = []  # (seconds since start, objective) per report
    assert process.stderr is not None
    for line in process.stderr:
        try:
            seen.append((time.monotonic() - started, json.loads(line)["objective"]))
        except (ValueError, KeyError):
            sys.stderr.write(line)
    out = process.communicate(timeout=seconds + 120)[0]
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}")
    grid = json.loads(out)
    final_value = grid["meta"]["objective"]
    first = seen[0][0] if seen else wall
    final = next((t for t, v in seen if v >= final_value - 1e-6), wall)
    return grid, first, final, wall


def measure(size: str, seed: int, method: str, seconds: float, folder: Path) -> Run:
    """Solve one generated problem one way and check the grid with the validator."""
    from wiki.schedule.solver import load_problem, validate

    data = generate(size, seed)
    path = folder / f"{size}-{seed}.json"
    if not path.exists():
        path.write_text(json.dumps(data))
    grid, first, final, wall = solve_file(path, seconds, seed, method)
    problem = load_problem(data)
    violations = len(validate(problem, grid["schedule"]))
    return Run(size, seed, method, seconds, grid, first, final, wall, violations)


def load_best_known() -> dict[str, Any]:
    return json.loads(BEST_KNOWN.read_text()) if BEST_KNOWN.exists() else {}


def _row(run: Run, best: dict[str, Any]) -> str:
    m = run.meta
    t = m["terms"]
    known = best.get(f"{run.size}-{run.seed}", {}).get("objective")
    versus = f"{100 * (known - m['objective']) / abs(known):5.2f}%" if known else "    -"
    gap = f"{100 * m['gap']:5.1f}%" if m.get("gap") is not None else "    -"
    label = {
        "greedy": "greedy",
        "auto": f"solver {run.limit:g}s",
        "anneal": f"anneal {run.limit:g}s",
        "cpsat": f"CP-SAT {run.limit:g}s",
    }[run.method]
    return (
        f"| {run.size}-{run.seed} | {label} | {m['objective']:.1f} | {t['dots']:.1f} | "
        f"{t['clash']} | {t['over']} | {t['family_gap']} | {t['scheduled']} | "
        f"{m['bound']:.1f} ({m['bound_kind']}) | {gap} | {versus} | {run.first:.2f} | "
        f"{run.final:.2f} | {run.wall:.2f} | {run.violations} |"
    )


HEADER = (
    "| problem | method | J | DOTS | CLASH | OVER | FAMGAP | placed | bound (kind) | gap | "
    "below best | first plan s | final plan s | wall s | violations |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


# --- re-planning -----------------------------------------------------------------------------


def changed_event(data: dict[str, Any], grid: dict[str, Any], seed: int) -> dict[str, Any]:
    """Publish ``grid`` and change the event: 3 late pitches, 1 dropped, a host away twice."""
    rng = random.Random(f"replan-{seed}")
    changed = json.loads(json.dumps(data))
    changed["previous"] = {k: list(v) for k, v in grid["schedule"].items()}
    sessions = [s["id"] for s in changed["slots"] if s["kind"] == "session"]
    # Dropped: a scheduled pitch that is not locked; it leaves the problem and the grid.
    dropped = rng.choice(sorted(set(changed["previous"]) - set(changed["locked"])))
    changed["pitches"] = [p for p in changed["pitches"] if p["id"] != dropped]
    changed["votes"] = [v for v in changed["votes"] if v["pitch"] != dropped]
    del changed["previous"][dropped]
    # Late: three new pitches dotted in the last hours by voters with dots to spare.
    voters = [p["id"] for p in changed["people"] if p["kind"] == "adult"]
    for k in range(3):
        pitch_id = f"late{k}"
        changed["pitches"].append(
            {
                "id": pitch_id,
                "title": f"Pitched on the day #{k}",
                "host": rng.choice(voters),
                "cohosts": [],
                "length": 1,
                "needs": [],
                "family_friendly": False,
                "kid_led": False,
                "guardian": None,
                "submitted_at": 70.0,
            }
        )
        for voter in rng.sample(voters, 12 + 4 * k):
            changed["votes"].append(
                {
                    "voter": voter,
                    "pitch": pitch_id,
                    "dots": 1,
                    "at": round(rng.uniform(70.0, 72.0), 3),
                    "placed_by": voter,
                }
            )
    # Away: the host of a scheduled pitch cannot come for two slots, one of them its own.
    movable = sorted(set(changed["previous"]) - set(changed["locked"]))
    pitch_id = rng.choice(movable)
    host = next(p["host"] for p in changed["pitches"] if p["id"] == pitch_id)
    own = changed["previous"][pitch_id][1]
    other = rng.choice([s for s in sessions if s != own])
    changed["unavailable"][host] = sorted(set(changed["unavailable"].get(host, [])) | {own, other})
    return changed


def moved_in_time(previous: dict[str, Any], schedule: dict[str, Any]) -> int:
    """Count published pitches now unscheduled or at another first slot (MOVE_T)."""
    return sum(
        1
        for pitch, (_, slot) in previous.items()
        if pitch not in schedule or schedule[pitch][1] != slot
    )


def replan(seed: int, seconds: float, folder: Path) -> str:
    """Plan the small event, change it, re-plan from the published grid and from scratch."""
    data = generate("small", seed)
    first_path = folder / f"replan-{seed}-first.json"
    first_path.write_text(json.dumps(data))
    grid = solve_file(first_path, seconds, seed, "auto")[0]
    changed = changed_event(data, grid, seed)
    kept_path = folder / f"replan-{seed}-changed.json"
    kept_path.write_text(json.dumps(changed))
    scratch = dict(changed, previous={})
    scratch_path = folder / f"replan-{seed}-scratch.json"
    scratch_path.write_text(json.dumps(scratch))
    again = solve_file(kept_path, seconds, seed, "auto")[0]
    fresh = solve_file(scratch_path, seconds, seed, "auto")[0]
    from wiki.schedule.solver import load_problem, score

    # The fresh plan scored as a re-plan would be, move terms and all.
    fresh_moved = score(load_problem(changed), fresh["schedule"]).objective
    published = len(changed["previous"])
    return (
        f"| small-{seed} | {published} | {moved_in_time(changed['previous'], again['schedule'])}"
        f" | {again['meta']['terms']['move_room']} | {again['meta']['objective']:.1f} | "
        f"{moved_in_time(changed['previous'], fresh['schedule'])} | "
        f"{fresh['meta']['objective']:.1f} ({fresh_moved:.1f}) |"
    )


# --- the command line --------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def best_known(sizes: list[str], seeds: list[int], seconds: float, folder: Path) -> None:
    """Run every method long, and record the best J per problem and how it was found.

    The annealing runs get a fixed number of steps (about ``seconds`` of a quiet core) and
    time enough to finish them, so a busy machine slows them down but does not cut them.
    """
    from wiki.schedule.solver import load_problem
    from wiki.schedule.solver.score import Index
    from wiki.schedule.solver.search import step_budget

    record = load_best_known()
    for size in sizes:
        for seed in seeds:
            key = f"{size}-{seed}"
            path = folder / f"{key}.json"
            data = generate(size, seed)
            path.write_text(json.dumps(data))
            steps = step_budget(Index(load_problem(data)), seconds)
            tries = [("cpsat", 0, seconds, ())]
            tries += [("anneal", s, seconds * 8, ("--steps", str(steps))) for s in range(3)]
            for method, run_seed, limit, extra in tries:
                grid = solve_file(path, limit, run_seed, method, extra)[0]
                value = grid["meta"]["objective"]
                how = f"{method}, seed {run_seed}, " + (
                    f"{steps} steps" if extra else f"{limit:g} s"
                )
                print(
                    f"{key} {how}: J {value:.1f} (bound {grid['meta']['bound']:.1f}, "
                    f"{grid['meta']['seconds']:.0f} s, load {_load()})",
                    flush=True,
                )
                known = load_best_known().get(key)
                if known is None or value > known["objective"] + 1e-9:
                    record = load_best_known()
                    record[key] = {
                        "objective": value,
                        "how": how,
                        "bound": grid["meta"]["bound"],
                        "bound_kind": grid["meta"]["bound_kind"],
                        "schedule": grid["schedule"],
                        "found": time.strftime("%Y-%m-%d"),
                    }
                    BEST_KNOWN.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--seconds", default="10,60", help="time limits for the solver")
    parser.add_argument("--seeds", default="0")
    parser.add_argument(
        "--methods",
        default="greedy,auto,cpsat",
        help="greedy, auto (the solver), anneal, cpsat (CP-SAT alone)",
    )
    parser.add_argument("--cpsat-seconds", type=float, default=60.0)
    parser.add_argument(
        "--write", type=Path, metavar="DIR", help="write the problem files to DIR and stop"
    )
    parser.add_argument(
        "--best-known",
        action="store_true",
        help="long runs of every method; record the best J per problem",
    )
    parser.add_argument("--best-seconds", type=float, default=300.0)
    parser.add_argument("--no-replan", action="store_true")
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    limits = [float(s) for s in args.seconds.split(",")]
    methods = args.methods.split(",")
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            for seed in seeds:
                (args.write / f"{size}-{seed}.json").write_text(json.dumps(generate(size, seed)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.best_known:
            best_known(sizes, seeds, args.best_seconds, folder)
            return 0
        print(
            f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
            f"load {_load()} at the start"
        )
        print(HEADER)
        best = load_best_known()
        for size in sizes:
            for seed in seeds:
                for method in methods:
                    if method == "greedy":
                        plan = [1.0]
                    elif method == "cpsat":
                        plan = [args.cpsat_seconds]
                    else:
                        plan = limits
                    for limit in plan:
                        print(_row(measure(size, seed, method, limit, folder), best), flush=True)
        print(f"# load {_load()} at the end")
        if not args.no_replan and "small" in sizes:
            print(
                "\n| event | published | moved in time (re-plan) | moved room | J | "
                "moved in time (from scratch) | J (with its moves) |\n"
                "|---|---|---|---|---|---|---|"
            )
            for seed in seeds:
                print(replan(seed, limits[0], folder), flush=True)
            print(f"# load {_load()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
