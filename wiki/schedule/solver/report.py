"""The quality report of a grid, in a facilitator's words.

Every term of J, the worst clashes, the sessions left out and why, rooms where the expected
audience is over capacity, and family-hours slots without a family option. Pure functions of
the problem and the grid that return dataclasses; the editor renders them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wiki.schedule.solver.problem import Grid, Problem
from wiki.schedule.solver.score import Index, Score, score
from wiki.schedule.solver.state import State
from wiki.schedule.solver.validate import _NEED_WORDS, _and, _Words


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """Why one pitch is not in the grid; ``reason`` is a stable code, ``message`` the words."""

    pitch: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Clash:
    """Two pitches in one slot that the same people dotted."""

    pitches: tuple[str, str]
    slot: str
    weight: int
    people: int
    message: str


@dataclass(frozen=True, slots=True)
class Overfull:
    """A pitch whose expected audience is more than its room holds."""

    pitch: str
    room: str
    audience: int
    capacity: int
    message: str


@dataclass(frozen=True, slots=True)
class FamilyGap:
    """A family-hours slot with nothing family-friendly or kid-led in it."""

    slot: str
    message: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the quality report shows beside a draft."""

    score: Score
    bound: float | None
    gap: float | None
    clashes: tuple[Clash, ...]
    unscheduled: tuple[Unscheduled, ...]
    overfull: tuple[Overfull, ...]
    family_gaps: tuple[FamilyGap, ...]


def _schedule(grid: Grid | Mapping[str, Sequence[str]]) -> Mapping[str, Sequence[str]]:
    return grid.schedule if isinstance(grid, Grid) else grid


def _running(problem: Problem, schedule: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Map each slot id to the pitches running in it."""
    running: dict[str, list[str]] = defaultdict(list)
    for pitch_id, (_room, slot) in schedule.items():
        for slot_id in problem.occupied_slots(pitch_id, slot):
            running[slot_id].append(pitch_id)
    return running


def worst_clashes(
    problem: Problem,
    grid: Grid | Mapping[str, Sequence[str]],
    n: int = 5,
    index: Index | None = None,
) -> list[Clash]:
    """Return the ``n`` heaviest clashes: pairs in one slot with the most shared dots."""
    index = index or Index(problem)
    words = _Words(problem)
    found = []
    for slot_id, here in _running(problem, _schedule(grid)).items():
        if not problem.slot(slot_id).is_session:
            continue
        for k, p in enumerate(here):
            for q in here[k + 1 :]:
                c = index.covote[index.pitch_pos[p]][index.pitch_pos[q]]
                if c > 0:
                    found.append((c, slot_id, p, q))
    found.sort(key=lambda item: (-item[0], index.slot_pos[item[1]], item[2], item[3]))
    voters: dict[str, set[str]] = defaultdict(set)
    for vote in problem.votes:
        if vote.dots > 0:
            voters[vote.pitch].add(vote.voter)
    out = []
    for c, slot_id, p, q in found[:n]:
        people = len(voters[p] & voters[q])
        out.append(
            Clash(
                pitches=(p, q),
                slot=slot_id,
                weight=c,
                people=people,
                message=f"{people} {'person' if people == 1 else 'people'} dotted both "
                f"{words.pitch(p)} and {words.pitch(q)}, both at "
                f"{words.slot(problem.slot(slot_id))} ({c} dots)",
            )
        )
    return out


def over_capacity(
    problem: Problem, grid: Grid | Mapping[str, Sequence[str]], index: Index | None = None
) -> list[Overfull]:
    """List the scheduled pitches expecting more people than their room holds, worst first."""
    index = index or Index(problem)
    words = _Words(problem)
    out = []
    for pitch_id, (room_id, _slot) in _schedule(grid).items():
        audience = index.audience[index.pitch_pos[pitch_id]]
        room = problem.room(room_id)
        if audience > room.capacity:
            out.append(
                Overfull(
                    pitch=pitch_id,
                    room=room_id,
                    audience=audience,
                    capacity=room.capacity,
                    message=f"{words.pitch(pitch_id)} expects about {audience} people; "
                    f"{room.name} holds {room.capacity}",
                )
            )
    out.sort(key=lambda o: (o.capacity - o.audience, o.pitch))
    return out


def family_gaps(problem: Problem, grid: Grid | Mapping[str, Sequence[str]]) -> list[FamilyGap]:
    """List the family-hours session slots with no family-friendly or kid-led pitch."""
    words = _Words(problem)
    running = _running(problem, _schedule(grid))
    return [
        FamilyGap(
            slot=slot.id,
            message=f"Nothing for families at {words.slot(slot)}, though it is in family hours",
        )
        for slot in problem.slots
        if slot.is_session
        and slot.family
        and not any(problem.pitch(p).for_families for p in running.get(slot.id, ()))
    ]


def why_unscheduled(
    problem: Problem,
    grid: Grid | Mapping[str, Sequence[str]],
    pitch_id: str,
    index: Index | None = None,
) -> Unscheduled:
    """Say why a pitch is not in the grid, most fundamental reason first."""
    index = index or Index(problem)
    words = _Words(problem)
    pitch = problem.pitch(pitch_id)
    title = words.pitch(pitch_id)
    i = index.pitch_pos[pitch_id]
    schedule = _schedule(grid)
    needs = set(pitch.needs)
    rooms = [r for r in problem.rooms if needs <= r.features]
    if pitch.for_families:
        rooms = [r for r in rooms if r.family_friendly]
    if not rooms:
        kind = "family room" if pitch.for_families else "room"
        if needs:
            wanted = _and([_NEED_WORDS.get(n, n) for n in pitch.needs])
            message = f"No {kind} has {wanted} for {title}"
        else:
            message = f"There is no {kind} for {title}"
        return Unscheduled(pitch_id, "no-room", message)
    if pitch.for_families and not any(s.is_session and s.family for s in problem.slots):
        return Unscheduled(pitch_id, "no-family-hours", f"There are no family hours for {title}")
    if not index.candidates[i]:
        away = [a for a in pitch.attendees if problem.unavailable.get(a)]
        if away:
            who = _and([words.person(a) for a in away])
            return Unscheduled(
                pitch_id,
                "unavailable",
                f"{who} cannot be there at any time {title} could run",
            )
        slots = "no session slot" if pitch.length == 1 else "no two session slots in a row"
        if pitch.for_families:
            slots += " in family hours"
        return Unscheduled(pitch_id, "no-slot", f"There is {slots} for {title}")
    taken = set()
    busy = defaultdict(set)
    for other, (room_id, slot_id) in schedule.items():
        if other == pitch_id:
            continue
        occupied = problem.occupied_slots(other, slot_id)
        taken.update((room_id, s) for s in occupied)
        for person in problem.pitch(other).attendees:
            busy[person].update(occupied)
    free = []
    for r, s in index.candidates[i]:
        room_id, slot_id = index.room_ids[r], index.slot_ids[s]
        occupied = problem.occupied_slots(pitch_id, slot_id)
        if any((room_id, t) in taken for t in occupied):
            continue
        if any(busy[a] & set(occupied) for a in pitch.attendees):
            continue
        free.append((room_id, slot_id))
    if not free:
        if pitch.for_families:
            return Unscheduled(
                pitch_id,
                "family-full",
                f"No family room is free in family hours for {title}",
            )
        holders = {
            other
            for other, (room_id, slot_id) in schedule.items()
            if other != pitch_id
            and any(
                room_id == index.room_ids[r]
                and set(problem.occupied_slots(other, slot_id))
                & set(problem.occupied_slots(pitch_id, index.slot_ids[s]))
                for r, s in index.candidates[i]
            )
        }
        weakest = min((index.adjusted[index.pitch_pos[o]] for o in holders), default=None)
        if weakest is not None and weakest >= index.adjusted[i]:
            return Unscheduled(
                pitch_id,
                "full",
                f"Every room and time that suits {title} is taken by a session with more "
                f"dots ({index.adjusted[i]:g} against at least {weakest:g})",
            )
        return Unscheduled(
            pitch_id,
            "full",
            f"Every room and time that suits {title} is taken, or its hosts are busy then",
        )
    state = State(index)
    for p, place in enumerate(index.positions(schedule)):
        if place is not None and p != i:
            state.add(p, *place)
    gains = [(state.gain(i, index.room_pos[r], index.slot_pos[s]), r, s) for r, s in free]
    best, room_id, slot_id = max(gains, key=lambda g: g[0])
    where = f"{problem.room(room_id).name} at {words.slot(problem.slot(slot_id))}"
    if best > 0:
        return Unscheduled(
            pitch_id,
            "fits",
            f"{title} would fit {where} and raise the score by {best:g}",
        )
    return Unscheduled(
        pitch_id,
        "outscored",
        f"{title} would fit {where}, but its dots do not make up for what it would cost "
        f"in clashes and seats ({best:g})",
    )


def report(
    problem: Problem,
    grid: Grid | Mapping[str, Sequence[str]],
    *,
    clashes: int = 5,
    bound: float | None = None,
    index: Index | None = None,
) -> Report:
    """Build the whole quality report for a grid (``bound``: a proven bound, if known;
    ``index``: the problem's, when the caller keeps one)."""
    index = index if index is not None else Index(problem)
    schedule = _schedule(grid)
    figures = score(problem, schedule, index)
    gap = (bound - figures.objective) / abs(bound) if bound else None
    return Report(
        score=figures,
        bound=bound,
        gap=gap,
        clashes=tuple(worst_clashes(problem, schedule, clashes, index)),
        unscheduled=tuple(
            why_unscheduled(problem, schedule, p.id, index)
            for p in problem.pitches
            if p.id not in schedule
        ),
        overfull=tuple(over_capacity(problem, schedule, index)),
        family_gaps=tuple(family_gaps(problem, schedule)),
    )
