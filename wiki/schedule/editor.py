"""What the draft grid editor shows: the grid as rows and cells, the tray, the quality report.

Building an event's problem reads every pitch, dot and room; the editor needs it on every
page and every move, so it is cached per process, keyed by a fingerprint of its inputs that
one small query reads (counts, sums and latest change times of each table it is built
from). A change to any of them gives a new fingerprint and a fresh problem.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from wiki.events.models import Event, EventStateChange, Rsvp, RsvpChild
from wiki.extensions import db
from wiki.pitches.models import Ballot, Dot, Pitch, PitchCoHost
from wiki.schedule import drafts, versions
from wiki.schedule.models import (
    GuestHost,
    PitchGuestHost,
    Room,
    ScheduleRevision,
    ScheduleVersion,
    TimeSlot,
    Unavailability,
)
from wiki.schedule.problems import build_problem
from wiki.schedule.solver import Index, Problem, score, validate
from wiki.schedule.solver.report import Report, report


@dataclass(frozen=True)
class Built:
    """An event's problem and its index, as built for one fingerprint of the database."""

    fingerprint: tuple
    problem: Problem
    index: Index


_cache: dict[tuple[str, int], Built] = {}
_lock = threading.Lock()
CACHE_SIZE = 16


def fingerprint(event: Event) -> tuple:
    """Return a cheap summary of everything the event's problem is built from."""
    e = event.id
    pitch_ids = select(Pitch.id).where(Pitch.event_id == e)
    queries = [
        select(func.count(), func.max(Pitch.updated_at), func.max(Pitch.id)).where(
            Pitch.event_id == e
        ),
        select(func.count(), func.sum(Dot.count), func.max(Dot.placed_at), func.sum(Dot.pitch_id))
        .join(Ballot, Ballot.id == Dot.ballot_id)
        .where(Ballot.event_id == e),
        select(func.count(), func.sum(PitchCoHost.user_id)).where(
            PitchCoHost.pitch_id.in_(pitch_ids)
        ),
        select(func.count(), func.max(Unavailability.id), func.sum(Unavailability.slot_id)).where(
            Unavailability.event_id == e
        ),
        select(func.count(), func.max(GuestHost.id), func.sum(GuestHost.claimed_by_id)).where(
            GuestHost.event_id == e
        ),
        select(func.count()).where(PitchGuestHost.pitch_id.in_(pitch_ids)),
        select(func.count(), func.max(EventStateChange.id)).where(EventStateChange.event_id == e),
        select(func.count(), func.max(RsvpChild.id))
        .join(Rsvp, Rsvp.id == RsvpChild.rsvp_id)
        .where(Rsvp.event_id == e),
        # The published grid is the problem's ``previous``.
        select(func.max(ScheduleVersion.id)).where(ScheduleVersion.event_id == e),
    ]
    figures = [tuple(db.session.execute(q).one()) for q in queries]
    # Rooms and slots are few, and have no change times: read them whole.
    rooms = tuple(
        db.session.execute(
            select(
                Room.id,
                Room.name,
                Room.capacity,
                Room.family_friendly,
                Room.step_free,
                Room.facilities,
                Room.position,
            ).where(Room.event_id == e)
        )
    )
    slots = tuple(
        db.session.execute(
            select(
                TimeSlot.id,
                TimeSlot.starts_at,
                TimeSlot.ends_at,
                TimeSlot.kind,
                TimeSlot.label,
                TimeSlot.family_hours,
            ).where(TimeSlot.event_id == e)
        )
    )
    return (
        tuple(figures),
        rooms,
        slots,
        event.name,
        event.timezone,
        event.dots_per_person,
        event.max_dots_per_pitch,
    )


def built(event: Event) -> Built:
    """Return the event's problem and index, built again only when their inputs changed."""
    key = (str(db.engine.url), event.id)
    mark = fingerprint(event)
    cached = _cache.get(key)
    if cached is not None and cached.fingerprint == mark:
        return cached
    problem = build_problem(event, previous=versions.published_grid(event))
    fresh = Built(mark, problem, Index(problem))
    with _lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[key] = fresh
    return fresh


def built_problem(event: Event) -> Problem:
    """Return the event's problem (without locks, with the published grid as ``previous``),
    from the cache when nothing changed."""
    return built(event).problem


@dataclass
class Card:
    """One session as the grid or the tray shows it."""

    id: str
    title: str
    hosts: str
    dots: int
    adjusted: float
    audience: int
    length: int
    family: bool
    kid_led: bool
    locked: bool
    place: tuple[str, str] | None
    needs: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    why: str = ""

    @property
    def db_id(self) -> int:
        return int(self.id[1:])


@dataclass
class Cell:
    room: str
    slot: str
    cards: list[Card]
    rowspan: int = 1


@dataclass
class Row:
    slot: object  # solver Slot
    cells: list[Cell | None]  # None: covered by a two-slot card from the row above


@dataclass
class EditorView:
    """Everything the editor page renders."""

    event: Event
    problem: Problem
    doc: drafts.Doc
    revision: int
    head: ScheduleRevision | None
    rows: list[Row]
    tray: list[Card]
    cards: dict[str, Card]
    report: Report
    violations: list
    can_undo: bool
    redo: ScheduleRevision | None
    days: list[str]


def person_name(problem: Problem, person_id: str) -> str:
    person = problem.person(person_id) if problem.has("people", person_id) else None
    return (person.name if person is not None and person.name else None) or person_id


def _cards(problem: Problem, index: Index, doc: drafts.Doc, violations) -> dict[str, Card]:
    warnings: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        for pid in violation.pitches:
            warnings[pid].append(violation.message)
    cards = {}
    for i, pitch in enumerate(problem.pitches):
        hosts = [pitch.host, *pitch.cohosts]
        cards[pitch.id] = Card(
            id=pitch.id,
            title=pitch.title,
            hosts=", ".join(person_name(problem, h) for h in hosts),
            dots=index.total_dots[i],
            adjusted=index.adjusted[i],
            audience=index.audience[i],
            length=pitch.length,
            family=pitch.family_friendly,
            kid_led=pitch.kid_led,
            locked=pitch.id in doc.locked,
            place=doc.schedule.get(pitch.id),
            needs=pitch.needs,
            warnings=warnings.get(pitch.id, []),
        )
    return cards


def _rows(problem: Problem, doc: drafts.Doc, cards: dict[str, Card]) -> list[Row]:
    at: dict[tuple[str, str], list[Card]] = defaultdict(list)
    covered: set[tuple[str, str]] = set()
    for pid, (room, first) in doc.schedule.items():
        at[(room, first)].append(cards[pid])
    rows = []
    slots = list(problem.slots)
    for k, slot in enumerate(slots):
        cells: list[Cell | None] = []
        for room in problem.rooms:
            if (room.id, slot.id) in covered:
                cells.append(None)
                continue
            here = sorted(at.get((room.id, slot.id), []), key=lambda c: c.title)
            span = 1
            if len(here) == 1 and here[0].length == 2 and k + 1 < len(slots):
                following = slots[k + 1]
                if (
                    following.is_session
                    and following.day == slot.day
                    and not at.get((room.id, following.id))
                ):
                    span = 2
                    covered.add((room.id, following.id))
            cells.append(Cell(room.id, slot.id, here, span))
        rows.append(Row(slot, cells))
    return rows


def build(event: Event, draft: drafts.ScheduleDraft) -> EditorView:
    """Return what the editor shows for the draft's head."""
    b = built(event)
    problem, index = b.problem, b.index
    head = drafts.head(draft)
    doc = drafts.Doc.from_json(head.grid if head is not None else None).for_problem(problem)
    violations = validate(problem, doc.schedule)
    cards = _cards(problem, index, doc, violations)
    bound = doc.meta.get("bound") if head is not None and head.kind == "solve" else None
    quality = report(problem, doc.schedule, bound=bound, index=index)
    for item in quality.unscheduled:
        cards[item.pitch].why = item.message
    tray = sorted(
        (c for c in cards.values() if c.place is None), key=lambda c: (-c.adjusted, c.title)
    )
    days = sorted({s.day for s in problem.slots})
    return EditorView(
        event=event,
        problem=problem,
        doc=doc,
        revision=draft.head_revision,
        head=head,
        rows=_rows(problem, doc, cards),
        tray=tray,
        cards=cards,
        report=quality,
        violations=violations,
        can_undo=head is not None,
        redo=drafts.redo_target(draft),
        days=[str(d) for d in days],
    )


_STARRED = re.compile(r"\*([^*]+)\*")


# The solver names a person "Sam (u12)" so two Sams differ in a file; facilitators see names.
_PERSON_ID = re.compile(r" \((?:u|c|g)\d+\)")


def without_ids(message: str) -> str:
    """Drop the problem's person ids from a solver message: "Sam (u12)" reads "Sam"."""
    return _PERSON_ID.sub("", message)


def plain(message: str) -> str:
    """Turn the solver's *titles* into quoted ones, for a status line of plain text."""
    return _STARRED.sub(r"“\1”", without_ids(message))


def _figure(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def consequences(
    problem: Problem, index: Index, before: drafts.Doc, after: drafts.Doc, moved=()
) -> list[str]:
    """Say what an edit broke, fixed and cost, in a facilitator's words."""
    old = {v.message for v in validate(problem, before.schedule)}
    new_violations = validate(problem, after.schedule)
    new = {v.message for v in new_violations}
    said = []
    broke = [m for m in (v.message for v in new_violations) if m not in old]
    said.extend(plain(m if m.endswith(".") else f"{m}.") for m in dict.fromkeys(broke))
    fixed = [plain(m.rstrip(".")) for m in old if m not in new]
    if fixed:
        said.append(f"Fixed: {'; '.join(sorted(fixed))}.")
    a = score(problem, before.schedule, index)
    b = score(problem, after.schedule, index)
    if a.objective != b.objective:
        changes = []
        if a.clash != b.clash:
            changes.append(f"clashes {a.clash} → {b.clash}")
        if a.dots != b.dots:
            changes.append(f"dots scheduled {_figure(a.dots)} → {_figure(b.dots)}")
        if a.over != b.over:
            changes.append(f"over capacity {a.over} → {b.over}")
        if a.family_gap != b.family_gap:
            changes.append(f"family-hours gaps {a.family_gap} → {b.family_gap}")
        detail = f" ({', '.join(changes)})" if changes else ""
        said.append(
            f"The score went from {_figure(a.objective)} to {_figure(b.objective)}{detail}."
        )
    else:
        said.append(f"The score stays at {_figure(b.objective)}.")
    return said
