"""The published programme's exports: valid frab, calendars that follow versions, CSV, 304s."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import icalendar
import jsonschema
import pytest
import xmlschema

from tests.programme_camp import move_on_draft, planned_camp, publish_head
from tests.schemas import schemas_dir
from tests.unit.test_frab import strict_formats
from wiki.accounts.models import User
from wiki.events.models import Event
from wiki.extensions import db
from wiki.pitches.models import Pitch
from wiki.schedule import agenda, drafts, editor, versions
from wiki.schedule.models import AgendaLook
from wiki.schedule.solver import validate

EXPORTS = ["schedule.ics", "schedule.xml", "schedule.json", "schedule.csv"]


@pytest.fixture(scope="module")
def xsd():
    """Load the c3voc XML schema (the repository's copy) once."""
    return xmlschema.XMLSchema(str(schemas_dir() / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator():
    """Build the c3voc JSON schema's validator, checking every format it names."""
    schema = json.loads((schemas_dir() / "schedule.json.schema.json").read_text())
    return jsonschema.Draft6Validator(schema, format_checker=strict_formats())


@pytest.fixture
def camp(app, create_user, create_event):
    """Make the schedule camp with voting closed and its draft planned (not published)."""
    return planned_camp(app, create_user, create_event)


@pytest.fixture
def published(app, camp):
    """Publish the planned draft as v1."""
    publish_head(app, camp)
    return camp


def _url(camp, name: str) -> str:
    return f"/events/{camp.slug}/{name}"


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    return icalendar.Calendar.from_ical(response.data)


def _vevents(cal) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _programme(app, camp):
    with app.app_context():
        return versions.programme(versions.latest(db.session.get(Event, camp.event_id)))


def _free_cell(app, camp, pitch_id: int) -> tuple[int, int]:
    """Return an empty (room, slot) where ``pitch_id`` may go without breaking a hard rule."""
    with app.app_context():
        problem = editor.built_problem(db.session.get(Event, camp.event_id))
        doc = drafts.head_doc(drafts.get_draft(db.session.get(Event, camp.event_id)))
        taken = set(doc.schedule.values())
        for slot in camp.session_slots:
            for room in camp.rooms:
                cell = (f"r{room}", f"s{slot}")
                trial = {**doc.schedule, f"p{pitch_id}": cell}
                if cell not in taken and not validate(problem, trial):
                    return room, slot
    raise AssertionError("no free cell")


def _unplace_on_draft(app, camp, pitch_id: int) -> None:
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        draft = drafts.get_draft(event)
        problem = editor.built_problem(event)
        doc = drafts.head_doc(draft).for_problem(problem)
        edit = drafts.unplace(problem, doc, f"p{pitch_id}")
        drafts.apply(draft, draft.head_revision, edit, db.session.get(User, camp.facilitator_id))
        db.session.commit()


def _feed_token(app, camp, user_id: int) -> str:
    with app.app_context():
        event = db.session.get(Event, camp.event_id)
        token = agenda.feed(event, db.session.get(User, user_id)).token
        db.session.commit()
        return token


@pytest.mark.parametrize("name", EXPORTS)
def test_before_the_first_publish_every_export_says_there_is_nothing_yet(client, camp, name):
    response = client.get(_url(camp, name))
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "not published yet" in response.get_data(as_text=True)


def test_schedule_xml_is_valid_frab_in_local_time_with_the_version_name(
    app, client, published, xsd
):
    response = client.get(_url(published, "schedule.xml"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    xsd.validate(response.data)
    root = ET.fromstring(response.data)
    assert root.findtext("version") == "v1"
    acronym = root.findtext("conference/acronym")
    assert acronym == published.slug.replace("-", "_")
    assert root.findtext("conference/base_url") == "http://localhost/"
    programme = _programme(app, published)
    events = root.findall(".//event")
    assert {e.get("guid") for e in events} == {s.guid for s in programme.sessions}
    first = min(programme.sessions, key=lambda s: s.starts_at)
    event = next(e for e in events if e.get("guid") == first.guid)
    # October in London is summer time: 10:00 local is written with its +01:00 offset.
    assert event.findtext("date") == "2026-10-17T10:00:00+01:00"
    assert event.findtext("start") == "10:00"
    assert (
        event.findtext("url")
        == f"http://localhost/events/{published.slug}/pitches/{first.pitch_id}"
    )


def test_schedule_json_is_valid_against_the_c3voc_schema(app, client, published, json_validator):
    response = client.get(_url(published, "schedule.json"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    json_validator.validate(document)
    schedule = document["schedule"]
    assert schedule["version"] == "v1"
    conference = schedule["conference"]
    assert conference["time_zone_name"] == "Europe/London"
    rooms = [r["name"] for r in conference["rooms"]]
    assert rooms == ["Family tent", "Hall", "Meadow"]
    held = [e for day in conference["days"] for r in day["rooms"].values() for e in r]
    assert len(held) == len(_programme(app, published).sessions)


def test_room_guids_stay_when_a_new_version_is_published(app, client, published):
    before = client.get(_url(published, "schedule.json")).get_json()
    pitch = published.pitches[0]
    move_on_draft(app, published, pitch, *_free_cell(app, published, pitch))
    publish_head(app, published)
    after = client.get(_url(published, "schedule.json")).get_json()
    assert after["schedule"]["version"] == "v2"
    assert before["schedule"]["conference"]["rooms"] == after["schedule"]["conference"]["rooms"]


def test_the_calendar_has_every_session_in_local_time_with_its_zone(app, client, published):
    response = client.get(_url(published, "schedule.ics"))
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"DTSTART;TZID=Europe/London:20261017T100000" in response.data
    cal = _calendar(response)
    zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
    assert zones == ["Europe/London"]
    programme = _programme(app, published)
    entries = _vevents(cal)
    assert set(entries) == {f"{s.guid}@localhost" for s in programme.sessions}
    first = min(programme.sessions, key=lambda s: s.starts_at)
    entry = entries[f"{first.guid}@localhost"]
    start = entry.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 0, "Europe/London")
    assert str(entry["LOCATION"]) == programme.room(first.room_id).name
    assert str(entry["URL"]).endswith(f"/pitches/{first.pitch_id}")
    assert first.hosts in str(entry["DESCRIPTION"])


def test_a_moved_session_keeps_its_uid_and_raises_its_sequence(app, client, published):
    before = _vevents(_calendar(client.get(_url(published, "schedule.ics"))))
    pitch = published.pitches[0]
    move_on_draft(app, published, pitch, *_free_cell(app, published, pitch))
    publish_head(app, published)
    after = _vevents(_calendar(client.get(_url(published, "schedule.ics"))))
    assert set(after) == set(before)
    moved = f"{_programme(app, published).session(pitch).guid}@localhost"
    assert int(after[moved].get("SEQUENCE", 0)) == int(before[moved].get("SEQUENCE", 0)) + 1
    place = [(e.decoded("DTSTART"), str(e["LOCATION"])) for e in (before[moved], after[moved])]
    assert place[0] != place[1]
    unmoved = [uid for uid in after if uid != moved]
    assert all(after[u].get("SEQUENCE", 0) == before[u].get("SEQUENCE", 0) for u in unmoved)


def test_a_dropped_session_is_cancelled_in_the_calendar_not_left_behind(app, client, published):
    before = _vevents(_calendar(client.get(_url(published, "schedule.ics"))))
    pitch = published.pitches[1]
    guid = _programme(app, published).session(pitch).guid
    _unplace_on_draft(app, published, pitch)
    publish_head(app, published)
    after = _vevents(_calendar(client.get(_url(published, "schedule.ics"))))
    assert set(after) == set(before)
    gone = after[f"{guid}@localhost"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) == int(before[f"{guid}@localhost"].get("SEQUENCE", 0)) + 1
    assert all(str(e["STATUS"]) == "CONFIRMED" for uid, e in after.items() if e is not gone)


def test_the_csv_reads_back_one_row_per_session(app, client, published):
    response = client.get(_url(published, "schedule.csv"))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{published.slug}-programme-v1.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    programme = _programme(app, published)
    assert len(rows) == len(programme.sessions)
    assert rows[0]["Start"] == "10:00" and rows[0]["Date"] == "2026-10-17"
    assert {r["Title"] for r in rows} == {s.title for s in programme.sessions}


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_answers_304_to_its_etag_and_a_new_version_changes_it(
    app, client, published, name
):
    first = client.get(_url(published, name))
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert not etag.startswith("W/")
    again = client.get(_url(published, name), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    dated = client.get(_url(published, name), headers={"If-Modified-Since": modified})
    assert dated.status_code == 304

    pitch = published.pitches[0]
    move_on_draft(app, published, pitch, *_free_cell(app, published, pitch))
    publish_head(app, published)
    newer = client.get(_url(published, name), headers={"If-None-Match": etag})
    assert newer.status_code == 200
    assert newer.headers["ETag"] != etag
    assert newer.data


def test_an_older_version_is_exported_with_v_and_an_unknown_one_is_refused(app, client, published):
    pitch = published.pitches[0]
    move_on_draft(app, published, pitch, *_free_cell(app, published, pitch))
    publish_head(app, published)
    old = client.get(_url(published, "schedule.xml?v=1"))
    assert ET.fromstring(old.data).findtext("version") == "v1"
    assert (
        ET.fromstring(client.get(_url(published, "schedule.xml")).data).findtext("version") == "v2"
    )
    assert (
        client.get(_url(published, "schedule.csv?v=1"))
        .headers["Content-Disposition"]
        .endswith('-programme-v1.csv"')
    )
    for asked in ("7", "abc", "-1"):
        refused = client.get(_url(published, f"schedule.ics?v={asked}"))
        assert refused.status_code == 404
        assert "There is no version" in refused.get_data(as_text=True)


def test_the_personal_feed_holds_the_owners_agenda_and_nothing_else(app, client, published):
    token = _feed_token(app, published, published.guardian_id)
    response = client.get(_url(published, f"schedule/feed/{token}.ics"))
    cal = _calendar(response)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        event = db.session.get(Event, published.event_id)
        guardian = db.session.get(User, published.guardian_id)
        mine = agenda.build(event, guardian, versions.latest(event)).items
        assert db.session.query(AgendaLook).count() == 0  # the feed never records a look
    programme = _programme(app, published)
    assert mine and len(mine) < len(programme.sessions)
    assert set(_vevents(cal)) == {f"{i.session.guid}@localhost" for i in mine}
    assert cal.walk("VTIMEZONE")
    assert b"dotted" not in response.data  # why it is theirs stays on the agenda page


def test_a_star_changes_the_personal_feeds_etag(app, client, published):
    voter = published.voters[0]
    token = _feed_token(app, published, voter)
    first = client.get(_url(published, f"schedule/feed/{token}.ics"))
    etag = first.headers["ETag"]
    assert (
        client.get(
            _url(published, f"schedule/feed/{token}.ics"), headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    shown = set(_vevents(_calendar(first)))
    other = next(
        s for s in _programme(app, published).sessions if f"{s.guid}@localhost" not in shown
    )
    with app.app_context():
        agenda.star(
            db.session.get(Event, published.event_id),
            db.session.get(User, voter),
            db.session.get(Pitch, other.pitch_id),
        )
        db.session.commit()
    headers = {"If-None-Match": etag, "If-Modified-Since": first.headers["Last-Modified"]}
    after = client.get(_url(published, f"schedule/feed/{token}.ics"), headers=headers)
    assert after.status_code == 200
    assert f"{other.guid}@localhost" in _vevents(_calendar(after))


def test_a_wrong_or_reset_token_gets_the_same_404_and_the_new_one_works(app, client, published):
    old = _feed_token(app, published, published.guardian_id)
    wrong = client.get(_url(published, "schedule/feed/not-a-token.ics"))
    elsewhere = client.get(f"/events/no-such-camp/schedule/feed/{old}.ics")
    assert wrong.status_code == elsewhere.status_code == 404
    assert wrong.data == elsewhere.data
    assert b"not-a-token" not in wrong.data and old.encode() not in elsewhere.data
    with app.app_context():
        event = db.session.get(Event, published.event_id)
        new = agenda.reset_feed(event, db.session.get(User, published.guardian_id)).token
        db.session.commit()
    gone = client.get(_url(published, f"schedule/feed/{old}.ics"))
    assert gone.status_code == 404 and gone.data == wrong.data
    assert client.get(_url(published, f"schedule/feed/{new}.ics")).status_code == 200


def test_the_personal_feed_before_the_first_publish_is_the_same_404(app, client, camp):
    token = _feed_token(app, camp, camp.guardian_id)
    response = client.get(_url(camp, f"schedule/feed/{token}.ics"))
    wrong = client.get(_url(camp, "schedule/feed/nope.ics"))
    assert response.status_code == 404 and response.data == wrong.data
