"""The programme as a spreadsheet: one row per session, read back as a spreadsheet would."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from wiki.exports.spreadsheet import HEADER, ProgrammeRow, programme_csv, safe_cell

LONDON = ZoneInfo("Europe/London")


def row(title, starts_at, ends_at, **changes):
    values = dict(
        starts_at=starts_at,
        ends_at=ends_at,
        timezone="Europe/London",
        room="Main hall",
        title=title,
        url="https://camp.example/pitches/1",
    )
    return ProgrammeRow(**values | changes)


def read(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_programme_reads_back_one_row_per_session_in_time_order_and_local_time():
    rows = [
        # 09:00 UTC on the first morning of summer time is ten o'clock in London.
        row(
            "Sonntagsfrühstück 日本語",
            datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
            datetime(2027, 3, 28, 10, 45, tzinfo=UTC),
            room="Werkstatt",
            hosts=("Zoë", "Ann"),
            family_friendly=True,
            kid_led=True,
            tags=("food", "languages"),
        ),
        row(
            'Café, "crêpes"\nand more',
            datetime(2027, 3, 27, 10, 0, tzinfo=LONDON),
            datetime(2027, 3, 27, 10, 45, tzinfo=LONDON),
        ),
    ]
    header, saturday, sunday = read(programme_csv(rows, bom=False))

    assert tuple(header) == HEADER
    assert saturday == [
        "Saturday",
        "2027-03-27",
        "10:00",
        "10:45",
        "Main hall",
        'Café, "crêpes"\nand more',
        "",
        "no",
        "no",
        "",
        "https://camp.example/pitches/1",
    ]
    assert sunday[:6] == ["Sunday", "2027-03-28", "10:00", "11:45", "Werkstatt", rows[0].title]
    assert sunday[6:10] == ["Zoë; Ann", "yes", "yes", "food; languages"]


def test_the_file_starts_with_a_byte_order_mark_for_excel_unless_told_not_to():
    one = [
        row("A", datetime(2027, 3, 27, 10, tzinfo=LONDON), datetime(2027, 3, 27, 11, tzinfo=LONDON))
    ]
    with_mark = programme_csv(one)
    assert with_mark.startswith("\ufeffDay,Date,")
    assert with_mark.encode("utf-8").decode("utf-8-sig") == programme_csv(one, bom=False)
    assert programme_csv(one, bom=False).endswith("\r\n")


def test_an_empty_programme_is_the_header_alone():
    assert read(programme_csv([], bom=False)) == [list(HEADER)]


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1 for tents", "'+1 for tents"),
        ("-5 degrees camping", "'-5 degrees camping"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("Knots = fun", "Knots = fun"),
        ("Zoë's tent", "Zoë's tent"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(title, cell):
    assert safe_cell(title) == cell
    danger = row(
        title,
        datetime(2027, 3, 27, 10, tzinfo=LONDON),
        datetime(2027, 3, 27, 11, tzinfo=LONDON),
        hosts=(title,),
        tags=(title,),
        room=title,
    )
    (_, written) = read(programme_csv([danger], bom=False))
    assert (written[4], written[5], written[6], written[9]) == (cell, cell, cell, cell)


def test_a_row_refuses_a_naive_time():
    with pytest.raises(ValueError):
        row("A", datetime(2027, 3, 27, 10), datetime(2027, 3, 27, 11, tzinfo=LONDON))
