"""A grid under construction that keeps every term of J up to date as pitches come and go.

The search only ever holds grids that keep the hard rules: a pitch is added only at one of
its ``Index.candidates`` (H2, H5, H6, H7 hold there) and only where ``fits`` says its cells and
its people are free (H3, H4); locked pitches are added first and never touched (H8).
"""

from __future__ import annotations

from wiki.schedule.solver.score import Index, objective

NOBODY = -1


class State:
    """Placements by pitch position, with cell, person and family-hours occupancy."""

    def __init__(self, index: Index) -> None:
        self.index = index
        n_slots = len(index.slot_ids)
        n_rooms = len(index.room_ids)
        n_people = len(index.person_ids)
        self.room = [NOBODY] * index.n
        self.slot = [NOBODY] * index.n
        self.cell = [[NOBODY] * n_rooms for _ in range(n_slots)]
        self.running: list[list[int]] = [[] for _ in range(n_slots)]
        self.busy = [[NOBODY] * n_people for _ in range(n_slots)]
        self.families = [0] * n_slots
        self.dots10 = 0
        self.clash = 0
        self.over = 0
        self.gap = len(index.family_slots)
        self.mt = sum(1 for p in index.previous if p is not None)
        self.mr = 0

    def objective(self) -> float:
        return objective(
            self.index.weights, self.dots10, self.clash, self.over, self.gap, self.mt, self.mr
        )

    def terms(self) -> tuple[int, int, int, int, int, int]:
        return self.dots10, self.clash, self.over, self.gap, self.mt, self.mr

    def placed(self, i: int) -> bool:
        return self.room[i] != NOBODY

    def fits(self, i: int, r: int, s: int, ignore: int = NOBODY) -> bool:
        """Tell whether pitch i's cells and people are free at (r, s), but for i and ``ignore``."""
        index = self.index
        for t in range(s, s + index.lengths[i]):
            here = self.cell[t][r]
            if here != NOBODY and here != i and here != ignore:
                return False
            busy = self.busy[t]
            for a in index.attendees[i]:
                other = busy[a]
                if other != NOBODY and other != i and other != ignore:
                    return False
        return True

    def add(self, i: int, r: int, s: int) -> None:
        """Place pitch i at (r, s); the caller has checked ``fits``."""
        index = self.index
        covote = index.covote[i]
        fam = index.for_families[i]
        for t in range(s, s + index.lengths[i]):
            self.cell[t][r] = i
            here = self.running[t]
            for j in here:
                self.clash += covote[j]
            here.append(i)
            busy = self.busy[t]
            for a in index.attendees[i]:
                busy[a] = i
            if fam and index.family_slot[t]:
                if self.families[t] == 0:
                    self.gap -= 1
                self.families[t] += 1
        self.room[i] = r
        self.slot[i] = s
        self.dots10 += index.adjusted10[i]
        self.over += index.over[i][r]
        prev = index.previous[i]
        if prev is not None:
            if prev[1] == s:
                self.mt -= 1
                if prev[0] != r:
                    self.mr += 1

    def remove(self, i: int) -> None:
        """Take pitch i out of the grid."""
        index = self.index
        r = self.room[i]
        s = self.slot[i]
        covote = index.covote[i]
        fam = index.for_families[i]
        for t in range(s, s + index.lengths[i]):
            self.cell[t][r] = NOBODY
            here = self.running[t]
            here.remove(i)
            for j in here:
                self.clash -= covote[j]
            busy = self.busy[t]
            for a in index.attendees[i]:
                busy[a] = NOBODY
            if fam and index.family_slot[t]:
                self.families[t] -= 1
                if self.families[t] == 0:
                    self.gap += 1
        self.room[i] = NOBODY
        self.slot[i] = NOBODY
        self.dots10 -= index.adjusted10[i]
        self.over -= index.over[i][r]
        prev = index.previous[i]
        if prev is not None:
            if prev[1] == s:
                self.mt += 1
                if prev[0] != r:
                    self.mr -= 1

    def gain(self, i: int, r: int, s: int) -> float:
        """Return how much J rises if unplaced pitch i is added at (r, s), without adding it."""
        index = self.index
        w = index.weights
        covote = index.covote[i]
        fam = index.for_families[i]
        clash = 0
        filled = 0
        for t in range(s, s + index.lengths[i]):
            for j in self.running[t]:
                clash += covote[j]
            if fam and index.family_slot[t] and self.families[t] == 0:
                filled += 1
        value = (
            w.dots * index.adjusted10[i] / 10
            - w.clash * clash
            - w.overcap * index.over[i][r]
            + w.family_gap * filled
        )
        prev = index.previous[i]
        if prev is not None and prev[1] == s:
            value += w.move_time - (w.move_room if prev[0] != r else 0.0)
        return value

    def places(self) -> list[tuple[int, int] | None]:
        return [(r, s) if r != NOBODY else None for r, s in zip(self.room, self.slot, strict=True)]

    def load(self, places: list[tuple[int, int] | None]) -> None:
        """Empty the grid and place each pitch as given (all assumed to fit together)."""
        for i in range(self.index.n):
            if self.placed(i):
                self.remove(i)
        for i, place in enumerate(places):
            if place is not None:
                self.add(i, *place)
