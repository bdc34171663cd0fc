"""An independent check of a grid against the hard rules H1-H8 of FORMAT.md.

Written straight from FORMAT.md's wording and sharing nothing with the search's feasibility
code, so each can catch the other's mistakes. The editor shows the messages to facilitators:
they use titles, names, room names and slot times, never bare positions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wiki.schedule.solver.problem import Grid, Pitch, Problem, Slot

_NEED_WORDS = {
    "projector": "a projector",
    "flip-chart": "a flip chart",
    "quiet": "a quiet room",
    "outdoor": "an outdoor space",
    "step_free": "step-free access",
    "step-free": "step-free access",
    "family_friendly": "a family-friendly room",
    "family-friendly": "a family-friendly room",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule: which rule, the pitches involved, and a sentence saying what."""

    rule: str
    pitches: tuple[str, ...]
    message: str


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class _Words:
    """How the messages name pitches, people, rooms and slots."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.many_days = len({s.day for s in problem.slots}) > 1

    def pitch(self, pitch_id: str) -> str:
        return f"*{self.problem.pitch(pitch_id).title}*"

    def person(self, person_id: str) -> str:
        return self.problem.person_name(person_id)

    def room(self, room_id: str) -> str:
        return self.problem.room(room_id).name

    def slot(self, slot: Slot) -> str:
        return f"day {slot.day + 1} {slot.start}" if self.many_days else slot.start


def _roles(pitch: Pitch) -> dict[str, str]:
    """Map each person who must attend a pitch (H4) to why."""
    roles = {}
    if pitch.kid_led and pitch.guardian:
        roles[pitch.guardian] = "guardian"
    for cohost in pitch.cohosts:
        roles[cohost] = "co-host"
    roles[pitch.host] = "host"
    return roles


def _doing(role: str, titles: list[str]) -> str:
    verb = {
        "host": "hosts",
        "co-host": "co-hosts",
        "guardian": "goes with their child to",
    }[role]
    return f"{verb} {_and(titles)}"


def validate(problem: Problem, grid: Grid | Mapping[str, Any]) -> list[Violation]:
    """List every hard rule the grid breaks, in rule order."""
    words = _Words(problem)
    schedule = grid.schedule if isinstance(grid, Grid) else grid
    slots = list(problem.slots)
    slot_at = {slot.id: k for k, slot in enumerate(slots)}
    found: list[Violation] = []

    # H1, and where each good placement runs.
    placed: dict[str, tuple[str, list[int]]] = {}
    for pitch_id, value in schedule.items():
        if not problem.has("pitches", pitch_id):
            found.append(Violation("H1", (pitch_id,), f'Pitch "{pitch_id}" is not in the problem'))
            continue
        if (
            not isinstance(value, list | tuple)
            or len(value) != 2
            or not all(isinstance(part, str) for part in value)
        ):
            found.append(
                Violation(
                    "H1",
                    (pitch_id,),
                    f"{words.pitch(pitch_id)} has a place that is not [room, slot]",
                )
            )
            continue
        room_id, slot_id = value
        missing = []
        if not problem.has("rooms", room_id):
            missing.append(f'room "{room_id}"')
        if slot_id not in slot_at:
            missing.append(f'slot "{slot_id}"')
        if missing:
            found.append(
                Violation(
                    "H1",
                    (pitch_id,),
                    f"{words.pitch(pitch_id)} is placed in {_and(missing)}, which "
                    f"{'does' if len(missing) == 1 else 'do'} not exist",
                )
            )
            continue
        first = slot_at[slot_id]
        length = problem.pitch(pitch_id).length
        placed[pitch_id] = (room_id, [k for k in range(first, first + length) if k < len(slots)])

    # H2: only session slots, and a two-slot pitch's second slot is the next session that day.
    for pitch_id, (_room, taken) in placed.items():
        pitch = problem.pitch(pitch_id)
        first = slots[taken[0]]
        if not first.is_session:
            found.append(
                Violation(
                    "H2",
                    (pitch_id,),
                    f"{words.pitch(pitch_id)} is placed at {words.slot(first)}, "
                    f"which is a {first.kind} slot, not a session",
                )
            )
            continue
        if pitch.length == 2:
            problem_with = None
            if len(taken) < 2:
                problem_with = "nothing follows it"
            else:
                second = slots[taken[1]]
                if second.day != first.day:
                    problem_with = "it is the day's last slot"
                elif not second.is_session:
                    problem_with = f"the {second.kind} follows it"
            if problem_with:
                found.append(
                    Violation(
                        "H2",
                        (pitch_id,),
                        f"{words.pitch(pitch_id)} takes two slots but starts at "
                        f"{words.slot(first)}, and {problem_with}",
                    )
                )

    # H3: one pitch per room and slot.
    in_cell: dict[tuple[str, int], list[str]] = defaultdict(list)
    for pitch_id, (room_id, taken) in placed.items():
        for k in taken:
            in_cell[(room_id, k)].append(pitch_id)
    reported: set[tuple[str, ...]] = set()
    for (room_id, k), here in in_cell.items():
        if len(here) > 1 and tuple(here) not in reported:
            reported.add(tuple(here))
            titles = [words.pitch(p) for p in here]
            found.append(
                Violation(
                    "H3",
                    tuple(here),
                    f"{_and(titles)} are all in {words.room(room_id)} at {words.slot(slots[k])}"
                    if len(here) > 2
                    else f"{_and(titles)} are both in {words.room(room_id)} at "
                    f"{words.slot(slots[k])}",
                )
            )

    # H4: nobody in two places; H5: nobody placed where they cannot be.
    busy: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for pitch_id, (_room, taken) in placed.items():
        for person, role in _roles(problem.pitch(pitch_id)).items():
            away = problem.unavailable.get(person, frozenset())
            for k in taken:
                busy[(person, k)].append((pitch_id, role))
            clash = [slots[k] for k in taken if slots[k].id in away]
            if clash:
                found.append(
                    Violation(
                        "H5",
                        (pitch_id,),
                        f"{words.person(person)} cannot be there at "
                        f"{_and([words.slot(s) for s in clash])} but "
                        f"{_doing(role, [words.pitch(pitch_id)])} then",
                    )
                )
    reported = set()
    for (person, k), doing in busy.items():
        ids = tuple(sorted(p for p, _ in doing))
        if len(doing) < 2 or (person, ids) in reported:
            continue
        reported.add((person, ids))
        by_role: dict[str, list[str]] = defaultdict(list)
        for pitch_id, role in doing:
            by_role[role].append(words.pitch(pitch_id))
        parts = [_doing(role, titles) for role, titles in by_role.items()]
        found.append(
            Violation(
                "H4",
                tuple(p for p, _ in doing),
                f"{words.person(person)} {_and(parts)}, "
                f"{'both' if len(doing) == 2 else 'all'} at {words.slot(slots[k])}",
            )
        )

    # H6: needs met by the room; H7: family sessions in family rooms and family hours.
    for pitch_id, (room_id, taken) in placed.items():
        pitch = problem.pitch(pitch_id)
        room = problem.room(room_id)
        missing = [n for n in pitch.needs if n not in room.features]
        if missing:
            found.append(
                Violation(
                    "H6",
                    (pitch_id,),
                    f"{words.pitch(pitch_id)} needs "
                    f"{_and([_NEED_WORDS.get(n, n) for n in missing])}; "
                    f"{room.name} has none",
                )
            )
        if pitch.family_friendly or pitch.kid_led:
            why = "kid-led" if pitch.kid_led else "family-friendly"
            if not room.family_friendly:
                found.append(
                    Violation(
                        "H7",
                        (pitch_id,),
                        f"{words.pitch(pitch_id)} is {why} but {room.name} is not a family room",
                    )
                )
            outside = [slots[k] for k in taken if slots[k].is_session and not slots[k].family]
            if outside:
                found.append(
                    Violation(
                        "H7",
                        (pitch_id,),
                        f"{words.pitch(pitch_id)} is {why} but "
                        f"{_and([words.slot(s) for s in outside])} "
                        f"{'is' if len(outside) == 1 else 'are'} outside family hours",
                    )
                )

    # H8: locks hold.
    for pitch_id, (room_id, slot_id) in problem.locked.items():
        value = schedule.get(pitch_id)
        where = f"{words.room(room_id)} {words.slot(problem.slot(slot_id))}"
        if value is None:
            found.append(
                Violation(
                    "H8",
                    (pitch_id,),
                    f"{words.pitch(pitch_id)} is locked to {where} but is not scheduled",
                )
            )
        elif tuple(value) != (room_id, slot_id):
            now = (
                f"{words.room(value[0])} {words.slot(problem.slot(value[1]))}"
                if pitch_id in placed
                else "a place that does not exist"
            )
            found.append(
                Violation(
                    "H8",
                    (pitch_id,),
                    f"{words.pitch(pitch_id)} is locked to {where} but placed in {now}",
                )
            )
    order = {f"H{k}": k for k in range(1, 9)}
    found.sort(key=lambda v: order[v.rule])
    return found
