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

import random
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
    rooms = [
        {
            "id": f"r{k}",
            "name": name,
            "capacity": cap,
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
        late = rng.random() < 0.08
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
