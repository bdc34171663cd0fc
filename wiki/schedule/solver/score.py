"""The objective J of FORMAT.md, term by term, and the per-problem figures it is built from.

``Index`` works out once per problem what every term needs (adjusted dots, expected audience,
co-vote weights, each pitch's statically allowed placements) as plain lists indexed by
position, so the search can score a move from a few lookups. ``score`` computes every term from
scratch, plainly, and is what every reported figure comes from.

Two readings of FORMAT.md that it leaves open: when no dots were placed at all, every exposure
is 1 (nothing was missed); and DOTS is summed in tenths, so that the same adjusted dots give the
same DOTS to the last digit whatever order they are added in.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wiki.schedule.solver.problem import Grid, Placement, Problem, Weights


@dataclass(frozen=True, slots=True)
class Score:
    """Every term of the objective and J itself."""

    dots: float
    clash: int
    over: int
    family_gap: int
    move_time: int
    move_room: int
    objective: float
    scheduled: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "objective": self.objective,
            "dots": self.dots,
            "clash": self.clash,
            "over": self.over,
            "family_gap": self.family_gap,
            "move_time": self.move_time,
            "move_room": self.move_room,
            "scheduled": self.scheduled,
        }


def objective(
    weights: Weights, dots10: int, clash: int, over: int, gap: int, mt: int, mr: int
) -> float:
    """Return J from its terms, DOTS given in tenths."""
    return (
        weights.dots * (dots10 / 10)
        - weights.clash * clash
        - weights.overcap * over
        - weights.family_gap * gap
        - weights.move_time * mt
        - weights.move_room * mr
    )


class Index:
    """Per-problem figures and lookups, by position: pitch i, room r, slot s (problem order)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.weights = problem.weights
        self.pitch_ids = [p.id for p in problem.pitches]
        self.room_ids = [r.id for r in problem.rooms]
        self.slot_ids = [s.id for s in problem.slots]
        self.pitch_pos = {pid: i for i, pid in enumerate(self.pitch_ids)}
        self.room_pos = {rid: r for r, rid in enumerate(self.room_ids)}
        self.slot_pos = {sid: s for s, sid in enumerate(self.slot_ids)}
        self.n = len(self.pitch_ids)
        self.lengths = [p.length for p in problem.pitches]
        self.capacity = [r.capacity for r in problem.rooms]
        self.session = [s.is_session for s in problem.slots]
        self.family_slot = [s.is_session and s.family for s in problem.slots]
        self.family_slots = [s for s, fam in enumerate(self.family_slot) if fam]
        self.for_families = [p.for_families for p in problem.pitches]
        self._dot_figures(problem)
        self.over = [
            [max(0, self.audience[i] - cap) for cap in self.capacity] for i in range(self.n)
        ]
        people = sorted({a for p in problem.pitches for a in p.attendees})
        self.person_ids = people
        person_pos = {a: k for k, a in enumerate(people)}
        self.attendees = [[person_pos[a] for a in p.attendees] for p in problem.pitches]
        self.previous: list[tuple[int, int] | None] = [None] * self.n
        for pid, (room, slot) in problem.previous.items():
            self.previous[self.pitch_pos[pid]] = (self.room_pos[room], self.slot_pos[slot])
        self.locked: list[tuple[int, int] | None] = [None] * self.n
        for pid, (room, slot) in problem.locked.items():
            self.locked[self.pitch_pos[pid]] = (self.room_pos[room], self.slot_pos[slot])
        self.candidates = [self._candidates(i) for i in range(self.n)]

    def _dot_figures(self, problem: Problem) -> None:
        params = problem.params
        total = sum(v.dots for v in problem.votes)
        # Dots placed at or after a time: a suffix sum over the votes in time order.
        times = sorted((v.at, v.dots) for v in problem.votes)
        moments = [at for at, _ in times]
        later = [0] * (len(times) + 1)
        for k in range(len(times) - 1, -1, -1):
            later[k] = later[k + 1] + times[k][1]
        dots: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for v in problem.votes:
            dots[self.pitch_pos[v.pitch]][v.voter] += v.dots
        self.exposure: list[float] = []
        self.correction: list[float] = []
        self.total_dots: list[int] = []
        self.voters: list[int] = []
        self.adjusted: list[float] = []
        self.adjusted10: list[int] = []
        self.audience: list[int] = []
        for i, pitch in enumerate(problem.pitches):
            after = later[bisect_left(moments, pitch.submitted_at)]
            x = after / total if total else 1.0
            f = 1 / max(x, params.late_min_share)
            d = sum(dots[i].values())
            u = sum(1 for n in dots[i].values() if n > 0)
            a = round(d * f, 1)
            self.exposure.append(x)
            self.correction.append(f)
            self.total_dots.append(d)
            self.voters.append(u)
            self.adjusted.append(a)
            # a is the double nearest to k/10, so a*10 rounds back to exactly k.
            self.adjusted10.append(round(a * 10))
            self.audience.append(round(params.audience_per_voter * u * f))
        by_voter: dict[str, dict[int, int]] = defaultdict(dict)
        for i, per_voter in dots.items():
            for voter, n in per_voter.items():
                if n > 0:
                    by_voter[voter][i] = n
        covote = [[0] * self.n for _ in range(self.n)]
        for mine in by_voter.values():
            items = sorted(mine.items())
            for k, (i, di) in enumerate(items):
                for j, dj in items[k + 1 :]:
                    m = min(di, dj)
                    covote[i][j] += m
                    covote[j][i] += m
        self.covote = covote

    def occupies(self, i: int, s: int) -> range:
        """Return the slot positions pitch i occupies when it starts at slot s."""
        return range(s, s + self.lengths[i])

    def _candidates(self, i: int) -> list[tuple[int, int]]:
        """List the (room, first slot) placements that meet H2, H5, H6 and H7 for pitch i."""
        problem = self.problem
        pitch = problem.pitches[i]
        slots = problem.slots
        away = set()
        for person in pitch.attendees:
            away |= problem.unavailable.get(person, frozenset())
        firsts = []
        for s, slot in enumerate(slots):
            span = range(s, s + pitch.length)
            if span.stop > len(slots):
                continue
            if not all(slots[t].is_session and slots[t].day == slot.day for t in span):
                continue
            if any(slots[t].id in away for t in span):
                continue
            if pitch.for_families and not all(slots[t].family for t in span):
                continue
            firsts.append(s)
        needs = set(pitch.needs)
        rooms = [
            r
            for r, room in enumerate(problem.rooms)
            if needs <= room.features and (room.family_friendly or not pitch.for_families)
        ]
        return [(r, s) for s in firsts for r in rooms]

    def move_cost(self, i: int, place: tuple[int, int] | None) -> tuple[int, int]:
        """Return (MOVE_T, MOVE_R) of pitch i at ``place`` (None: unscheduled)."""
        prev = self.previous[i]
        if prev is None:
            return 0, 0
        if place is None or place[1] != prev[1]:
            return 1, 0
        return (0, 1) if place[0] != prev[0] else (0, 0)

    def positions(self, schedule: Mapping[str, Sequence[str]]) -> list[tuple[int, int] | None]:
        """Turn a schedule by id into a placement per pitch position."""
        out: list[tuple[int, int] | None] = [None] * self.n
        for pid, (room, slot) in schedule.items():
            out[self.pitch_pos[pid]] = (self.room_pos[room], self.slot_pos[slot])
        return out

    def schedule(self, places: Sequence[tuple[int, int] | None]) -> dict[str, Placement]:
        """Turn placements by position into a schedule by id, in problem order."""
        return {
            self.pitch_ids[i]: (self.room_ids[p[0]], self.slot_ids[p[1]])
            for i, p in enumerate(places)
            if p is not None
        }


def score(
    problem: Problem, grid: Grid | Mapping[str, Sequence[str]], index: Index | None = None
) -> Score:
    """Compute every term of J for a grid, from scratch."""
    index = index or Index(problem)
    schedule = grid.schedule if isinstance(grid, Grid) else grid
    places = index.positions(schedule)
    running: dict[int, list[int]] = defaultdict(list)
    dots10 = over = mt = mr = 0
    for i, place in enumerate(places):
        t, r = index.move_cost(i, place)
        mt += t
        mr += r
        if place is None:
            continue
        room, first = place
        dots10 += index.adjusted10[i]
        over += max(0, index.audience[i] - index.capacity[room])
        for s in index.occupies(i, first):
            if s < len(index.session):
                running[s].append(i)
    clash = 0
    for s, here in running.items():
        if not index.session[s]:
            continue
        for k, i in enumerate(here):
            for j in here[k + 1 :]:
                clash += index.covote[i][j]
    gap = sum(
        1 for s in index.family_slots if not any(index.for_families[i] for i in running.get(s, ()))
    )
    return Score(
        dots=dots10 / 10,
        clash=clash,
        over=over,
        family_gap=gap,
        move_time=mt,
        move_room=mr,
        # Rounded to 6 places so that float noise (7535.200000000001) never shows.
        objective=round(objective(index.weights, dots10, clash, over, gap, mt, mr), 6),
        scheduled=sum(1 for p in places if p is not None),
    )
