"""Chromium prints the 60-pitch grid on one A3 (or A4) landscape page, wall cards one per page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bench.camp import load_camp
from bench.solver import generate
from wiki.accounts.models import User
from wiki.events.models import Event, EventState
from wiki.extensions import db
from wiki.schedule import drafts, editor, publishing, versions
from wiki.schedule.models import RevisionKind
from wiki.schedule.solver import solve

A3_LANDSCAPE = (1190.55, 841.89)
A4_LANDSCAPE = (841.89, 595.28)
A4_PORTRAIT = (595.28, 841.89)


@pytest.fixture
def big_camp(app):
    """Load the generated 60-pitch camp, plan it greedily and publish it; return the slug."""
    slug = load_camp(app, generate("small", 0))
    with app.test_request_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        result = solve(editor.built_problem(event), time_limit=2, method="greedy")
        draft = drafts.get_draft(event)
        doc = drafts.Doc(schedule=dict(result.grid.schedule))
        drafts.commit(draft, draft.head_revision, RevisionKind.SOLVE, doc, "Planned", None)
        event.state = EventState.VOTING_CLOSED
        db.session.commit()
        fran = db.session.scalar(select(User).where(User.username == "fran"))
        publishing.publish(event, fran, drafts.get_draft(event).head_revision)
        db.session.commit()
        programme = versions.programme(versions.latest(event))
        assert len(programme.sessions) >= 40 and len(programme.rooms) == 6
    return slug, programme


def pdf_pages(page, keep=None) -> list:
    """Print the open page as Chromium does, at the size its CSS asks for."""
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    if keep is not None:
        keep.write_bytes(data)
    return PdfReader(io.BytesIO(data)).pages


def size_of(pdf_page) -> tuple[float, float]:
    return float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)


def assert_size(pdf_page, expected) -> None:
    width, height = size_of(pdf_page)
    assert abs(width - expected[0]) <= 1 and abs(height - expected[1]) <= 1, (width, height)


@pytest.mark.parametrize(("size", "paper"), [("A3", A3_LANDSCAPE), ("A4", A4_LANDSCAPE)])
def test_the_whole_grid_prints_on_one_landscape_page(new_page, big_camp, tmp_path, size, paper):
    slug, programme = big_camp
    page = new_page(1280, 900)
    page.goto(f"/events/{slug}/schedule/print?size={size}")
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / f"grid-{size}.png"), full_page=True)  # to look at
    pages = pdf_pages(page)
    assert len(pages) == 1
    assert_size(pages[0], paper)
    text = " ".join(pages[0].extract_text().split())
    assert all(s.title in text for s in programme.sessions)
    assert "v1" in text
    assert page.console_errors == []


def test_door_cards_print_one_page_per_room(new_page, big_camp, tmp_path):
    slug, programme = big_camp
    page = new_page(1280, 900)
    page.goto(f"/events/{slug}/schedule/cards/rooms")
    pages = pdf_pages(page, tmp_path / "doors.pdf")
    assert len(pages) == len(programme.rooms) * len(programme.days)
    for pdf_page, room in zip(pages, programme.rooms, strict=True):
        assert_size(pdf_page, A4_PORTRAIT)
        assert room.name in pdf_page.extract_text()


def test_session_cards_print_one_page_per_session(new_page, big_camp):
    slug, programme = big_camp
    page = new_page(1280, 900)
    page.goto(f"/events/{slug}/schedule/cards/sessions")
    pages = pdf_pages(page)
    assert len(pages) == len(programme.sessions)
    assert_size(pages[0], A4_PORTRAIT)
