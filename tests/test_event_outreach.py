"""Outreach: an event's news feed, calendar file, share tags, QR code and poster."""

from __future__ import annotations

import io
import re
from datetime import UTC
from html.parser import HTMLParser

import feedparser
import icalendar
import pytest
import zxingcpp
from markupsafe import escape
from PIL import Image
from sqlalchemy import select

from wiki.accounts.models import User
from wiki.events import announcements, outreach, services
from wiki.events.models import Announcement
from wiki.exports import share
from wiki.extensions import db

SLUG = "govbarcamp-2026"
EVENT_URL = f"http://localhost/events/{SLUG}"
NASTY_NAME = 'Tents & "Toilets" <b>'


class HeadTags(HTMLParser):
    """Collect the <meta> and <link> tags of a page's head, attributes unescaped."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.in_head = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif self.in_head and tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            if key:
                assert key not in self.meta, f"{key} appears twice"
                self.meta[key] = attrs["content"]
        elif self.in_head and tag == "link":
            self.links.append(attrs)


def decode_qr(image: Image.Image) -> list[str]:
    """Return the text of every QR code zxing-cpp finds in ``image``."""
    return [result.text for result in zxingcpp.read_barcodes(image)]


def svg_to_image(svg: bytes, scale: int = 8) -> Image.Image:
    """Draw segno's SVG (rows of horizontal strokes, one unit per module) as a bitmap."""
    size = int(re.search(rb'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(rb'<path stroke="#000" d="([^"]+)"', svg).group(1).decode()
    image = Image.new("L", (size * scale, size * scale), 255)
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            row = int(y)  # strokes run through the middle of their row
            for column in range(int(x), int(x + numbers[0])):
                image.paste(
                    0, (column * scale, row * scale, (column + 1) * scale, (row + 1) * scale)
                )
            x += numbers[0]
    return image


def post_news(app, title: str, body: str = "", *, hidden: bool = False) -> None:
    """Post an announcement as the event's organiser, hidden if asked."""
    with app.app_context():
        event = services.find_event(SLUG)
        author = db.session.get(User, event.created_by_id)
        item = announcements.post_announcement(event, title, body, author)
        announcements.set_hidden(item, hidden)
        db.session.commit()


def test_news_feed_is_valid_atom_without_hidden_news(app, client, create_event):
    create_event(state="voting")
    post_news(app, "Cake rota", "Bring **cake**.\n\n<script>alert(1)</script>")
    post_news(app, "Wrong date, ignore", "Oops", hidden=True)

    response = client.get(f"/events/{SLUG}/news.atom")

    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "GovBarCamp 2026: news"
    assert feed.feed.id == f"{EVENT_URL}/news.atom"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": f"{EVENT_URL}/news.atom", "alternate": f"{EVENT_URL}#news"}
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Cake rota",
        "GovBarCamp 2026: Pitching and voting are open",
        "GovBarCamp 2026: Registration is open",
    ]
    assert "Wrong date, ignore" not in response.get_data(as_text=True)
    assert len({entry.id for entry in feed.entries}) == 3
    cake = feed.entries[0]
    assert cake.link == f"{EVENT_URL}#news"
    assert cake.author == "Organiser"
    assert cake.updated_parsed and feed.feed.updated == cake.updated
    assert cake.content[0].type == "text/html"
    assert "<strong>cake</strong>" in cake.content[0].value
    with app.app_context():
        stored = db.session.scalar(select(Announcement).where(Announcement.title == "Cake rota"))
    assert "<script" not in stored.body_html  # sanitised when posted
    xml = response.get_data(as_text=True)
    assert f'<content type="html">{escape(stored.body_html)}</content>' in xml
    assert "<strong>" not in xml and "&lt;strong&gt;cake&lt;/strong&gt;" in xml


def test_news_feed_of_a_new_event_is_empty_but_valid(app, client, create_event):
    event = create_event(state="proposal")
    feed = feedparser.parse(client.get(f"/events/{SLUG}/news.atom").data)
    assert not feed.bozo
    assert feed.entries == []
    assert feed.feed.updated == event.created_at.astimezone(UTC).isoformat(timespec="seconds")


def test_news_feed_survives_control_characters_in_a_title(app, client, create_event):
    create_event()
    post_news(app, "Tea\x0b and \x01biscuits")
    feed = feedparser.parse(client.get(f"/events/{SLUG}/news.atom").data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries[0].title == "Tea and biscuits"


def test_news_feed_answers_not_modified_to_a_reader_that_has_it(client, create_event):
    create_event()
    first = client.get(f"/events/{SLUG}/news.atom")
    again = client.get(
        f"/events/{SLUG}/news.atom", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("zone", "utc_start"),
    [
        ("Europe/London", "2026-10-17T09:00:00+00:00"),
        ("America/New_York", "2026-10-17T14:00:00+00:00"),
    ],
)
def test_calendar_file_has_the_event_in_its_own_time_zone(
    app, client, create_event, zone, utc_start
):
    create_event(
        name=f"{NASTY_NAME}; a, b",
        timezone=zone,
        summary="Bring the family",
        venue_name="Village hall",
        venue_address="1 High Street\nLittle Snoring",
    )
    slug = "tents-toilets-b-a-b"

    response = client.get(f"/events/{slug}.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == f"attachment; filename={slug}.ics"
    data = response.data
    assert data.count(b"\r\n") == data.count(b"\n")  # CRLF line endings only
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and "campwiki" in str(calendar["PRODID"])
    (vevent,) = calendar.walk("VEVENT")
    starts, ends = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert starts.tzinfo.key == zone and ends.tzinfo.key == zone
    assert vevent["DTSTART"].params["TZID"] == zone
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [zone]
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")  # defined before use
    with app.app_context():
        event = services.find_event(slug)
    assert starts == event.starts_at and ends == event.ends_at
    assert starts.astimezone(UTC).isoformat() == utc_start
    assert (starts.hour, ends.hour) == (10, 16)  # wall-clock time where the event is
    assert str(vevent["SUMMARY"]) == f"{NASTY_NAME}; a, b"
    assert str(vevent["LOCATION"]) == "Village hall, 1 High Street, Little Snoring"
    assert str(vevent["URL"]) == f"http://localhost/events/{slug}"
    assert str(vevent["DESCRIPTION"]) == f"Bring the family\n\nhttp://localhost/events/{slug}"
    assert str(vevent["UID"]) == f"event-{event.id}@localhost"
    assert vevent.decoded("DTSTAMP").tzinfo is not None
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_calendar_uid_is_stable_and_unique_per_event(client, create_event):
    create_event()
    create_event(name="Winter camp", state="proposal")

    def uid_and_status(slug):
        (vevent,) = icalendar.Calendar.from_ical(client.get(f"/events/{slug}.ics").data).walk(
            "VEVENT"
        )
        return str(vevent["UID"]), str(vevent["STATUS"])

    first, again = uid_and_status(SLUG), uid_and_status(SLUG)
    other = uid_and_status("winter-camp")
    assert first == again
    assert other[0] != first[0]
    assert other[1] == "TENTATIVE"  # a proposal's date may still move


def test_calendar_file_without_a_venue_has_no_location(client, create_event):
    create_event()
    (vevent,) = icalendar.Calendar.from_ical(client.get(f"/events/{SLUG}.ics").data).walk("VEVENT")
    assert "LOCATION" not in vevent


def test_event_page_advertises_its_feed_calendar_and_poster(client, create_event):
    create_event()
    page = client.get(f"/events/{SLUG}").get_data(as_text=True)
    head = HeadTags(page)
    alternates = {link["type"]: link["href"] for link in head.links if link["rel"] == "alternate"}
    assert alternates["application/atom+xml"] == f"/events/{SLUG}/news.atom"
    assert alternates["text/calendar"] == f"/events/{SLUG}.ics"
    for href, label in [
        (f"/events/{SLUG}/news.atom", "News feed"),
        (f"/events/{SLUG}.ics", "Add to calendar (.ics)"),
        (f"/events/{SLUG}/poster", "Poster with QR code"),
    ]:
        # Not boosted: htmx would swap a file (or a page with its own head) into this one.
        assert re.search(
            rf'<a href="{re.escape(href)}"[^>]*hx-boost="false"[^>]*>{re.escape(label)}<', page
        )


def test_share_tags_describe_the_event_and_stay_escaped(client, create_event):
    create_event(name=NASTY_NAME, summary="Bring the family", venue_name="Village hall")
    slug = "tents-toilets-b"

    page = client.get(f"/events/{slug}").get_data(as_text=True)

    meta = HeadTags(page).meta
    description = "Sat 17 – Sun 18 Oct 2026, Village hall — Bring the family"
    assert meta["og:title"] == meta["twitter:title"] == NASTY_NAME
    assert meta["og:description"] == meta["twitter:description"] == description
    assert meta["description"] == description
    assert meta["og:url"] == f"http://localhost/events/{slug}"
    assert meta["og:type"] == "website"
    assert meta["og:site_name"] == "campwiki"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == f"http://localhost/events/{slug}/card.png"
    head = page.split("</head>")[0]
    assert 'content="Tents &amp; &#34;Toilets&#34; &lt;b&gt;"' in head
    assert "<b>" not in head and '"Toilets"' not in head


def test_share_description_falls_back_to_the_first_words(client, create_event):
    words = "A day of talks, games and making things, " * 10
    create_event(description=f"# Welcome\n\nA **day** of [[fun]].\n\n{words}")
    description = HeadTags(client.get(f"/events/{SLUG}").get_data(as_text=True)).meta[
        "og:description"
    ]
    assert description.startswith("Sat 17 – Sun 18 Oct 2026 — Welcome A day of fun. A day of")
    assert description.endswith("…") and "<" not in description
    assert len(description) <= len("Sat 17 – Sun 18 Oct 2026 — ") + share.SHARE_TEXT_LENGTH


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "expected"),
    [
        ("2026-10-17", "2026-10-17", "Sat 17 Oct 2026"),
        ("2026-10-17", "2026-10-18", "Sat 17 – Sun 18 Oct 2026"),
        ("2026-10-31", "2026-11-01", "Sat 31 Oct – Sun 1 Nov 2026"),
        ("2026-12-31", "2027-01-01", "Thu 31 Dec 2026 – Fri 1 Jan 2027"),
    ],
)
def test_date_range_is_short_and_in_the_event_zone(app, create_event, starts_on, ends_on, expected):
    from datetime import date

    create_event(starts_on=date.fromisoformat(starts_on), ends_on=date.fromisoformat(ends_on))
    with app.app_context():
        assert outreach.date_range(services.find_event(SLUG)) == expected


def test_qr_code_png_decodes_to_the_event_page(client, create_event):
    create_event()
    response = client.get(f"/events/{SLUG}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == f"attachment; filename={SLUG}-qr.png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert decode_qr(Image.open(io.BytesIO(response.data))) == [EVENT_URL]


def test_qr_code_svg_decodes_to_the_event_page_and_runs_nothing(client, create_event):
    create_event()
    response = client.get(f"/events/{SLUG}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in response.data and b"style" not in response.data
    assert decode_qr(svg_to_image(response.data)) == [EVENT_URL]


def test_qr_code_outside_a_request_uses_the_base_url(make_app, create_event):
    create_event()
    app = make_app(BASE_URL="https://camp.example.org")
    with app.app_context():
        png = outreach.qr_png(services.find_event(SLUG))
    assert decode_qr(Image.open(io.BytesIO(png))) == [f"https://camp.example.org/events/{SLUG}"]


def test_once_set_the_base_url_is_on_everything_that_leaves_the_site(make_app, create_event):
    # Printed from a laptop, or served behind a proxy that hides the public name.
    create_event()
    app = make_app(BASE_URL="https://camp.example.org")
    client = app.test_client()
    public = f"https://camp.example.org/events/{SLUG}"
    qr = client.get(f"/events/{SLUG}/qr.svg")
    assert decode_qr(svg_to_image(qr.data)) == [public]
    assert public in client.get(f"/events/{SLUG}/poster").get_data(as_text=True)
    assert public in client.get(f"/events/{SLUG}.ics").get_data(as_text=True)


def test_without_a_base_url_links_follow_the_request(make_app, create_event):
    create_event()
    app = make_app(BASE_URL="")
    client = app.test_client()
    qr = client.get(f"/events/{SLUG}/qr.svg", base_url="https://camp.local")
    assert decode_qr(svg_to_image(qr.data)) == [f"https://camp.local/events/{SLUG}"]


def test_poster_shows_the_event_with_its_qr_code(client, create_event):
    create_event(
        name=NASTY_NAME,
        summary="Sessions made by everyone who comes",
        venue_name="Village hall",
        venue_address="1 High Street",
    )
    slug = "tents-toilets-b"

    response = client.get(f"/events/{slug}/poster")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tents &amp; &#34;Toilets&#34; &lt;b&gt;</h1>" in page
    assert "Saturday 17 October 2026, 10:00" in page
    assert "Village hall" in page and "1 High Street" in page
    assert "Bring the family" in page
    assert "Sessions made by everyone who comes" in page
    assert "Say you're coming — children welcome, kids can pitch sessions too" in page
    assert f'<img class="poster__qr" src="/events/{slug}/qr.svg"' in page
    assert f"http://localhost/events/{slug}</span>" in page
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/css/poster.css[^"]*)"', page)
    with client.get(stylesheet.group(1)) as served:
        css = served.get_data(as_text=True)
    assert "size: A4" in css and "margin: 15mm" in css and "@media print" in css


@pytest.mark.parametrize(
    "path",
    [
        "/events/nowhere/news.atom",
        "/events/nowhere.ics",
        "/events/nowhere/qr.svg",
        "/events/nowhere/qr.png",
        "/events/nowhere/poster",
        f"/events/{SLUG}/qr.gif",
    ],
)
def test_unknown_events_are_not_found(client, create_event, path):
    create_event()
    assert client.get(path).status_code == 404


# The share card (og:image) -------------------------------------------------------------


def test_a_shared_link_shows_a_card_with_the_event_on_it(client, create_event):
    create_event(venue_name="Village hall")
    page = client.get(f"/events/{SLUG}").get_data(as_text=True)
    assert f'<meta property="og:image" content="{EVENT_URL}/card.png">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert (
        '<meta property="og:image:alt" content="GovBarCamp 2026: Sat 17 – Sun 18 Oct 2026, '
        'Village hall">'
    ) in page

    response = client.get(f"/events/{SLUG}/card.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert "max-age=3600" in response.headers["Cache-Control"]
    again = client.get(
        f"/events/{SLUG}/card.png", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_card_changes_with_the_event_and_copes_with_any_name(app, create_event):
    create_event()
    with app.app_context():
        event = services.find_event(SLUG)
        first = outreach.share_card(event, "campwiki")
        for name in ["Café ☕ для всех — " * 6, NASTY_NAME, "x" * 200]:
            event.name = name
            picture = Image.open(io.BytesIO(outreach.share_card(event, "campwiki")))
            assert picture.size == (1200, 630)
        assert outreach.share_card(event, "campwiki") != first


def test_the_card_draws_without_system_fonts(app, create_event, monkeypatch, tmp_path):
    from wiki.exports import card

    create_event()
    monkeypatch.setattr(card, "FONTS", tmp_path)  # a server with no fonts installed
    card._font.cache_clear()
    try:
        with app.app_context():
            data = outreach.share_card(services.find_event(SLUG), "campwiki")
        assert Image.open(io.BytesIO(data)).size == (1200, 630)
        assert card._drawable("17 – 18 Oct…", card._font(40)) == "17 - 18 Oct..."
    finally:
        card._font.cache_clear()
