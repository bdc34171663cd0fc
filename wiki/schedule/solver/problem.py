"""The schedule problem and the grid as frozen dataclasses, read and written as FORMAT.md's JSON.

``load_problem`` checks a problem as FORMAT.md says: every id is a string, unknown keys are
ignored, and a missing required key, an unknown id or a value of the wrong type raises
``ProblemError`` with a message that names the key's path and the id (``pitches[3].host:
unknown person "u99"``).

Required keys: ``slots``, ``rooms``, ``people``, ``pitches`` and ``votes`` at the top; ``id``,
``day``, ``start`` and ``kind`` on a slot; ``id``, ``name`` and ``capacity`` on a room; ``id`` on
a person; ``id``, ``title`` and ``host`` on a pitch; ``voter``, ``pitch``, ``dots`` and ``at`` on a
vote. Everything else has a default: ``params`` and ``weights`` take the values of FORMAT.md's
example, so an absent ``late_min_share`` is 0.2 (the app writes its own 0.5 into every problem
it builds); booleans default to false, lists to empty, a pitch's ``length`` to 1, its
``submitted_at`` to ``voting_open``, a vote's ``placed_by`` to its voter, and a kid-led pitch's
``guardian`` to its child host's guardian.

Optional extras that FORMAT.md does not name, read when present and never required: a person's
``name`` (shown in messages instead of the id), a slot's ``label`` and ``end`` (``HH:MM``).
A step-free room also has the feature ``step-free`` and a family-friendly room
``family-friendly``, so the pitch form's hyphenated needs match FORMAT.md's underscored ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

SLOT_KINDS = ("session", "break", "lunch", "plenary")
PERSON_KINDS = ("adult", "child")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

Placement = tuple[str, str]
"""Where a pitch runs: ``(room id, first slot id)``."""


class ProblemError(ValueError):
    """A problem or grid that breaks FORMAT.md; the message names the key and the id."""


@dataclass(frozen=True, slots=True)
class Params:
    """The event's dot rules (FORMAT.md ``params``)."""

    dot_budget: int = 8
    max_dots_per_pitch: int = 3
    voting_open: float = 0.0
    voting_close: float = 72.0
    late_min_share: float = 0.2
    audience_per_voter: float = 1.0


@dataclass(frozen=True, slots=True)
class Weights:
    """The weight of each term of the objective J."""

    dots: float = 1.0
    clash: float = 1.0
    overcap: float = 1.0
    family_gap: float = 50.0
    move_time: float = 20.0
    move_room: float = 5.0


@dataclass(frozen=True, slots=True)
class Slot:
    """A time slot; only ``session`` slots take pitches."""

    id: str
    day: int
    start: str
    kind: str
    family: bool = False
    label: str | None = None
    end: str | None = None

    @property
    def is_session(self) -> bool:
        return self.kind == "session"


@dataclass(frozen=True, slots=True)
class Room:
    """A room with its capacity and features."""

    id: str
    name: str
    capacity: int
    family_friendly: bool = False
    step_free: bool = False
    facilities: tuple[str, ...] = ()

    @property
    def features(self) -> frozenset[str]:
        extra = set()
        if self.step_free:
            extra |= {"step_free", "step-free"}
        if self.family_friendly:
            extra |= {"family_friendly", "family-friendly"}
        return frozenset(self.facilities) | extra


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who hosts, co-hosts, guards a kid-led host or votes."""

    id: str
    kind: str = "adult"
    guardian: str | None = None
    name: str | None = None

    @property
    def display(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True, slots=True)
class Pitch:
    """A proposed session."""

    id: str
    title: str
    host: str
    cohosts: tuple[str, ...] = ()
    length: int = 1
    needs: tuple[str, ...] = ()
    family_friendly: bool = False
    kid_led: bool = False
    guardian: str | None = None
    submitted_at: float = 0.0

    @property
    def attendees(self) -> tuple[str, ...]:
        """Who must be in the room (H4): host, co-hosts, and a kid-led pitch's guardian."""
        people = [self.host, *self.cohosts]
        if self.kid_led and self.guardian:
            people.append(self.guardian)
        return tuple(dict.fromkeys(people))

    @property
    def for_families(self) -> bool:
        return self.family_friendly or self.kid_led


@dataclass(frozen=True, slots=True)
class Vote:
    """Dots one voter put on one pitch at one time."""

    voter: str
    pitch: str
    dots: int
    at: float
    placed_by: str


@dataclass(frozen=True)
class Problem:
    """Everything the solver reads; look ups by id through ``slot``, ``room``, ``person``..."""

    slots: tuple[Slot, ...]
    rooms: tuple[Room, ...]
    people: tuple[Person, ...]
    pitches: tuple[Pitch, ...]
    votes: tuple[Vote, ...] = ()
    name: str = ""
    params: Params = field(default_factory=Params)
    weights: Weights = field(default_factory=Weights)
    unavailable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    locked: Mapping[str, Placement] = field(default_factory=dict)
    previous: Mapping[str, Placement] = field(default_factory=dict)
    _by_id: dict[str, dict[str, Any]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for name in ("unavailable", "locked", "previous"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        for name in ("slots", "rooms", "people", "pitches"):
            self._by_id[name] = {item.id: item for item in getattr(self, name)}
        self._by_id["slot_index"] = {slot.id: i for i, slot in enumerate(self.slots)}

    def slot(self, slot_id: str) -> Slot:
        return self._by_id["slots"][slot_id]

    def room(self, room_id: str) -> Room:
        return self._by_id["rooms"][room_id]

    def person(self, person_id: str) -> Person:
        return self._by_id["people"][person_id]

    def pitch(self, pitch_id: str) -> Pitch:
        return self._by_id["pitches"][pitch_id]

    def has(self, kind: str, item_id: str) -> bool:
        """Tell whether an id of ``kind`` (slots, rooms, people, pitches) exists."""
        return item_id in self._by_id[kind]

    def slot_index(self, slot_id: str) -> int:
        return self._by_id["slot_index"][slot_id]

    def occupied_slots(self, pitch_id: str, first_slot: str) -> tuple[str, ...]:
        """Return the slots a pitch occupies when it starts at ``first_slot`` (H2 unchecked)."""
        i = self.slot_index(first_slot)
        ids = [
            self.slots[j].id
            for j in range(i, min(i + self.pitch(pitch_id).length, len(self.slots)))
        ]
        return tuple(ids)

    def person_name(self, person_id: str) -> str:
        return self.person(person_id).display if self.has("people", person_id) else person_id


@dataclass(frozen=True)
class Grid:
    """A schedule: pitch id to ``(room, first slot)``; absent pitches are not scheduled."""

    schedule: Mapping[str, Placement]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", MappingProxyType(dict(self.schedule)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))


# --- reading -----------------------------------------------------------------------------------


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Reader:
    """Checked access to one JSON object, with the path used in error messages."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ProblemError(f"{path or 'problem'}: expected an object, got {_kind_of(data)}")
        self.data = data
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                raise ProblemError(f'{self.path or "problem"}: missing required key "{key}"')
            return None
        return self.data[key]

    def string(self, key: str, *, required: bool = True, default: str | None = None) -> Any:
        value = self._get(key, required)
        if value is None and not required:
            return default
        if not isinstance(value, str):
            raise ProblemError(f"{self.at(key)}: expected a string, got {_kind_of(value)}")
        return value

    def integer(self, key: str, *, required: bool = True, default: int = 0) -> int:
        value = self._get(key, required)
        if key not in self.data:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProblemError(f"{self.at(key)}: expected an integer, got {_kind_of(value)}")
        return value

    def number(self, key: str, *, required: bool = True, default: float = 0.0) -> float:
        value = self._get(key, required)
        if key not in self.data:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProblemError(f"{self.at(key)}: expected a number, got {_kind_of(value)}")
        return float(value)

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self._get(key, False)
        if key not in self.data:
            return default
        if not isinstance(value, bool):
            raise ProblemError(f"{self.at(key)}: expected true or false, got {_kind_of(value)}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ProblemError(f"{self.at(key)}: expected a list, got {_kind_of(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise ProblemError(f"{self.at(key)}[{i}]: expected a string, got {_kind_of(item)}")
        return tuple(value)

    def items(self, key: str, *, required: bool = True) -> list[_Reader]:
        value = self._get(key, required)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise ProblemError(f"{self.at(key)}: expected a list, got {_kind_of(value)}")
        return [_Reader(item, f"{self.at(key)}[{i}]") for i, item in enumerate(value)]

    def mapping(self, key: str) -> dict[str, Any]:
        value = self._get(key, False)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ProblemError(f"{self.at(key)}: expected an object, got {_kind_of(value)}")
        return value


def _check_unique(items: list[Any], path: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise ProblemError(f'{path}[{i}].id: duplicate id "{item.id}"')
        seen.add(item.id)


def _known(ids: Mapping[str, Any] | set[str], value: str, path: str, what: str) -> str:
    if value not in ids:
        raise ProblemError(f'{path}: unknown {what} "{value}"')
    return value


def _read_params(top: _Reader) -> Params:
    if "params" not in top.data:
        return Params()
    r = _Reader(top.data["params"], "params")
    d = Params()
    params = Params(
        dot_budget=r.integer("dot_budget", required=False, default=d.dot_budget),
        max_dots_per_pitch=r.integer(
            "max_dots_per_pitch", required=False, default=d.max_dots_per_pitch
        ),
        voting_open=r.number("voting_open", required=False, default=d.voting_open),
        voting_close=r.number("voting_close", required=False, default=d.voting_close),
        late_min_share=r.number("late_min_share", required=False, default=d.late_min_share),
        audience_per_voter=r.number(
            "audience_per_voter", required=False, default=d.audience_per_voter
        ),
    )
    if not 0.0 < params.late_min_share <= 1.0:
        raise ProblemError(
            f"params.late_min_share: expected a share above 0 and at most 1, "
            f"got {params.late_min_share:g}"
        )
    if params.audience_per_voter < 0:
        raise ProblemError("params.audience_per_voter: expected a number of at least 0")
    return params


def _read_weights(top: _Reader) -> Weights:
    if "weights" not in top.data:
        return Weights()
    r = _Reader(top.data["weights"], "weights")
    values = {f.name: r.number(f.name, required=False, default=f.default) for f in fields(Weights)}
    return Weights(**values)


def _read_slots(top: _Reader) -> tuple[Slot, ...]:
    slots = []
    for r in top.items("slots"):
        kind = r.string("kind")
        if kind not in SLOT_KINDS:
            raise ProblemError(
                f'{r.at("kind")}: expected one of {", ".join(SLOT_KINDS)}, got "{kind}"'
            )
        start = r.string("start")
        if not _TIME.match(start):
            raise ProblemError(f'{r.at("start")}: expected a time HH:MM, got "{start}"')
        end = r.string("end", required=False)
        if end is not None and not _TIME.match(end):
            raise ProblemError(f'{r.at("end")}: expected a time HH:MM, got "{end}"')
        slot = Slot(
            id=r.string("id"),
            day=r.integer("day"),
            start=start,
            kind=kind,
            family=r.boolean("family"),
            label=r.string("label", required=False),
            end=end,
        )
        if slots and (slot.day, slot.start) <= (slots[-1].day, slots[-1].start):
            raise ProblemError(
                f'{r.path}: slot "{slot.id}" (day {slot.day}, {slot.start}) is not after '
                f'"{slots[-1].id}" (day {slots[-1].day}, {slots[-1].start}); '
                "slots are listed in time order"
            )
        slots.append(slot)
    _check_unique(slots, "slots")
    return tuple(slots)


def _read_rooms(top: _Reader) -> tuple[Room, ...]:
    rooms = []
    for r in top.items("rooms"):
        room = Room(
            id=r.string("id"),
            name=r.string("name"),
            capacity=r.integer("capacity"),
            family_friendly=r.boolean("family_friendly"),
            step_free=r.boolean("step_free"),
            facilities=r.strings("facilities"),
        )
        if room.capacity < 0:
            raise ProblemError(f"{r.at('capacity')}: expected at least 0, got {room.capacity}")
        rooms.append(room)
    _check_unique(rooms, "rooms")
    return tuple(rooms)


def _read_people(top: _Reader) -> tuple[Person, ...]:
    readers = top.items("people")
    people = []
    for r in readers:
        kind = r.string("kind", required=False, default="adult")
        if kind not in PERSON_KINDS:
            raise ProblemError(f'{r.at("kind")}: expected "adult" or "child", got "{kind}"')
        people.append(
            Person(
                id=r.string("id"),
                kind=kind,
                guardian=r.string("guardian", required=False),
                name=r.string("name", required=False),
            )
        )
    _check_unique(people, "people")
    ids = {p.id for p in people}
    for r, person in zip(readers, people, strict=True):
        if person.guardian is not None:
            _known(ids, person.guardian, r.at("guardian"), "person")
        elif person.kind == "child":
            raise ProblemError(f'{r.at("guardian")}: child "{person.id}" has no guardian')
    return tuple(people)


def _read_pitches(top: _Reader, people: dict[str, Person], params: Params) -> tuple[Pitch, ...]:
    pitches = []
    for r in top.items("pitches"):
        pitch_id = r.string("id")
        host = _known(people, r.string("host"), r.at("host"), "person")
        cohosts = r.strings("cohosts")
        for i, cohost in enumerate(cohosts):
            _known(people, cohost, f"{r.at('cohosts')}[{i}]", "person")
        length = r.integer("length", required=False, default=1)
        if length not in (1, 2):
            raise ProblemError(f"{r.at('length')}: expected 1 or 2 slots, got {length}")
        kid_led = r.boolean("kid_led")
        guardian = r.string("guardian", required=False)
        if guardian is not None:
            _known(people, guardian, r.at("guardian"), "person")
        elif kid_led:
            guardian = people[host].guardian
            if guardian is None:
                raise ProblemError(
                    f'{r.at("guardian")}: kid-led pitch "{pitch_id}" has no guardian'
                )
        pitches.append(
            Pitch(
                id=pitch_id,
                title=r.string("title"),
                host=host,
                cohosts=cohosts,
                length=length,
                needs=r.strings("needs"),
                family_friendly=r.boolean("family_friendly"),
                kid_led=kid_led,
                guardian=guardian,
                submitted_at=r.number("submitted_at", required=False, default=params.voting_open),
            )
        )
    _check_unique(pitches, "pitches")
    return tuple(pitches)


def _read_votes(top: _Reader, people: dict[str, Person], pitches: set[str]) -> tuple[Vote, ...]:
    votes = []
    for r in top.items("votes"):
        voter = _known(people, r.string("voter"), r.at("voter"), "person")
        pitch = _known(pitches, r.string("pitch"), r.at("pitch"), "pitch")
        dots = r.integer("dots")
        if dots < 0:
            raise ProblemError(f"{r.at('dots')}: expected at least 0, got {dots}")
        placed_by = r.string("placed_by", required=False, default=voter)
        _known(people, placed_by, r.at("placed_by"), "person")
        votes.append(Vote(voter, pitch, dots, r.number("at"), placed_by))
    return tuple(votes)


def _read_placements(
    top: _Reader, key: str, pitches: set[str], rooms: set[str], slots: set[str]
) -> dict[str, Placement]:
    out = {}
    for pitch_id, value in top.mapping(key).items():
        path = f"{key}.{pitch_id}"
        _known(pitches, pitch_id, path, "pitch")
        out[pitch_id] = read_placement(value, path, rooms, slots)
    return out


def read_placement(value: Any, path: str, rooms: set[str], slots: set[str]) -> Placement:
    """Check one ``[room, slot]`` value and return it as a tuple."""
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, str) for part in value)
    ):
        raise ProblemError(f"{path}: expected [room, slot], got {_kind_of(value)}")
    room, slot = value
    _known(rooms, room, f"{path}[0]", "room")
    _known(slots, slot, f"{path}[1]", "slot")
    return room, slot


def load_problem(data: Any) -> Problem:
    """Check a problem decoded from JSON and return it as dataclasses."""
    top = _Reader(data, "")
    name = top.string("name", required=False, default="")
    params = _read_params(top)
    weights = _read_weights(top)
    slots = _read_slots(top)
    rooms = _read_rooms(top)
    people = _read_people(top)
    by_person = {p.id: p for p in people}
    pitches = _read_pitches(top, by_person, params)
    pitch_ids = {p.id for p in pitches}
    votes = _read_votes(top, by_person, pitch_ids)
    slot_ids = {s.id for s in slots}
    room_ids = {r.id for r in rooms}
    unavailable = {}
    for person_id, value in top.mapping("unavailable").items():
        path = f"unavailable.{person_id}"
        _known(by_person, person_id, path, "person")
        if not isinstance(value, list):
            raise ProblemError(f"{path}: expected a list of slots, got {_kind_of(value)}")
        for i, slot_id in enumerate(value):
            if not isinstance(slot_id, str):
                raise ProblemError(f"{path}[{i}]: expected a string, got {_kind_of(slot_id)}")
            _known(slot_ids, slot_id, f"{path}[{i}]", "slot")
        unavailable[person_id] = frozenset(value)
    return Problem(
        name=name,
        params=params,
        weights=weights,
        slots=slots,
        rooms=rooms,
        people=people,
        pitches=pitches,
        votes=votes,
        unavailable=unavailable,
        locked=_read_placements(top, "locked", pitch_ids, room_ids, slot_ids),
        previous=_read_placements(top, "previous", pitch_ids, room_ids, slot_ids),
    )


def _decode(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except UnicodeDecodeError as error:
        raise ProblemError(f"not valid UTF-8 at byte {error.start}") from None


def problem_from_json(text: str | bytes) -> Problem:
    """Parse and check a problem file's text."""
    return load_problem(_decode(text))


# --- writing -----------------------------------------------------------------------------------


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """Return the problem as FORMAT.md's JSON object (extras only where set)."""

    def slot(s: Slot) -> dict[str, Any]:
        out = {"id": s.id, "day": s.day, "start": s.start, "kind": s.kind, "family": s.family}
        if s.label is not None:
            out["label"] = s.label
        if s.end is not None:
            out["end"] = s.end
        return out

    def person(p: Person) -> dict[str, Any]:
        out: dict[str, Any] = {"id": p.id, "kind": p.kind, "guardian": p.guardian}
        if p.name is not None:
            out["name"] = p.name
        return out

    return {
        "name": problem.name,
        "params": {f.name: getattr(problem.params, f.name) for f in fields(Params)},
        "weights": {f.name: getattr(problem.weights, f.name) for f in fields(Weights)},
        "slots": [slot(s) for s in problem.slots],
        "rooms": [
            {
                "id": r.id,
                "name": r.name,
                "capacity": r.capacity,
                "family_friendly": r.family_friendly,
                "step_free": r.step_free,
                "facilities": list(r.facilities),
            }
            for r in problem.rooms
        ],
        "people": [person(p) for p in problem.people],
        "pitches": [
            {
                "id": p.id,
                "title": p.title,
                "host": p.host,
                "cohosts": list(p.cohosts),
                "length": p.length,
                "needs": list(p.needs),
                "family_friendly": p.family_friendly,
                "kid_led": p.kid_led,
                "guardian": p.guardian,
                "submitted_at": p.submitted_at,
            }
            for p in problem.pitches
        ],
        "votes": [
            {
                "voter": v.voter,
                "pitch": v.pitch,
                "dots": v.dots,
                "at": v.at,
                "placed_by": v.placed_by,
            }
            for v in problem.votes
        ],
        "unavailable": {
            k: sorted(v, key=problem.slot_index) for k, v in problem.unavailable.items()
        },
        "locked": {k: list(v) for k, v in problem.locked.items()},
        "previous": {k: list(v) for k, v in problem.previous.items()},
    }


def grid_to_dict(grid: Grid) -> dict[str, Any]:
    """Return the grid as FORMAT.md's JSON object."""
    return {
        "schedule": {pitch: list(place) for pitch, place in grid.schedule.items()},
        "meta": dict(grid.meta),
    }


def grid_from_dict(problem: Problem, data: Any) -> Grid:
    """Check a grid decoded from JSON against its problem's ids and return it."""
    top = _Reader(data, "")
    pitches = {p.id for p in problem.pitches}
    rooms = {r.id for r in problem.rooms}
    slots = {s.id for s in problem.slots}
    if "schedule" not in top.data:
        raise ProblemError('grid: missing required key "schedule"')
    schedule = _read_placements(top, "schedule", pitches, rooms, slots)
    return Grid(schedule=schedule, meta=top.mapping("meta"))


def grid_from_json(problem: Problem, text: str | bytes) -> Grid:
    """Parse and check a grid file's text against its problem."""
    return grid_from_dict(problem, _decode(text))
