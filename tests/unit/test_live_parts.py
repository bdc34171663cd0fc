"""A part of a page that re-fetches itself on a live event keeps its element.

htmx queues a request that is triggered while the element's previous one is on its way, on
that element. If the answer replaces the element itself, the queued request belongs to an
element that has left the page and htmx drops it, so the second change is never shown (the
browser journey is tests/browser/test_live_refetch.py). Each template's live parts are read
here, so a new one cannot bring the pattern back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "wiki" / "templates"
TAG = re.compile(r"<[a-z]+\b[^>]*>", re.DOTALL)
LISTENS = re.compile(r'hx-trigger="[^"]*\bsse:')


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found.group(1) if found else None


def live_parts() -> list[tuple[str, str]]:
    parts = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in TAG.findall(path.read_text(encoding="utf-8")):
            if LISTENS.search(tag):
                parts.append((str(path.relative_to(TEMPLATES)), " ".join(tag.split())))
    return parts


def test_the_templates_have_live_parts():
    files = {name for name, _ in live_parts()}
    assert {"programme/show.html", "venue/screen.html", "schedule/editor.html"} <= files


@pytest.mark.parametrize("name,tag", live_parts(), ids=lambda value: value[:40])
def test_a_live_part_is_not_replaced_by_its_own_answer(name, tag):
    target = _attribute(tag, "hx-target")
    replaces_itself = target in (None, "this")
    if replaces_itself:
        assert (_attribute(tag, "hx-swap") or "innerHTML").split()[0] != "outerHTML", tag
    assert _attribute(tag, "hx-swap-oob") in (None, "innerHTML"), tag
    if _attribute(tag, "hx-select"):  # the forms inside must not pick their answers with it
        assert "hx-select" in (_attribute(tag, "hx-disinherit") or "").split(), tag


@pytest.mark.parametrize(
    "tag",
    [
        '<div id="x" hx-get="/x" hx-trigger="sse:changed" hx-swap="outerHTML">',
        '<div id="x" hx-get="/x" hx-trigger="sse:changed" hx-swap-oob="true">',
        '<div id="x" hx-get="/x" hx-trigger="sse:changed" hx-select="#x > *">',
    ],
)
def test_the_check_sees_a_part_that_replaces_itself_or_leaks_its_select(tag):
    with pytest.raises(AssertionError):
        test_a_live_part_is_not_replaced_by_its_own_answer("x.html", tag)
