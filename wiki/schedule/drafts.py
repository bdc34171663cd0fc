"""An event's draft grid as a chain of revisions: every edit and every solve makes a new one.

A revision holds the whole grid as FORMAT.md's JSON plus the locks::

    {"schedule": {"p3": ["r1", "s7"]}, "locked": ["p3"], "meta": {"objective": 1234.5}}

The draft's head moves by a conditional UPDATE (``... WHERE head_revision = expected``), so an
edit made on a revision that is no longer the head is refused (``StaleDraft``), never applied
on top of someone else's. Undo and redo move the head by pointer: undo to the head's parent,
redo to the newest revision made on the head; a new edit on an undone revision starts a new
branch, which is the newest, so what was undone is no longer redone.

Edits are pure functions of a grid document (``move``, ``unplace``, ``lock``, ``unlock``), so
they are tested without a database; ``commit`` saves one as the new head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from wiki.accounts.models import User
from wiki.database import utcnow
from wiki.events.models import Event
from wiki.extensions import db
from wiki.rules import RuleError
from wiki.schedule.models import RevisionKind, ScheduleDraft, ScheduleRevision
from wiki.schedule.solver import Problem

EMPTY: dict[str, Any] = {"schedule": {}, "locked": [], "meta": {}}


class StaleDraft(RuleError):
    """The edit was made on a revision that is no longer the head; ``head`` is the new one."""

    def __init__(self, head: ScheduleRevision | None, message: str | None = None) -> None:
        if message is None:
            who = head.author.display_name if head is not None and head.author else "Someone"
            what = f" ({head.summary})" if head is not None and head.summary else ""
            message = f"{who} changed the grid meanwhile{what}; here is the grid as it is now."
        super().__init__("revision", message)
        self.head = head


class EditError(RuleError):
    """An edit that cannot be made at all (a locked card, an unknown room)."""


@dataclass
class Doc:
    """A grid document: where each pitch runs, which placements are locked, and meta."""

    schedule: dict[str, tuple[str, str]] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str | None) -> Doc:
        data = json.loads(text) if text else EMPTY
        return cls(
            schedule={p: (str(v[0]), str(v[1])) for p, v in data.get("schedule", {}).items()},
            locked=set(data.get("locked", [])),
            meta=dict(data.get("meta", {})),
        )

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), separators=(",", ":"), sort_keys=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schedule": {p: list(v) for p, v in sorted(self.schedule.items())},
            "locked": sorted(p for p in self.locked if p in self.schedule),
            "meta": self.meta,
        }

    def copy(self) -> Doc:
        return Doc(dict(self.schedule), set(self.locked), dict(self.meta))

    def for_problem(self, problem: Problem) -> Doc:
        """Drop placements of pitches, rooms or slots the problem no longer has."""
        schedule = {
            p: (r, s)
            for p, (r, s) in self.schedule.items()
            if problem.has("pitches", p) and problem.has("rooms", r) and problem.has("slots", s)
        }
        return Doc(schedule, {p for p in self.locked if p in schedule}, dict(self.meta))

    def locks(self) -> dict[str, tuple[str, str]]:
        """Return the locked placements as the solver's ``locked`` mapping."""
        return {p: self.schedule[p] for p in sorted(self.locked) if p in self.schedule}


@dataclass(frozen=True)
class Edit:
    """The result of an edit: the new document, its kind, a summary and the pitches moved."""

    doc: Doc
    kind: RevisionKind
    summary: str
    moved: tuple[str, ...]


def place_words(problem: Problem, place: tuple[str, str] | None) -> str:
    """Say where a placement is: "the Hall at 11:00", or "the tray"."""
    if place is None:
        return "the tray"
    return f"{problem.room(place[0]).name} at {problem.slot(place[1]).start}"


def _occupant(problem: Problem, doc: Doc, room: str, slot: str, moving: str) -> str | None:
    """Return the pitch other than ``moving`` that runs in ``room`` during ``slot``."""
    for pid, (r, first) in doc.schedule.items():
        if pid != moving and r == room and slot in problem.occupied_slots(pid, first):
            return pid
    return None


def _check_known(problem: Problem, pitch: str, room: str | None = None, slot: str | None = None):
    if not problem.has("pitches", pitch):
        raise EditError("pitch", "That session is no longer in the plan.")
    if room is not None and not problem.has("rooms", room):
        raise EditError("room", "There is no such room.")
    if slot is not None and (not problem.has("slots", slot) or not problem.slot(slot).is_session):
        raise EditError("slot", "Choose a session slot.")


def move(problem: Problem, doc: Doc, pitch: str, room: str, slot: str) -> Edit:
    """Move ``pitch`` to (room, slot); onto another card it swaps places with that card."""
    _check_known(problem, pitch, room, slot)
    title = problem.pitch(pitch).title
    if pitch in doc.locked:
        raise EditError("pitch", f"“{title}” is locked: unlock it before moving it.")
    old = doc.schedule.get(pitch)
    if old == (room, slot):
        raise EditError("slot", f"“{title}” is already in {place_words(problem, old)}.")
    other = _occupant(problem, doc, room, slot, pitch)
    new = doc.copy()
    new.schedule[pitch] = (room, slot)
    if other is None:
        return Edit(
            new,
            RevisionKind.MOVE,
            f"Moved “{title}” from {place_words(problem, old)} to "
            f"{place_words(problem, (room, slot))}",
            (pitch,),
        )
    other_title = problem.pitch(other).title
    if other in doc.locked:
        raise EditError("slot", f"“{other_title}” is locked there: unlock it first.")
    other_old = doc.schedule[other]
    if old is None:
        del new.schedule[other]
    else:
        # The other card takes the moved card's first slot: swapping onto the second half of
        # a two-slot session puts the other card where the moved one started.
        new.schedule[other] = old
    if other_old[1] != slot:
        new.schedule[pitch] = other_old
    return Edit(
        new,
        RevisionKind.SWAP,
        f"Swapped “{title}” (now in {place_words(problem, new.schedule[pitch])}) and "
        f"“{other_title}” (now in {place_words(problem, new.schedule.get(other))})",
        (pitch, other),
    )


def unplace(problem: Problem, doc: Doc, pitch: str) -> Edit:
    """Take ``pitch`` out of the grid, back to the tray."""
    _check_known(problem, pitch)
    title = problem.pitch(pitch).title
    if pitch not in doc.schedule:
        raise EditError("pitch", f"“{title}” is already in the tray.")
    if pitch in doc.locked:
        raise EditError("pitch", f"“{title}” is locked: unlock it before moving it.")
    new = doc.copy()
    old = new.schedule.pop(pitch)
    return Edit(
        new,
        RevisionKind.UNPLACE,
        f"Took “{title}” out of {place_words(problem, old)}, back to the tray",
        (pitch,),
    )


def lock(problem: Problem, doc: Doc, pitch: str) -> Edit:
    """Lock ``pitch`` where it is: a new plan keeps it there."""
    _check_known(problem, pitch)
    title = problem.pitch(pitch).title
    if pitch not in doc.schedule:
        raise EditError("pitch", f"“{title}” is in the tray: place it before locking it.")
    if pitch in doc.locked:
        raise EditError("pitch", f"“{title}” is already locked.")
    new = doc.copy()
    new.locked.add(pitch)
    where = place_words(problem, doc.schedule[pitch])
    return Edit(new, RevisionKind.LOCK, f"Locked “{title}” in {where}", (pitch,))


def unlock(problem: Problem, doc: Doc, pitch: str) -> Edit:
    """Unlock ``pitch``: a new plan may move it."""
    _check_known(problem, pitch)
    title = problem.pitch(pitch).title
    if pitch not in doc.locked:
        raise EditError("pitch", f"“{title}” is not locked.")
    new = doc.copy()
    new.locked.discard(pitch)
    return Edit(new, RevisionKind.UNLOCK, f"Unlocked “{title}”", (pitch,))


# --- the draft in the database ------------------------------------------------------------------


def get_draft(event: Event) -> ScheduleDraft:
    """Return the event's draft, creating an empty one the first time."""
    draft = db.session.scalar(select(ScheduleDraft).where(ScheduleDraft.event_id == event.id))
    if draft is None:
        try:
            with db.session.begin_nested():
                draft = ScheduleDraft(event_id=event.id, head_revision=0)
                db.session.add(draft)
                db.session.flush()
        except IntegrityError:  # another request made it first
            draft = db.session.scalar(
                select(ScheduleDraft).where(ScheduleDraft.event_id == event.id)
            )
    return draft


def draft_or_blank(event: Event) -> ScheduleDraft:
    """Return the event's draft, or an unsaved empty one (for pages that only read)."""
    return find_draft(event.id) or ScheduleDraft(event_id=event.id, head_revision=0)


def find_draft(event_id: int) -> ScheduleDraft | None:
    """Return the event's draft, or None when nobody has planned or edited yet."""
    return db.session.scalar(select(ScheduleDraft).where(ScheduleDraft.event_id == event_id))


def revision(draft: ScheduleDraft, number: int) -> ScheduleRevision | None:
    """Return the draft's revision ``number``; None for 0 (the empty grid)."""
    if not number:
        return None
    return db.session.scalar(
        select(ScheduleRevision).where(
            ScheduleRevision.draft_id == draft.id, ScheduleRevision.number == number
        )
    )


def head(draft: ScheduleDraft) -> ScheduleRevision | None:
    """Return the revision at the draft's head, None when the draft is still empty."""
    return revision(draft, draft.head_revision)


def head_doc(draft: ScheduleDraft) -> Doc:
    """Return the grid document at the draft's head."""
    rev = head(draft)
    return Doc.from_json(rev.grid if rev is not None else None)


def _take_head(draft: ScheduleDraft, expected: int) -> None:
    """Claim the head for this transaction if it is still ``expected``, else refuse."""
    result = db.session.execute(
        update(ScheduleDraft)
        .where(ScheduleDraft.id == draft.id, ScheduleDraft.head_revision == expected)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(draft)
        raise StaleDraft(head(draft))


def _set_head(draft: ScheduleDraft, number: int) -> None:
    db.session.execute(
        update(ScheduleDraft)
        .where(ScheduleDraft.id == draft.id)
        .values(head_revision=number)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(draft)


def commit(
    draft: ScheduleDraft,
    base: int,
    kind: RevisionKind,
    doc: Doc,
    summary: str,
    author: User | None,
) -> ScheduleRevision:
    """Save ``doc`` as a new revision made on ``base`` and move the head to it.

    Raises ``StaleDraft`` when the head is no longer ``base``.
    """
    _take_head(draft, base)
    number = (
        db.session.scalar(
            select(func.max(ScheduleRevision.number)).where(ScheduleRevision.draft_id == draft.id)
        )
        or 0
    ) + 1
    rev = ScheduleRevision(
        draft_id=draft.id,
        number=number,
        parent=base,
        kind=kind,
        grid=doc.to_json(),
        summary=summary[:300],
        author_id=author.id if author is not None else None,
    )
    db.session.add(rev)
    db.session.flush()
    _set_head(draft, number)
    return rev


def apply(draft: ScheduleDraft, base: int, edit: Edit, author: User | None) -> ScheduleRevision:
    """Save an edit made on revision ``base`` as the new head."""
    return commit(draft, base, edit.kind, edit.doc, edit.summary, author)


def redo_target(draft: ScheduleDraft) -> ScheduleRevision | None:
    """Return the revision redo would bring back: the newest one made on the head."""
    return db.session.scalar(
        select(ScheduleRevision)
        .where(
            ScheduleRevision.draft_id == draft.id,
            ScheduleRevision.parent == draft.head_revision,
        )
        .order_by(ScheduleRevision.number.desc())
        .limit(1)
    )


def undo(draft: ScheduleDraft, base: int) -> ScheduleRevision:
    """Move the head back to its parent; return the revision that was undone."""
    current = head(draft)
    if draft.head_revision != base:
        raise StaleDraft(current)
    if current is None:
        raise EditError("revision", "There is nothing to undo.")
    _take_head(draft, base)
    _set_head(draft, current.parent or 0)
    return current


def redo(draft: ScheduleDraft, base: int) -> ScheduleRevision:
    """Move the head forward to the revision last undone; return it."""
    if draft.head_revision != base:
        raise StaleDraft(head(draft))
    target = redo_target(draft)
    if target is None:
        raise EditError("revision", "There is nothing to redo.")
    _take_head(draft, base)
    _set_head(draft, target.number)
    return target


def history(draft: ScheduleDraft, limit: int = 10) -> list[ScheduleRevision]:
    """Return the head and its ancestors, newest first, at most ``limit``."""
    revisions = {
        r.number: r
        for r in db.session.scalars(
            select(ScheduleRevision).where(ScheduleRevision.draft_id == draft.id)
        )
    }
    out: list[ScheduleRevision] = []
    number = draft.head_revision
    while number and number in revisions and len(out) < limit:
        out.append(revisions[number])
        number = revisions[number].parent or 0
    return out
