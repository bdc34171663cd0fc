"""The frab / c3voc schedule: valid against the published schemas, in the event's local time."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import xmlschema

from tests.schemas import schemas_dir
from wiki.exports import frab

LONDON = ZoneInfo("Europe/London")
SITE = "https://camp.example"
# British Summer Time begins at 01:00 UTC on Sunday 28 March 2027: Saturday is +00:00,
# Sunday +01:00.
SATURDAY, SUNDAY = date(2027, 3, 27), date(2027, 3, 28)


@pytest.fixture(scope="module")
def xsd():
    """Load the c3voc XML schema once."""
    return xmlschema.XMLSchema(str(schemas_dir() / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator():
    """Build a draft-06 validator of the c3voc JSON schema, checking the formats it can."""
    schema = json.loads((schemas_dir() / "schedule.json.schema.json").read_text())
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema, format_checker=strict_formats())


def strict_formats():
    """Check every format the schema names, including uuid and the two jsonschema leaves
    unchecked without optional packages: date-time (with an offset) and absolute uri."""
    checker = jsonschema.FormatChecker()  # every format jsonschema knows, not only draft 6's

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        return not isinstance(value, str) or (
            "T" in value and datetime.fromisoformat(value).utcoffset() is not None
        )

    @checker.checks("uri")
    def is_uri(value):
        return not isinstance(value, str) or bool(urlsplit(value).scheme and " " not in value)

    return checker


def rooms():
    return [
        frab.Room(name, frab.stable_guid(SITE, "room", i))
        for i, name in enumerate(["Main hall", "Kids' tent", "Werkstatt"], start=1)
    ]


def conference(**changes):
    values = dict(
        acronym="barcamp_london27",
        title="BarCamp London 2027",
        start=SATURDAY,
        end=SUNDAY,
        timezone="Europe/London",
        version="v2",
        base_url=SITE,
        url=f"{SITE}/events/1",
        rooms=rooms(),
    )
    return frab.Conference(**values | changes)


def session(id, title, starts_at, room, minutes=45, **changes):
    values = dict(
        guid=frab.stable_guid(SITE, "slot", id),
        id=id,
        slug=f"pitch-{id}",
        title=title,
        starts_at=starts_at,
        duration=timedelta(minutes=minutes),
        room=room,
        url=f"{SITE}/pitches/{id}",
    )
    return frab.Session(**values | changes)


def programme():
    return [
        # Given in UTC on purpose: the export writes each time in London's offset.
        session(
            4,
            "Sonntagsfrühstück: 日本語 für Anfänger",
            datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
            "Werkstatt",
            language="de",
        ),
        session(
            1,
            'Café & crêpes <&> "quotes"\x0b',
            datetime(2027, 3, 27, 10, 0, tzinfo=LONDON),
            "Main hall",
            track="Food",
            abstract="Bring a pan & a <spatula>.",
            persons=[(7, "Zoë Ærøskøbing"), (8, "Ann")],
        ),
        session(
            2,
            "Soldering, two slots long",
            datetime(2027, 3, 27, 11, 0, tzinfo=LONDON),
            "Werkstatt",
            minutes=105,
            type="workshop",
            track="Making",
        ),
        session(
            3,
            "Dinosaur facts",
            datetime(2027, 3, 27, 11, 0, tzinfo=LONDON),
            "Kids' tent",
            do_not_record=False,
            description="Roar.",
        ),
        session(5, "Owls", datetime(2027, 3, 28, 11, 0, tzinfo=LONDON), "Kids' tent", minutes=30),
    ]


def json_errors(validator, data):
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def test_the_xml_validates_against_the_c3voc_schema(xsd):
    data = frab.schedule_xml(conference(), programme())
    errors = [str(e) for e in xsd.iter_errors(data.decode())]
    assert not errors, errors[:3]
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_the_json_validates_against_the_c3voc_schema(json_validator):
    data = json.loads(frab.schedule_json(conference(), programme()))
    assert not json_errors(json_validator, data)
    assert data["$schema"] == "https://c3voc.de/schedule/schema.json"


def test_an_empty_programme_still_lists_every_day_and_room(xsd, json_validator):
    xml_data = frab.schedule_xml(conference(), [])
    json_data = json.loads(frab.schedule_json(conference(), []))

    assert not list(xsd.iter_errors(xml_data.decode()))
    assert not json_errors(json_validator, json_data)
    days = ET.fromstring(xml_data).findall("day")
    assert [d.get("date") for d in days] == ["2027-03-27", "2027-03-28"]
    assert [r.get("name") for r in days[0].findall("room")] == [
        "Main hall",
        "Kids' tent",
        "Werkstatt",
    ]
    assert not ET.fromstring(xml_data).findall(".//event")
    (first, second) = json_data["schedule"]["conference"]["days"]
    assert first["rooms"] == {"Main hall": [], "Kids' tent": [], "Werkstatt": []}
    assert (first["day_start"], first["day_end"]) == (
        "2027-03-27T09:00:00+00:00",
        "2027-03-27T18:00:00+00:00",
    )
    assert (second["day_start"], second["day_end"]) == (
        "2027-03-28T09:00:00+01:00",
        "2027-03-28T18:00:00+01:00",
    )


def test_each_day_is_written_in_its_own_offset_across_the_start_of_summer_time():
    root = ET.fromstring(frab.schedule_xml(conference(), programme()))
    saturday, sunday = root.findall("day")
    assert saturday.attrib == {
        "index": "1",
        "date": "2027-03-27",
        "start": "2027-03-27T09:00:00+00:00",
        "end": "2027-03-27T18:00:00+00:00",
    }
    assert (sunday.get("index"), sunday.get("start")) == ("2", "2027-03-28T09:00:00+01:00")
    breakfast = sunday.find("room[@name='Werkstatt']/event")
    # 09:00 UTC is ten o'clock in London that morning.
    assert breakfast.findtext("date") == "2027-03-28T10:00:00+01:00"
    assert breakfast.findtext("start") == "10:00"
    assert breakfast.findtext("language") == "de"


def test_rooms_keep_their_order_and_sessions_sit_in_their_room_and_day():
    root = ET.fromstring(frab.schedule_xml(conference(), programme()))
    saturday, sunday = root.findall("day")
    assert [r.get("name") for r in sunday.findall("room")] == [
        "Main hall",
        "Kids' tent",
        "Werkstatt",
    ]
    titles = {
        (day.get("index"), room.get("name")): [e.findtext("title") for e in room]
        for day in (saturday, sunday)
        for room in day.findall("room")
    }
    assert titles == {
        ("1", "Main hall"): ['Café & crêpes <&> "quotes"'],
        ("1", "Kids' tent"): ["Dinosaur facts"],
        ("1", "Werkstatt"): ["Soldering, two slots long"],
        ("2", "Main hall"): [],
        ("2", "Kids' tent"): ["Owls"],
        ("2", "Werkstatt"): ["Sonntagsfrühstück: 日本語 für Anfänger"],
    }


def test_a_two_slot_session_lasts_both_slots():
    data = json.loads(frab.schedule_json(conference(), programme()))
    (soldering,) = data["schedule"]["conference"]["days"][0]["rooms"]["Werkstatt"]
    assert soldering["date"] == "2027-03-27T11:00:00+00:00"
    assert (soldering["duration"], soldering["end"]) == ("01:45", "2027-03-27T12:45:00+00:00")
    assert soldering["type"] == "workshop"
    root = ET.fromstring(frab.schedule_xml(conference(), programme()))
    assert root.findtext(".//event[@id='2']/duration") == "01:45"


def test_markup_and_accents_survive_escaped_and_illegal_characters_are_dropped():
    data = frab.schedule_xml(conference(), programme())
    assert b"<&>" not in data and b"\x0b" not in data
    assert "Zoë Ærøskøbing".encode() in data
    event = ET.fromstring(data).find(".//event[@id='1']")
    assert event.findtext("abstract") == "Bring a pan & a <spatula>."
    assert [(p.get("id"), p.text) for p in event.find("persons")] == [
        ("7", "Zoë Ærøskøbing"),
        ("8", "Ann"),
    ]
    assert event.findtext("slug") == "barcamp_london27-1-pitch-1"
    assert event.findtext("recording/optout") == "true"
    assert ET.fromstring(data).findtext(".//event[@id='3']/recording/optout") == "false"


def test_the_xml_and_the_json_tell_the_same_programme():
    root = ET.fromstring(frab.schedule_xml(conference(), programme()))
    data = json.loads(frab.schedule_json(conference(), programme()))
    from_xml = {
        e.get("guid"): (
            int(e.get("id")),
            e.findtext("date"),
            e.findtext("duration"),
            e.findtext("room"),
            e.findtext("title"),
            e.findtext("slug"),
        )
        for e in root.iter("event")
    }
    from_json = {
        e["guid"]: (e["id"], e["date"], e["duration"], e["room"], e["title"], e["slug"])
        for day in data["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for e in events
    }
    assert from_xml == from_json and len(from_xml) == 5
    assert root.findtext("version") == data["schedule"]["version"] == "v2"
    assert root.findtext("conference/time_zone_name") == "Europe/London"
    assert [t.get("name") for t in root.findall("conference/track")] == ["Food", "Making"]
    assert data["schedule"]["conference"]["tracks"] == [{"name": "Food"}, {"name": "Making"}]
    json_event = data["schedule"]["conference"]["days"][0]["rooms"]["Main hall"][0]
    assert json_event["persons"] == [
        {"id": 7, "public_name": "Zoë Ærøskøbing"},
        {"id": 8, "public_name": "Ann"},
    ]
    assert json_event["track"] == "Food" and json_event["language"] is None


def test_guids_are_stable_and_the_export_is_the_same_byte_for_byte():
    assert frab.stable_guid(SITE, "slot", 1) == frab.stable_guid(SITE, "slot", 1)
    assert frab.stable_guid(SITE, "slot", 1) != frab.stable_guid(SITE, "slot", 2)
    assert frab.stable_guid(SITE, "slot", 1) != frab.stable_guid("https://other.example", "slot", 1)
    assert frab.stable_guid(SITE, "slot", 1) == "68b811f1-498b-59e4-a4ad-ce9570aa7db5"
    assert frab.schedule_xml(conference(), programme()) == frab.schedule_xml(
        conference(), list(reversed(programme()))
    )
    assert frab.schedule_json(conference(), programme()) == frab.schedule_json(
        conference(), programme()
    )
    root = ET.fromstring(frab.schedule_xml(conference(), programme()))
    assert root.find(".//event[@id='1']").get("guid") == frab.stable_guid(SITE, "slot", 1)


def test_a_session_after_midnight_belongs_to_the_day_before_and_widens_it(xsd):
    late = session(9, "Midnight owls", datetime(2027, 3, 28, 0, 30, tzinfo=LONDON), "Main hall")
    data = frab.schedule_xml(conference(), [late])
    assert not list(xsd.iter_errors(data.decode()))
    saturday, sunday = ET.fromstring(data).findall("day")
    assert [e.findtext("title") for e in saturday.iter("event")] == ["Midnight owls"]
    # 00:30 GMT plus 45 minutes is 01:15 UTC, which the clocks, just gone forward, call 02:15.
    assert saturday.get("end") == "2027-03-28T02:15:00+01:00"
    assert not sunday.findall(".//event")


def test_days_running_past_midnight_end_the_next_morning():
    evening = conference(day_start=time(18), day_end=time(2))
    (day, _) = frab.days_of(evening, [])
    assert (day.start.isoformat(), day.end.isoformat()) == (
        "2027-03-27T18:00:00+00:00",
        "2027-03-28T02:00:00+01:00",
    )


@pytest.mark.parametrize(
    ("sessions", "message"),
    [
        (
            [
                session(1, "A", datetime(2027, 3, 27, 10, tzinfo=LONDON), "Main hall"),
                session(
                    1,
                    "B",
                    datetime(2027, 3, 28, 10, tzinfo=LONDON),
                    "Main hall",
                    guid=frab.stable_guid(SITE, "slot", 99),
                ),
            ],
            "share a id",
        ),
        (
            [
                session(1, "A", datetime(2027, 3, 27, 10, tzinfo=LONDON), "Main hall"),
                session(
                    2,
                    "B",
                    datetime(2027, 3, 28, 10, tzinfo=LONDON),
                    "Main hall",
                    guid=frab.stable_guid(SITE, "slot", 1),
                ),
            ],
            "share a guid",
        ),
        ([session(1, "A", datetime(2027, 3, 29, 10, tzinfo=LONDON), "Main hall")], "outside"),
        ([session(1, "A", datetime(2027, 3, 27, 10, tzinfo=LONDON), "Attic")], "unknown room"),
    ],
)
def test_a_programme_the_schemas_would_refuse_is_refused_before_writing(sessions, message):
    with pytest.raises(ValueError, match=message):
        frab.schedule_xml(conference(), sessions)


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": datetime(2027, 3, 27, 10)},
        {"duration": timedelta(0)},
        {"duration": timedelta(minutes=30, seconds=5)},
        {"duration": timedelta(hours=100)},
        {"id": 0},
        {"guid": "slot-1"},
        {"url": "/pitches/1"},
    ],
)
def test_a_session_refuses_what_the_format_cannot_say(changes):
    good = session(1, "A", datetime(2027, 3, 27, 10, tzinfo=LONDON), "Main hall")
    with pytest.raises(ValueError):
        dataclasses.replace(good, **changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"acronym": "BC27"},
        {"acronym": "bc"},
        {"end": date(2027, 3, 26)},
        {"base_url": "camp.example"},
        {
            "rooms": [
                frab.Room("Hall", frab.stable_guid("a")),
                frab.Room("Hall", frab.stable_guid("b")),
            ]
        },
    ],
)
def test_a_conference_refuses_what_the_format_cannot_say(changes):
    with pytest.raises(ValueError):
        conference(**changes)


@pytest.mark.parametrize(
    ("slug", "title", "expected"),
    [
        ("dinosaur-facts", "x", "barcamp_london27-3-dinosaur-facts"),
        ("", "Ünïcode & Co.", "barcamp_london27-3-unicode-co"),
        ("", "日本語", "barcamp_london27-3-session"),
    ],
)
def test_event_slugs_fit_both_schemas(slug, title, expected):
    one = session(3, title, datetime(2027, 3, 27, 10, tzinfo=LONDON), "Main hall", slug=slug)
    assert frab.event_slug(conference(), one) == expected


def test_a_zone_the_json_schema_cannot_name_is_left_unsaid(json_validator):
    data = json.loads(frab.schedule_json(conference(timezone="Etc/GMT-1"), []))
    assert not json_errors(json_validator, data)
    assert "time_zone_name" not in data["schedule"]["conference"]
    assert data["schedule"]["conference"]["days"][0]["day_start"] == "2027-03-27T09:00:00+01:00"


def test_the_schema_checks_here_do_refuse_a_broken_schedule(xsd, json_validator):
    root = ET.fromstring(frab.schedule_xml(conference(), programme()))
    root.find(".//event/duration").text = "45 minutes"
    assert list(xsd.iter_errors(ET.tostring(root, encoding="unicode")))
    data = json.loads(frab.schedule_json(conference(), programme()))
    event = data["schedule"]["conference"]["days"][0]["rooms"]["Main hall"][0]
    for key, wrong in [("guid", "slot-1"), ("date", "2027-03-27T10:00:00"), ("url", "/p/1")]:
        broken = json.loads(json.dumps(data))
        broken["schedule"]["conference"]["days"][0]["rooms"]["Main hall"][0][key] = wrong
        assert json_errors(json_validator, broken), key
    del event["slug"]
    assert json_errors(json_validator, data)
