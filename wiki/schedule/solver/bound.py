"""A cheap upper bound on J, for when CP-SAT has proved nothing better yet.

Relax everything that couples pitches but the number of cells: no clash, no family gap, each
pitch at its best allowed placement, and as many pitches as the free session cells hold, the
best value per cell first, the last one fractionally (a fractional knapsack). Only the family
slots that no family pitch could take count as gaps. No grid can beat it, because every term
it drops only ever lowers J.
"""

from __future__ import annotations

from wiki.schedule.solver.score import Index


def dots_bound(index: Index) -> float:
    """Return an upper bound on J from the best pitches that fit the cells, with no clashes."""
    w = index.weights
    bound = 0.0
    cells = sum(1 for s in index.session if s) * len(index.room_ids)
    items = []
    for i in range(index.n):
        unscheduled = -w.move_time if index.previous[i] is not None else 0.0
        places = [index.locked[i]] if index.locked[i] is not None else index.candidates[i]
        best = None
        for r, s in places:
            t, m = index.move_cost(i, (r, s))
            value = (
                w.dots * index.adjusted10[i] / 10
                - w.overcap * index.over[i][r]
                - w.move_time * t
                - w.move_room * m
            )
            best = value if best is None else max(best, value)
        if index.locked[i] is not None:
            bound += best
            cells -= index.lengths[i]
            continue
        bound += unscheduled
        if best is not None and best > unscheduled:
            items.append(((best - unscheduled) / index.lengths[i], index.lengths[i]))
    # A family slot that no family pitch can ever take is a family gap whatever the grid.
    reachable = set()
    for i in range(index.n):
        if index.for_families[i]:
            places = [index.locked[i]] if index.locked[i] is not None else index.candidates[i]
            for _, s in places:
                reachable.update(index.occupies(i, s))
    bound -= w.family_gap * sum(1 for t in index.family_slots if t not in reachable)
    items.sort(reverse=True)
    for per_cell, length in items:
        if cells <= 0:
            break
        take = min(length, cells)
        bound += per_cell * take
        cells -= take
    return bound
