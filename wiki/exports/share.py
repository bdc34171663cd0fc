"""Share text: the short description a link preview, a calendar entry or a feed shows."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

SHARE_TEXT_LENGTH = 160
# Block tags part words; inline ones (a link, emphasis) sit inside them.
BLOCK_TAG = re.compile(
    r"</?(?:p|br|hr|h[1-6]|ul|ol|li|dl|dt|dd|div|blockquote|pre|table|tr|td|th|figure)\b[^>]*>"
)
TAG = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """Return the words of a sanitised HTML fragment, tags dropped and spaces tidied."""
    return " ".join(html.unescape(TAG.sub("", BLOCK_TAG.sub(" ", fragment))).split())


def first_words(text: str, limit: int = SHARE_TEXT_LENGTH) -> str:
    """Shorten ``text`` to at most ``limit`` characters, at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:–—-")
    return f"{cut}…"


def share_text(facts: Iterable[str], about: str, limit: int = SHARE_TEXT_LENGTH) -> str:
    """Say the facts (a date, a place), then the first words of ``about``.

    "Sat 17 Oct 2026, Village hall — Bring the family"; empty facts are left out.
    """
    where = ", ".join(fact for fact in facts if fact)
    return f"{where} — {first_words(about, limit)}" if about else where
