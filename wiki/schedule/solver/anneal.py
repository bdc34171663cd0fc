"""Simulated annealing over grids that keep every hard rule.

Each step picks a pitch that is not locked and one of its allowed placements, then:
moves it there if the cells are free; swaps it with what is there (a pitch of the same
length, or two one-slot pitches in a two-slot pitch's place) when those fit where it was;
takes the place of what is there if it was unscheduled; or, now and then, unschedules it.
A step that breaks H3 or H4 is undone before it is scored, so the walk never leaves the
feasible grids, and J is kept exact in integers by ``State``.
"""

from __future__ import annotations

import math
import random

from wiki.schedule.solver.score import Index
from wiki.schedule.solver.state import NOBODY, State

DROP_SHARE = 0.03


class Annealer:
    """A seeded random walk with a temperature; remembers the best grid it has seen."""

    def __init__(self, state: State, seed: int) -> None:
        index: Index = state.index
        self.state = state
        self.index = index
        self.rng = random.Random(seed)
        self.movable = [
            i for i in range(index.n) if index.locked[i] is None and index.candidates[i]
        ]
        self.allowed = [set(c) for c in index.candidates]
        self.current = state.objective()
        self.best = self.current
        self.best_places = state.places()
        self.improved = False
        self.steps = 0

    def _undo(self, journal: list[tuple[int, int, int]]) -> None:
        state = self.state
        for p, _, _ in journal:
            if state.room[p] != NOBODY:
                state.remove(p)
        for p, r, s in journal:
            if r != NOBODY:
                state.add(p, r, s)

    def _accept(self, delta: float, temperature: float) -> bool:
        return delta >= 0 or self.rng.random() < math.exp(delta / temperature)

    def _clash_at(self, i: int, slots: range) -> int:
        covote = self.index.covote[i]
        running = self.state.running
        total = 0
        for t in slots:
            for q in running[t]:
                total += covote[q]
        return total

    def _gap_change(self, changes: dict[int, int]) -> int:
        """Return how FAMGAP changes when family options per slot change by ``changes``."""
        families = self.state.families
        family_slot = self.index.family_slot
        change = 0
        for t, d in changes.items():
            if d and family_slot[t]:
                change += (families[t] + d == 0) - (families[t] == 0)
        return change

    def relocate_delta(self, i: int, tr: int, ts: int) -> float:
        """Return how J changes if placed pitch i moves to free cells (tr, ts)."""
        state = self.state
        index = self.index
        w = index.weights
        cr, cs = state.room[i], state.slot[i]
        length = index.lengths[i]
        old, new = range(cs, cs + length), range(ts, ts + length)
        delta = w.overcap * (index.over[i][cr] - index.over[i][tr])
        delta += w.clash * (self._clash_at(i, old) - self._clash_at(i, new))
        if index.previous[i] is not None:
            mt0, mr0 = index.move_cost(i, (cr, cs))
            mt1, mr1 = index.move_cost(i, (tr, ts))
            delta -= w.move_time * (mt1 - mt0) + w.move_room * (mr1 - mr0)
        if index.for_families[i] and old != new:
            changes = dict.fromkeys(old, -1)
            for t in new:
                changes[t] = changes.get(t, 0) + 1
            delta -= w.family_gap * self._gap_change(changes)
        return delta

    def swap_delta(self, i: int, j: int) -> float:
        """Return how J changes if placed pitches i and j, of one length, swap places.

        Their slots are the same or do not overlap.
        """
        state = self.state
        index = self.index
        w = index.weights
        ra, sa = state.room[i], state.slot[i]
        rb, sb = state.room[j], state.slot[j]
        length = index.lengths[i]
        at_a, at_b = range(sa, sa + length), range(sb, sb + length)
        delta = w.overcap * (
            index.over[i][ra] + index.over[j][rb] - index.over[i][rb] - index.over[j][ra]
        )
        if sa != sb:
            c = index.covote[i][j]
            clash = (
                self._clash_at(i, at_b)
                - c * length
                - self._clash_at(i, at_a)
                + self._clash_at(j, at_a)
                - c * length
                - self._clash_at(j, at_b)
            )
            delta -= w.clash * clash
            fi, fj = index.for_families[i], index.for_families[j]
            if fi != fj:
                d = fj - fi
                changes = dict.fromkeys(at_a, d)
                changes.update(dict.fromkeys(at_b, -d))
                delta -= w.family_gap * self._gap_change(changes)
        for p, was, now in ((i, (ra, sa), (rb, sb)), (j, (rb, sb), (ra, sa))):
            if index.previous[p] is not None:
                mt0, mr0 = index.move_cost(p, was)
                mt1, mr1 = index.move_cost(p, now)
                delta -= w.move_time * (mt1 - mt0) + w.move_room * (mr1 - mr0)
        return delta

    def _journaled(self, journal: list[tuple[int, int, int]], temperature: float) -> bool:
        """Score a move already made in the state; keep it if the walk accepts it."""
        if self._accept(self.state.objective() - self.current, temperature):
            return True
        self._undo(journal)
        return False

    def step(self, temperature: float) -> bool:
        """Try one random move at ``temperature``; return whether the grid changed."""
        state = self.state
        index = self.index
        rng = self.rng
        movable = self.movable
        i = movable[int(rng.random() * len(movable))]
        cr = state.room[i]
        cs = state.slot[i]
        if cr != NOBODY and rng.random() < DROP_SHARE:
            state.remove(i)
            return self._journaled([(i, cr, cs)], temperature)
        cands = index.candidates[i]
        tr, ts = cands[int(rng.random() * len(cands))]
        if tr == cr and ts == cs:
            return False
        length = index.lengths[i]
        occupants = []
        for t in range(ts, ts + length):
            j = state.cell[t][tr]
            if j != NOBODY and j != i and j not in occupants:
                if index.locked[j] is not None:
                    return False
                occupants.append(j)
        if cr == NOBODY:
            if not occupants:
                if not state.fits(i, tr, ts):
                    return False
                if not self._accept(state.gain(i, tr, ts), temperature):
                    return False
                state.add(i, tr, ts)
                return True
            journal = [(j, state.room[j], state.slot[j]) for j in occupants]
            for j in occupants:
                state.remove(j)
            if not state.fits(i, tr, ts):
                self._undo(journal)
                return False
            state.add(i, tr, ts)
            journal.append((i, NOBODY, NOBODY))
            return self._journaled(journal, temperature)
        if not occupants:
            if not state.fits(i, tr, ts):
                return False
            if not self._accept(self.relocate_delta(i, tr, ts), temperature):
                return False
            state.remove(i)
            state.add(i, tr, ts)
            return True
        if tr == cr and abs(ts - cs) < length:
            return False
        # Swap blocks: each occupant keeps its offset within the block and goes where i was.
        moves = []
        for j in occupants:
            sj = state.slot[j]
            if sj < ts or sj + index.lengths[j] > ts + length:
                return False
            target = (cr, cs + sj - ts)
            if target not in self.allowed[j]:
                return False
            moves.append((j, target))
        j = occupants[0]
        if (
            len(occupants) == 1
            and index.lengths[j] == length
            and (ts == cs or abs(ts - cs) >= length)
        ):
            if not (state.fits(i, tr, ts, ignore=j) and state.fits(j, cr, cs, ignore=i)):
                return False
            if not self._accept(self.swap_delta(i, j), temperature):
                return False
            ri, si = cr, cs
            state.remove(i)
            state.remove(j)
            state.add(i, tr, ts)
            state.add(j, ri, si)
            return True
        journal = [(i, cr, cs)] + [(j, state.room[j], state.slot[j]) for j in occupants]
        for p, _, _ in journal:
            state.remove(p)
        if not state.fits(i, tr, ts):
            self._undo(journal)
            return False
        state.add(i, tr, ts)
        for j, (r, s) in moves:
            if not state.fits(j, r, s):
                self._undo(journal)
                return False
            state.add(j, r, s)
        return self._journaled(journal, temperature)

    def run(self, steps: int, t_start: float, t_end: float) -> None:
        """Take ``steps`` steps, cooling geometrically from ``t_start`` to ``t_end``."""
        if not self.movable or steps <= 0:
            return
        state = self.state
        cooling = (t_end / t_start) ** (1 / steps)
        temperature = t_start
        for _ in range(steps):
            temperature *= cooling
            if self.step(temperature):
                self.current = value = state.objective()
                if value > self.best + 1e-9:
                    self.best = value
                    self.best_places = state.places()
                    self.improved = True
        self.steps += steps

    def restart_from_best(self) -> None:
        """Go back to the best grid seen, to search on from there."""
        self.state.load(self.best_places)
        self.current = self.state.objective()

    def typical_loss(self, samples: int = 300) -> float:
        """Return the median loss of the worsening moves a hot walk takes, to set T by.

        The walk is undone afterwards: the annealing starts from the grid it was given.
        """
        start = self.state.places()
        current = self.current
        losses = []
        for _ in range(samples):
            before = self.current
            if self.step(1e9):
                self.current = self.state.objective()
                if self.current < before:
                    losses.append(before - self.current)
        self.state.load(start)
        self.current = current
        if not losses:
            return 1.0
        losses.sort()
        return losses[len(losses) // 2]
