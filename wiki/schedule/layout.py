"""Pure helpers for an event's day layout: overlaps, words for times, and the day pattern.

No database and no Flask here, so the rules are tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


def clock(moment: time | datetime) -> str:
    """Return ``HH:MM``."""
    return moment.strftime("%H:%M")


def describe(label: str, starts: datetime, ends: datetime) -> str:
    """Name a slot for a message: “Morning 1” (Sat 17 Oct, 10:30–11:30)."""
    when = f"{starts.strftime('%a')} {starts.day} {starts.strftime('%b')}, "
    when += f"{clock(starts)}–{clock(ends)}"
    return f"“{label}” ({when})" if label.strip() else f"the slot {when}"


def overlaps(spans: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """Return the pairs (i, j), i < j, of spans that share some time (touching is fine)."""
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    found = []
    for a, i in enumerate(order):
        for j in order[a + 1 :]:
            if spans[j][0] >= spans[i][1]:
                break
            found.append((min(i, j), max(i, j)))
    return sorted(found)


@dataclass(frozen=True)
class PatternSlot:
    """A slot the day pattern suggests, in local time."""

    day: date
    start: time
    end: time
    kind: str
    label: str
    family_hours: bool = False


def day_pattern(
    day: date,
    first_start: time,
    sessions: int,
    session_minutes: int,
    break_minutes: int = 0,
    lunch_after: int | None = None,
    lunch_minutes: int = 60,
    family_sessions: int = 0,
) -> list[PatternSlot]:
    """Lay out a day: ``sessions`` sessions from ``first_start`` with breaks between, a meal
    after session ``lunch_after``; the first ``family_sessions`` sessions are family hours.

    Stops at midnight: a pattern never runs into the next day.
    """
    out: list[PatternSlot] = []
    at = datetime.combine(day, first_start)
    end_of_day = datetime.combine(day + timedelta(days=1), time(0, 0))

    def add(minutes: int, kind: str, label: str, family: bool = False) -> bool:
        nonlocal at
        ends = at + timedelta(minutes=minutes)
        if ends > end_of_day or minutes <= 0:
            return False
        # 24:00 is not a time of day; the day's last minute stands in for it.
        end = ends.time() if ends < end_of_day else time(23, 59)
        out.append(PatternSlot(day, at.time(), end, kind, label, family))
        at = ends
        return True

    for n in range(1, sessions + 1):
        if not add(session_minutes, "session", f"Session {n}", n <= family_sessions):
            break
        if n == sessions:
            break
        if lunch_after == n:
            if not add(lunch_minutes, "lunch", "Lunch"):
                break
        elif break_minutes and not add(break_minutes, "break", "Break"):
            break
    return out
