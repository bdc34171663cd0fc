"""The export writers: pure functions of plain data, shared by every domain that exports."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest

from tests.unit.pure import modules_loaded_by
from wiki.exports import atom, ical, share

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wiki" / "exports"
OUTSIDE = {"flask", "flask_login", "flask_wtf", "sqlalchemy", "werkzeug", "jinja2"}


def test_the_writers_import_no_flask_no_database_and_nothing_else_of_the_app():
    modules = [f"wiki.exports.{path.stem}" for path in PACKAGE.glob("[!_]*.py")]
    loaded = modules_loaded_by("wiki.exports", *modules)
    assert {
        "wiki.exports.ical",
        "wiki.exports.qr",
        "wiki.exports.frab",
        "wiki.exports.spreadsheet",
    } <= set(loaded)
    assert not [m for m in loaded if m.split(".")[0] in OUTSIDE]
    ours = [m for m in loaded if m == "wiki" or m.startswith("wiki.")]
    assert all(m == "wiki" or m.startswith("wiki.exports") for m in ours), ours


def test_no_module_of_the_writers_names_an_import_outside_them():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in OUTSIDE, (path, name)
                if name.split(".")[0] == "wiki":
                    assert name.startswith("wiki.exports"), (path, name)


def test_a_calendar_holds_every_event_in_its_own_zone_with_each_zone_defined():
    london, berlin = ZoneInfo("Europe/London"), ZoneInfo("Europe/Berlin")
    talk = ical.CalendarEvent(
        uid="pitch-1@camp.example",
        sequence=2,
        starts_at=datetime(2026, 10, 17, 10, 0, tzinfo=london),
        ends_at=datetime(2026, 10, 17, 10, 45, tzinfo=london),
        timezone="Europe/London",
        summary="Dinosaur facts",
        url="https://camp.example/s/1",
        location="Kids tent",
    )
    other = ical.CalendarEvent(
        uid="pitch-2@camp.example",
        starts_at=datetime(2026, 10, 18, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 10, 18, 10, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
        summary="Knots; ropes, and more",
        status="TENTATIVE",
    )
    stamp = datetime(2026, 9, 1, tzinfo=UTC)
    data = ical.calendar([talk, other], product="Camp", stamp=stamp)

    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == "-//Camp//campwiki//EN"
    first, second = calendar.walk("VEVENT")
    assert (str(first["UID"]), int(first["SEQUENCE"])) == ("pitch-1@camp.example", 2)
    assert "SEQUENCE" not in second  # 0, the default, goes unsaid
    assert first.decoded("DTSTART").tzinfo.key == "Europe/London"
    assert second.decoded("DTSTART") == datetime(2026, 10, 18, 11, 0, tzinfo=berlin)
    assert str(second["SUMMARY"]) == "Knots; ropes, and more"
    assert str(second["STATUS"]) == "TENTATIVE" and "LOCATION" not in second
    assert sorted(tz["TZID"] for tz in calendar.walk("VTIMEZONE")) == [
        "Europe/Berlin",
        "Europe/London",
    ]
    assert first.decoded("DTSTAMP") == stamp


def test_a_calendar_event_refuses_a_naive_time():
    with pytest.raises(ValueError):
        ical.CalendarEvent(
            uid="x",
            starts_at=datetime(2026, 10, 17, 10),
            ends_at=datetime(2026, 10, 17, 11, tzinfo=UTC),
            timezone="UTC",
            summary="x",
        )


def test_an_atom_feed_is_valid_and_escapes_everything():
    now = datetime(2026, 10, 1, 12, tzinfo=UTC)
    data = atom.feed(
        atom.Feed(
            id="https://camp.example/news",
            title='Tents & "Toilets" <b>\x0b',
            self_url="https://camp.example/news.atom",
            alternate_url="https://camp.example/#news",
            updated=now,
            author="campwiki",
            entries=[
                atom.Entry(
                    id="https://camp.example/#a-1",
                    title="Cake",
                    link="https://camp.example/#news",
                    published=now - timedelta(hours=1),
                    updated=now,
                    author="Ann",
                    content_html="<p>Bring <strong>cake</strong></p>",
                    summary="Bring cake",
                )
            ],
        )
    )
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == 'Tents & "Toilets" <b>'
    (entry,) = parsed.entries
    assert (entry.title, entry.author, entry.summary) == ("Cake", "Ann", "Bring cake")
    assert entry.content[0].value == "<p>Bring <strong>cake</strong></p>"
    assert b"<strong>" not in data and b"\x0b" not in data


@pytest.mark.parametrize(
    ("facts", "about", "expected"),
    [
        (
            ("Sat 17 Oct 2026", "Village hall"),
            "Bring the family",
            "Sat 17 Oct 2026, Village hall — Bring the family",
        ),
        (("Sat 17 Oct 2026", ""), "", "Sat 17 Oct 2026"),
        (
            ("Sat 17 Oct 2026",),
            "word " * 60,
            "Sat 17 Oct 2026 — " + share.first_words("word " * 60),
        ),
    ],
)
def test_share_text_says_the_facts_then_the_first_words(facts, about, expected):
    assert share.share_text(facts, about) == expected
    assert len(share.first_words("word " * 60)) <= share.SHARE_TEXT_LENGTH


def test_plain_text_parts_words_at_block_tags_only():
    assert share.plain_text("<h1>Welcome</h1><p>A <strong>day</strong> &amp; more</p>") == (
        "Welcome A day & more"
    )
