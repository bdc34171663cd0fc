"""The venue's screens and walls: now and next, the printed grid, door and session cards."""

from __future__ import annotations

import base64
import re

import pytest
import zxingcpp

from tests import dom
from tests.programme_camp import planned_camp, publish_head
from tests.test_event_outreach import svg_to_image
from wiki.events.models import Event
from wiki.extensions import db
from wiki.schedule import versions

DAY = "2026-10-17"


@pytest.fixture
def camp(app, create_user, create_event):
    """Return the schedule camp with its draft planned, voting closed, not yet published."""
    return planned_camp(app, create_user, create_event)


@pytest.fixture
def published(app, camp):
    """Publish the camp's draft as v1 and return the camp."""
    publish_head(app, camp)
    return camp


def programme_of(app, camp):
    with app.app_context():
        return versions.programme(versions.latest(db.session.get(Event, camp.event_id)))


def screen(client, camp, at: str, **args):
    query = "&".join([f"at={DAY}T{at}", *(f"{k}={v}" for k, v in args.items())])
    return client.get(f"/events/{camp.slug}/schedule/screen?{query}")


def qr_texts(img: dom.Element) -> list[str]:
    """Decode the QR code of an <img src="data:image/svg+xml;base64,...">."""
    src = img.get("src")
    assert src.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(src.split(",", 1)[1])
    return [r.text for r in zxingcpp.read_barcodes(svg_to_image(svg))]


def test_screen_of_a_room_shows_what_is_on_now_and_next(app, client, published):
    programme = programme_of(app, published)
    first = min(programme.sessions, key=lambda s: (s.starts_at, s.room_id))
    later = sorted(
        (
            s
            for s in programme.sessions
            if s.room_id == first.room_id and s.starts_at > first.starts_at
        ),
        key=lambda s: s.starts_at,
    )[0]
    start = programme.local(first.starts_at).strftime("%H:%M")
    response = screen(client, published, start, room=first.room_id)
    assert response.status_code == 200
    page = dom.page(response)
    assert page.find("html").get("lang") == "en-GB"
    assert page.find("main") is not None and page.find("header", class_="site-header") is None
    now = page.find("section", aria_labelledby="now-heading")
    nxt = page.find("section", aria_labelledby="next-heading")
    assert first.title in now.text
    assert later.title in nxt.text and first.title not in nxt.text
    assert programme.room(first.room_id).name in page.find("h1").text
    assert "It is " + start in page.by_id("now-next").text
    assert "programme v1" in page.by_id("now-next").text


def test_screen_of_all_rooms_lists_each_room_now_and_next(app, client, published):
    programme = programme_of(app, published)
    page = dom.page(screen(client, published, "10:10"))
    rows = page.find("table", class_="screen__table").find("tbody").find_all("tr")
    now_titles = {s.title for s in programme.sessions if programme.local(s.starts_at).hour == 10}
    shown = " ".join(r.text for r in rows)
    assert now_titles and all(t in shown for t in now_titles)
    assert page.find("section", aria_labelledby="now-heading") is None


@pytest.mark.parametrize(
    ("at", "words"),
    [
        ("08:30", "The programme starts at 10:00."),
        ("11:50", "Break until 12:00. Next sessions at 12:00."),
        ("16:00", "the programme is over"),
    ],
)
def test_screen_says_what_comes_before_between_and_after(client, published, at, words):
    page = dom.page(screen(client, published, at))
    assert words in page.by_id("now-next").text


def test_screen_fragment_is_the_live_block_that_refetches_itself(client, published):
    response = client.get(
        f"/events/{published.slug}/schedule/screen?at={DAY}T10:10", headers={"HX-Request": "true"}
    )
    [block] = dom.top_level(response.get_data(as_text=True))
    assert block.get("id") == "now-next"
    trigger = block.get("hx-trigger")
    assert "sse:programme-published" in trigger and "sse:reset" in trigger
    assert "every 30s" in trigger
    assert "HX-Request" in response.headers["Vary"]


def test_screen_subscribes_to_the_event_stream_and_links_the_programme(client, published):
    page = dom.page(screen(client, published, "10:10"))
    assert page.find("main").get("sse-connect") == f"/events/{published.slug}/live"
    [qr] = page.find_all("img", class_="screen__qr")
    assert qr_texts(qr) == [f"http://localhost/events/{published.slug}/schedule"]
    assert page.find("script", src=True) is not None and page.find("script", src=None) is None


def test_the_clock_follows_at_only_in_tests_and_development(make_app):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from wiki.schedule import clock

    london = ZoneInfo("Europe/London")
    for settings, frozen in (
        ({}, True),
        ({"TESTING": False, "ENV": "development"}, True),
        ({"TESTING": False, "ENV": "production", "RATELIMIT_STORAGE_URI": "database://"}, False),
    ):
        app = make_app(**settings)
        with app.test_request_context(f"/?at={DAY}T10:10"):
            moment = clock.now(london)
        if frozen:
            assert moment == datetime(2026, 10, 17, 10, 10, tzinfo=london)
        else:
            assert abs((moment - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize(
    "path",
    ["screen", "print", "cards/rooms", "cards/sessions", "venue", "screen?room=5"],
)
def test_before_the_first_publish_each_page_says_it_is_not_published(client, camp, path):
    response = client.get(f"/events/{camp.slug}/schedule/{path}")
    assert response.status_code == 200
    assert "is not published yet" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("room=9999", 404, "There is no room 9999"),
        ("room=hall", 400, "by its number"),
        ("at=yesterday", 400, "2027-06-12T10:10"),
    ],
)
def test_screen_refuses_an_unknown_room_or_time(client, published, query, status, words):
    response = client.get(f"/events/{published.slug}/schedule/screen?{query}")
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_session_cards_refuse_an_unknown_room(client, published):
    response = client.get(f"/events/{published.slug}/schedule/cards/sessions?room=9999")
    assert response.status_code == 404


def test_print_holds_the_whole_grid_with_spans_and_breaks(app, client, published):
    programme = programme_of(app, published)
    response = client.get(f"/events/{published.slug}/schedule/print")
    assert response.status_code == 200
    page = dom.page(response)
    [table] = page.find_all("table", class_="grid-print")
    heads = [th.text for th in table.find("thead").find_all("th")]
    assert heads == ["Time", *(r.name for r in programme.rooms)]
    text = table.text
    assert all(s.title in text for s in programme.sessions)
    long = [s for s in programme.sessions if len(s.slot_ids) == 2]
    assert long
    for s in long:
        cell = table.find("td", text=s.title, class_="grid-print__session")
        assert cell.get("rowspan") == "2"
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(programme.slots)
    pauses = table.find_all("td", class_="grid-print__pause")
    assert {p.text for p in pauses} >= {"Break", "Lunch"}
    # Every row fills every room column, counting the cells that span down into it.
    widths = [0] * len(rows)
    for k, row in enumerate(rows):
        for td in row.find_all("td"):
            span = int(td.get("rowspan", "1"))
            for j in range(k, k + span):
                widths[j] += int(td.get("colspan", "1"))
    assert widths == [len(programme.rooms)] * len(rows)
    assert "v1" in page.find("h1").text + page.find("p", class_="sheet__meta").text
    [qr] = page.find_all("img", class_="sheet__qr")
    assert qr_texts(qr) == [f"http://localhost/events/{published.slug}/schedule"]


def test_print_on_a4_and_refuses_other_sizes(client, published):
    a4 = dom.page(client.get(f"/events/{published.slug}/schedule/print?size=A4"))
    assert a4.find("article", class_="sheet--a4") is not None
    response = client.get(f"/events/{published.slug}/schedule/print?size=letter")
    assert response.status_code == 400
    assert "A3 or A4" in response.get_data(as_text=True)


def test_room_cards_are_one_per_room_with_its_day(app, client, published):
    programme = programme_of(app, published)
    page = dom.page(client.get(f"/events/{published.slug}/schedule/cards/rooms"))
    cards = page.find_all("article", class_="card--room")
    assert [c.find("h1").text for c in cards] == [r.name for r in programme.rooms]
    for card, room in zip(cards, programme.rooms, strict=True):
        mine = [s.title for s in programme.sessions if s.room_id == room.id]
        others = [s.title for s in programme.sessions if s.room_id != room.id]
        assert all(t in card.text for t in mine)
        assert not any(re.search(rf"\b{re.escape(t)}\b", card.text) for t in others)
        assert "Lunch" in card.text


def test_session_cards_are_one_per_session_with_a_qr_to_its_pitch(app, client, published):
    programme = programme_of(app, published)
    page = dom.page(client.get(f"/events/{published.slug}/schedule/cards/sessions"))
    cards = page.find_all("article", class_="card--session")
    assert sorted(c.find("h1").text for c in cards) == sorted(s.title for s in programme.sessions)
    first = programme.sessions[0]
    card = next(c for c in cards if c.find("h1").text == first.title)
    assert programme.room(first.room_id).name in card.text
    assert qr_texts(card.find("img", class_="card__qr")) == [
        f"http://localhost/events/{published.slug}/pitches/{first.pitch_id}"
    ]


def test_session_cards_of_one_room(app, client, published):
    programme = programme_of(app, published)
    room = programme.rooms[0]
    page = dom.page(client.get(f"/events/{published.slug}/schedule/cards/sessions?room={room.id}"))
    cards = page.find_all("article", class_="card--session")
    assert len(cards) == sum(1 for s in programme.sessions if s.room_id == room.id) > 0


def test_venue_index_links_a_screen_per_room(app, client, published):
    programme = programme_of(app, published)
    page = dom.page(client.get(f"/events/{published.slug}/schedule/venue"))
    hrefs = {a.get("href") for a in page.find_all("a")}
    for room in programme.rooms:
        assert f"/events/{published.slug}/schedule/screen?room={room.id}" in hrefs


def test_a_room_that_starts_late_says_when_its_first_session_is(app, client, published):
    programme = programme_of(app, published)
    first = min(s.starts_at for s in programme.sessions)
    late = next(
        r
        for r in programme.rooms
        if min(s.starts_at for s in programme.sessions if s.room_id == r.id) > first
    )
    starts = min(s.starts_at for s in programme.sessions if s.room_id == late.id)
    at = programme.local(first).strftime("%H:%M")
    text = dom.page(screen(client, published, at, room=late.id)).by_id("now-next").text
    assert f"Next in {late.name} at {programme.local(starts):%H:%M}." in text
    assert "The programme starts" not in text
