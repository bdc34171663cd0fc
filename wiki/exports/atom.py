"""Atom feeds (RFC 4287) written from plain data."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

# Characters XML 1.0 forbids; one pasted into a title would make the whole feed unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed; ``content_html`` is sanitised HTML, sent escaped as type="html"."""

    id: str
    title: str
    link: str
    updated: datetime
    published: datetime | None = None
    author: str = ""
    content_html: str = ""
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's own details and its entries, newest first."""

    id: str
    title: str
    self_url: str
    alternate_url: str
    updated: datetime
    subtitle: str = ""
    author: str = ""
    entries: Sequence[Entry] = ()


def _text(value: str) -> str:
    return XML_ILLEGAL.sub("", value).translate(_ESCAPES)


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _entry(entry: Entry) -> list[str]:
    lines = [
        "  <entry>",
        f"    <title>{_text(entry.title)}</title>",
        f"    <id>{_text(entry.id)}</id>",
        f'    <link rel="alternate" type="text/html" href="{_text(entry.link)}"/>',
    ]
    if entry.published is not None:
        lines.append(f"    <published>{_time(entry.published)}</published>")
    lines.append(f"    <updated>{_time(entry.updated)}</updated>")
    if entry.author:
        lines.append(f"    <author><name>{_text(entry.author)}</name></author>")
    if entry.summary:
        lines.append(f'    <summary type="text">{_text(entry.summary)}</summary>')
    if entry.content_html:
        lines.append(f'    <content type="html">{_text(entry.content_html)}</content>')
    lines.append("  </entry>")
    return lines


def feed(feed: Feed) -> bytes:
    """Return the feed as a UTF-8 Atom document."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
        f"  <title>{_text(feed.title)}</title>",
    ]
    if feed.subtitle:
        lines.append(f"  <subtitle>{_text(feed.subtitle)}</subtitle>")
    lines += [
        f"  <id>{_text(feed.id)}</id>",
        f'  <link rel="self" type="application/atom+xml" href="{_text(feed.self_url)}"/>',
        f'  <link rel="alternate" type="text/html" href="{_text(feed.alternate_url)}"/>',
        f"  <updated>{_time(feed.updated)}</updated>",
    ]
    if feed.author:
        lines.append(f"  <author><name>{_text(feed.author)}</name></author>")
    lines.append("  <generator>campwiki</generator>")
    for entry in feed.entries:
        lines += _entry(entry)
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()
