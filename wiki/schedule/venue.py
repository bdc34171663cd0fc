"""What the venue's screens and walls show, read from a published programme (pure: no Flask).

- ``screen``: now and next at a moment (all rooms or one), and what to say between sessions;
- ``day_grids``: the whole grid as table rows per day, two-slot sessions spanning their rows
  and breaks as rows that the spanning sessions cut through;
- ``room_day``: one room's day for its door card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wiki.schedule.programme import Programme, Session, SlotInfo, now_and_next


def slot_words(slot: SlotInfo) -> str:
    """Name a slot that holds no sessions: its label, or its kind ("Lunch")."""
    return slot.label or slot.kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Screen:
    """Now and next at one moment, and the state of the day."""

    now: list[Session]
    next: list[Session]
    state: str  # "on", "between", "before", "over" (for the day), "done" (the programme), "empty"
    pause: SlotInfo | None = None  # the break, lunch or plenary happening now
    next_at: datetime | None = None

    def next_for(self, room_id: int) -> Session | None:
        return next((s for s in self.next if s.room_id == room_id), None)

    def now_for(self, room_id: int) -> Session | None:
        return next((s for s in self.now if s.room_id == room_id), None)


def screen(programme: Programme, moment: datetime, *, room: int | None = None) -> Screen:
    """Say what runs at ``moment`` and what comes next, in one room or all of them."""
    sessions = [s for s in programme.sessions if room is None or s.room_id == room]
    if not sessions:
        return Screen([], [], "empty")
    now, upcoming = now_and_next(programme, moment, room=room)
    pause = next(
        (s for s in programme.slots if not s.is_session and s.starts_at <= moment < s.ends_at),
        None,
    )
    next_at = upcoming[0].starts_at if upcoming else None
    if now:
        state = "on"
    elif next_at is None:
        state = "done"
    elif moment < min(s.starts_at for s in programme.sessions):
        state = "before"
    elif programme.local(next_at).date() != programme.local(moment).date():
        state = "over"
    else:
        state = "between"
    return Screen(now, upcoming, state, pause, next_at)


@dataclass(frozen=True)
class Cell:
    """One cell of the printed grid: a session, an empty room, or a break across rooms."""

    kind: str  # "session", "empty", "break"
    session: Session | None = None
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Row:
    slot: SlotInfo
    cells: tuple[Cell, ...]

    @property
    def is_break(self) -> bool:
        return not self.slot.is_session


@dataclass(frozen=True)
class DayGrid:
    day: date
    rows: tuple[Row, ...]


def day_grids(programme: Programme) -> list[DayGrid]:
    """Lay the programme out as a table per day: rooms across, slots down.

    A two-slot session's cell spans every row to its last slot, a break between its two
    slots included; the break row's cells then skip that room, as HTML's table layout does.
    """
    rooms = [r.id for r in programme.rooms]
    starting = {(s.slot_ids[0], s.room_id): s for s in programme.sessions if s.slot_ids}
    grids = []
    for day in programme.days:
        slots = sorted(
            (s for s in programme.slots if programme.local(s.starts_at).date() == day),
            key=lambda s: (s.starts_at, s.id),
        )
        index = {slot.id: k for k, slot in enumerate(slots)}
        covered: set[tuple[int, int]] = set()
        rows = []
        for k, slot in enumerate(slots):
            cells: list[Cell] = []
            if slot.is_session:
                for room in rooms:
                    if (k, room) in covered:
                        continue
                    session = starting.get((slot.id, room))
                    if session is None:
                        cells.append(Cell("empty"))
                        continue
                    last = max(index.get(i, k) for i in session.slot_ids)
                    covered.update((j, room) for j in range(k + 1, last + 1))
                    cells.append(Cell("session", session, rowspan=last - k + 1))
            else:
                run = 0
                for room in rooms:
                    if (k, room) in covered:
                        if run:
                            cells.append(Cell("break", colspan=run))
                        run = 0
                    else:
                        run += 1
                if run:
                    cells.append(Cell("break", colspan=run))
            rows.append(Row(slot, tuple(cells)))
        grids.append(DayGrid(day, tuple(rows)))
    return grids


@dataclass(frozen=True)
class Entry:
    """One line of a door card: a session in the room, or a break."""

    starts_at: datetime
    ends_at: datetime
    session: Session | None = None
    label: str = ""


def room_day(programme: Programme, room_id: int, day: date) -> list[Entry]:
    """Return the room's sessions and the day's breaks on ``day``, in time order."""
    entries = [
        Entry(s.starts_at, s.ends_at, session=s)
        for s in programme.sessions
        if s.room_id == room_id and programme.local(s.starts_at).date() == day
    ]
    entries.extend(
        Entry(s.starts_at, s.ends_at, label=slot_words(s))
        for s in programme.slots
        if not s.is_session and programme.local(s.starts_at).date() == day
    )
    return sorted(entries, key=lambda e: (e.starts_at, e.session is not None))
