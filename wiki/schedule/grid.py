"""The published programme laid out for reading: table rows per day, a list by time, filters.

Pure: fed a ``Programme`` and plain query values, it returns plain data the templates walk.
A two-slot session starts a cell that spans the rows of both its slots; the row under it
leaves that room's cell out, as an HTML table with ``rowspan`` needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from wiki.schedule.programme import Filters, Programme, Session, SlotInfo

# Values a checkbox filter may carry (an unticked box sends nothing).
YES = {"1", "on", "yes", "true"}
NO = {"", "0", "off", "no", "false"}
FLAGS = {"family": "family-friendly", "kid_led": "kid-led", "step_free": "step-free rooms"}


@dataclass(frozen=True)
class Cell:
    """One room at one slot: the sessions starting there, and how many rows they span."""

    sessions: tuple[Session, ...] = ()
    rowspan: int = 1


@dataclass(frozen=True)
class Row:
    """One slot of a day: a cell per room (None where a session from above spans into it)."""

    slot: SlotInfo
    cells: tuple[Cell | None, ...] = ()

    @property
    def is_pause(self) -> bool:
        return not self.slot.is_session


@dataclass(frozen=True)
class Day:
    day: date
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class TimeGroup:
    """Everything starting at one time, for the list by time (a pause has no sessions)."""

    starts_at: datetime
    ends_at: datetime
    sessions: tuple[Session, ...]
    pause: SlotInfo | None = None


@dataclass(frozen=True)
class ListDay:
    day: date
    groups: tuple[TimeGroup, ...]


def _keep_all(_: Session) -> bool:
    return True


def table_days(programme: Programme, keep: Callable[[Session], bool] = _keep_all) -> list[Day]:
    """Return the programme's days as table rows, a session spanning its consecutive slots."""
    rooms = [r.id for r in programme.rooms]
    slots_by_day: dict[date, list[SlotInfo]] = {}
    for slot in sorted(programme.slots, key=lambda s: s.starts_at):
        slots_by_day.setdefault(programme.local(slot.starts_at).date(), []).append(slot)
    at: dict[tuple[int, int], list[Session]] = {}
    for session in programme.sessions:
        if keep(session):
            at.setdefault((session.room_id, session.slot_ids[0]), []).append(session)
    days = []
    for day, slots in slots_by_day.items():
        position = {slot.id: k for k, slot in enumerate(slots)}
        covered: set[tuple[int, int]] = set()  # (room, row) a cell above spans into
        rows = []
        for k, slot in enumerate(slots):
            if not slot.is_session:
                rows.append(Row(slot))
                continue
            cells: list[Cell | None] = []
            for room in rooms:
                if (room, k) in covered:
                    cells.append(None)
                    continue
                here = tuple(sorted(at.get((room, slot.id), []), key=lambda s: s.title))
                span = 1
                if len(here) == 1:
                    span = _span(here[0], k, position, slots)
                    for below in range(k + 1, k + span):
                        covered.add((room, below))
                cells.append(Cell(here, span))
            rows.append(Row(slot, tuple(cells)))
        days.append(Day(day, tuple(rows)))
    return days


def _span(
    session: Session, row: int, position: Mapping[int, int], slots: Sequence[SlotInfo]
) -> int:
    """Count the rows from ``row`` down that the session's slots fill without a gap."""
    span = 1
    for slot_id in session.slot_ids[1:]:
        below = row + span
        if position.get(slot_id) != below or not slots[below].is_session:
            break
        span += 1
    return span


def list_days(programme: Programme, keep: Callable[[Session], bool] = _keep_all) -> list[ListDay]:
    """Return the programme as a list by start time, day by day, pauses included."""
    order = {r.id: k for k, r in enumerate(programme.rooms)}
    groups: dict[datetime, list[Session]] = {}
    for session in programme.sessions:
        if keep(session):
            groups.setdefault(session.starts_at, []).append(session)
    found: list[TimeGroup] = []
    for starts_at, sessions in groups.items():
        sessions.sort(key=lambda s: (order.get(s.room_id, len(order)), s.title))
        ends_at = min(s.ends_at for s in sessions)  # a longer one says its own end
        found.append(TimeGroup(starts_at, ends_at, tuple(sessions)))
    for slot in programme.slots:
        if not slot.is_session:
            found.append(TimeGroup(slot.starts_at, slot.ends_at, (), slot))
    found.sort(key=lambda g: (g.starts_at, g.pause is None))
    by_day: dict[date, list[TimeGroup]] = {}
    for group in found:
        by_day.setdefault(programme.local(group.starts_at).date(), []).append(group)
    return [ListDay(day, tuple(groups)) for day, groups in sorted(by_day.items())]


def tags_of(programme: Programme) -> list[str]:
    """Return every tag the programme's sessions carry, sorted."""
    return sorted({tag for s in programme.sessions for tag in s.tags})


@dataclass(frozen=True)
class ReadFilters:
    """Filters read from a query, with a sentence for each value that made no sense."""

    filters: Filters
    errors: tuple[str, ...] = ()


def read_filters(
    programme: Programme,
    flags: Mapping[str, str | None],
    tags: Iterable[str] = (),
    room: str | None = None,
) -> ReadFilters:
    """Read the programme's filters from query values; unknown values are named, not kept.

    :param flags: ``family``, ``kid_led`` and ``step_free`` as the query gave them (or None).
    """
    errors = []
    chosen = {}
    for name, words in FLAGS.items():
        raw = flags.get(name)
        value = (raw or "").strip().lower()
        if value in YES:
            chosen[name] = True
        elif value in NO:
            chosen[name] = False
        else:
            chosen[name] = False
            errors.append(f"“{_shown(raw)}” is not a choice for {words}: tick the box or leave it.")
    known = set(tags_of(programme))
    kept = []
    for tag in tags:
        tag = tag.strip()
        if not tag:
            continue
        if tag in known:
            if tag not in kept:
                kept.append(tag)
        else:
            errors.append(f"No session in this programme is tagged “{_shown(tag)}”.")
    room_id = None
    if room is not None and room.strip():
        raw = room.strip()
        if (
            raw.isascii()
            and raw.isdigit()
            and len(raw) < 10
            and programme.room(int(raw)) is not None
        ):
            room_id = int(raw)
        else:
            errors.append(f"There is no room “{_shown(raw)}” in this programme.")
    return ReadFilters(Filters(tags=tuple(kept), room=room_id, **chosen), tuple(errors))


def _shown(value: str | None, limit: int = 40) -> str:
    text = value or ""
    return text if len(text) <= limit else text[:limit] + "…"
