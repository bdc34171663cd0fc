"""The programme as a CSV file for spreadsheets: one row per session, in time order.

The text starts with a byte order mark by default: Excel reads a UTF-8 file without one
as the machine's legacy code page and garbles every accent, while LibreOffice, Numbers and
Google Sheets ignore it. Serve the text encoded as plain UTF-8 (the mark is already in it).
A cell that a spreadsheet would take for a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

BOM = "\ufeff"
HEADER = (
    "Day",
    "Date",
    "Start",
    "End",
    "Room",
    "Title",
    "Hosts",
    "Family-friendly",
    "Kid-led",
    "Tags",
    "URL",
)
# Weekday names spelled out here, not by strftime, which follows the process's locale.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A cell starting with one of these is run as a formula (OWASP, "CSV Injection"); tab and
# carriage return too, since some spreadsheets strip them and then read what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class ProgrammeRow:
    """One session of the programme; ``starts_at`` and ``ends_at`` are aware."""

    starts_at: datetime
    ends_at: datetime
    timezone: str
    room: str
    title: str
    url: str
    hosts: Sequence[str] = ()
    family_friendly: bool = False
    kid_led: bool = False
    tags: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("programme rows need aware datetimes")


def safe_cell(value: str) -> str:
    """Return ``value`` as a spreadsheet shows it as text, never runs it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cells(row: ProgrammeRow) -> list[str]:
    zone = ZoneInfo(row.timezone)
    start, end = row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)
    return [
        WEEKDAYS[start.weekday()],
        start.date().isoformat(),
        start.strftime("%H:%M"),
        end.strftime("%H:%M"),
        row.room,
        row.title,
        LIST_SEPARATOR.join(row.hosts),
        "yes" if row.family_friendly else "no",
        "yes" if row.kid_led else "no",
        LIST_SEPARATOR.join(row.tags),
        row.url,
    ]


def programme_csv(rows: Sequence[ProgrammeRow], *, bom: bool = True) -> str:
    """Return the header and one line per row (CRLF, RFC 4180), earliest start first.

    Rows that start together keep the order given (say, the rooms' order).
    :param bom: start with a byte order mark, for Excel; see the module's note.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in sorted(rows, key=lambda r: r.starts_at):
        writer.writerow([safe_cell(cell) for cell in _cells(row)])
    return (BOM if bom else "") + out.getvalue()
