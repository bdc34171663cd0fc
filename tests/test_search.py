"""Site search: pages, sessions, comments and announcements, in plain text, never the hidden."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.helpers import parse_html, text_of
from wiki.accounts.models import Role, User
from wiki.events import announcements
from wiki.events import services as events
from wiki.extensions import db
from wiki.pages import services as pages
from wiki.pitches import services as pitches
from wiki.pitches.models import Comment


@dataclass(frozen=True)
class Result:
    label: str
    title: str
    href: str
    snippet: str
    context: str


def results(client, query: str, notes: bool = False) -> list[Result]:
    """Search as a reader does and return what the results list shows.

    Each session has a notes page named after it; those are left out unless ``notes``.
    """
    response = client.get("/-/search", query_string={"q": query})
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    found = []
    for item in page.iterfind(".//ol[@class='search-results']/li"):
        kind = item.find("div[@class='search-result__kind']")
        link = item.find("a")
        snippet = item.find("p[@class='muted']")
        found.append(
            Result(
                label=text_of(kind.find("span")),
                title=text_of(link),
                href=link.get("href"),
                snippet=text_of(snippet) if snippet is not None else "",
                context=text_of(kind),
            )
        )
    return [r for r in found if notes or not r.title.startswith("Session notes:")]


@pytest.fixture
def content(app, create_event, create_user):
    """Make a page, a session, a comment and an announcement that all mention zebrafish."""
    host = create_user("hannah", display_name="Hannah")
    create_event(state="voting")
    with app.app_context():
        event = events.find_event("govbarcamp-2026")
        by = db.session.get(User, host.id)
        facilitator = db.session.scalar(select(User).where(User.role == Role.FACILITATOR))
        page = pages.create_page("Aquarium", "Our **zebrafish** tank.\n", by).page
        pitch = pitches.create_pitch(
            event,
            pitches.PitchDetails(title="Zebrafish for kids", summary="Bring a **jar**."),
            by,
        )
        comment = pitches.add_comment(pitch, by, "Can the zebrafish come _too_?")
        news = announcements.post_announcement(
            event, "Zebrafish arrive", "The **tank** is ready.", facilitator
        )
        db.session.commit()
        return {
            "event": event.slug,
            "page": page.slug,
            "pitch": pitch.id,
            "comment": comment.id,
            "announcement": news.id,
        }


def test_search_finds_every_kind_and_says_what_each_is(client, content):
    every = results(client, "zebrafish")
    found = {r.label: r for r in every}
    assert sorted(r.label for r in every) == ["Announcement", "Comment", "Page", "Session"]
    slug, pitch = content["event"], content["pitch"]
    assert found["Page"].href == f"/wiki/{content['page']}"
    assert found["Page"].title == "Aquarium"
    assert found["Session"].href == f"/events/{slug}/pitches/{pitch}"
    assert found["Session"].title == "Zebrafish for kids"
    assert found["Comment"].href == f"/events/{slug}/pitches/{pitch}#comment-{content['comment']}"
    assert "Zebrafish for kids" in found["Comment"].title
    assert found["Announcement"].href == f"/events/{slug}#announcement-{content['announcement']}"
    assert "GovBarCamp 2026" in found["Announcement"].context
    notes = [r.title for r in results(client, "zebrafish", notes=True) if r.label == "Page"]
    assert "Session notes: Zebrafish for kids" in notes


def test_each_result_links_to_where_its_text_is(client, content):
    for result in results(client, "zebrafish"):
        path, _, anchor = result.href.partition("#")
        body = client.get(path).get_data(as_text=True)
        assert "zebrafish" in body.lower()
        if anchor:
            assert parse_html(body).find(f".//*[@id='{anchor}']") is not None


def test_snippets_are_plain_text(app, client, create_user):
    author = create_user("writer")
    markdown = (
        "| Venue | Toilets |\n|---|---|\n| **Village hall** | yes |\n\n"
        "See [[Venue ideas|the venues]] and *more*.\n"
    )
    with app.app_context():
        pages.create_page("Venues", markdown, db.session.get(User, author.id))
        db.session.commit()
    (hit,) = results(client, "village")
    assert "Village hall" in hit.snippet
    for markup in ("|", "---", "**", "[[", "]]", "*"):
        assert markup not in hit.snippet
    assert "the venues" in hit.snippet


def test_hidden_and_retired_items_never_appear(app, client, content, create_user):
    with app.app_context():
        event = events.find_event(content["event"])
        by = db.session.get(User, create_user("sam").id)
        declined = pitches.create_pitch(event, pitches.PitchDetails(title="Zebrafish races"), by)
        pitches.add_comment(declined, by, "A zebrafish question on a declined session")
        merged = pitches.create_pitch(event, pitches.PitchDetails(title="Zebrafish again"), by)
        db.session.flush()
        pitches.decline_pitch(declined, "Not kind to fish.")
        pitches.merge_pitches(merged, db.session.get(pitches.Pitch, content["pitch"]))
        db.session.get(Comment, content["comment"]).hidden = True
        news = db.session.get(announcements.Announcement, content["announcement"])
        announcements.set_hidden(news, True)
        pages.delete_page(pages.find_page(content["page"]), by)
        db.session.commit()
    found = results(client, "zebrafish")
    assert [(r.label, r.title) for r in found] == [("Session", "Zebrafish for kids")]


def test_shown_again_and_edited_items_come_back_changed(app, client, content):
    with app.app_context():
        comment = db.session.get(Comment, content["comment"])
        comment.hidden = True
        db.session.commit()
    assert "Comment" not in {r.label for r in results(client, "zebrafish")}
    with app.app_context():
        db.session.get(Comment, content["comment"]).hidden = False
        pitch = db.session.get(pitches.Pitch, content["pitch"])
        pitches.update_pitch(
            pitch, pitches.PitchDetails(title="Axolotls for kids"), pitch.created_by
        )
        db.session.commit()
    assert "Comment" in {r.label for r in results(client, "zebrafish")}
    assert [r.title for r in results(client, "axolotls")] == ["Axolotls for kids"]
    assert "Session" not in {r.label for r in results(client, "zebrafish")}


def test_highlighted_words_are_marked_in_every_kind(client, content):
    response = client.get("/-/search?q=zebrafish")
    page = parse_html(response.get_data(as_text=True))
    for item in page.iterfind(".//ol[@class='search-results']/li"):
        marks = [text_of(m).lower() for m in item.iter("mark")]
        assert "zebrafish" in marks
