"""Render wiki Markdown to sanitised HTML, plus the facts a page needs about itself.

Pipeline: markdown-it (raw HTML off) -> token post-processing -> HTML -> ``clean_html`` ->
re-add the ids we computed ourselves. Sanitising always happens after rendering, never before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from wiki.sanitize import clean_html

__all__ = [
    "WIKILINK_RE",
    "Heading",
    "Rendered",
    "render_markdown",
    "TASK_LINE_RE",
    "slugify",
    "task_labels",
    "toggle_task",
]

SLUG_MAX_LENGTH = 80
TOC_MIN_HEADINGS = 3

# [[Target]] or [[Target|label]]; one line, no brackets inside, bounded so a stray "[[" on a
# long line cannot make the inline parser scan far.
WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{0,200}))?\]\]")

# A source line that opens a task-list item; sub("", line) leaves the item's text. A line
# heuristic (it cannot see code blocks or footnotes): task_labels is the exact counterpart.
TASK_LINE_RE = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+\[[ xX]\](?:[ \t]+|$)")

_TASK_MARKER_RE = re.compile(r"\[([ xX])\]")
# mdit-py-plugins' tasklists accepts "[ ]" followed by any whitespace as a task, but only
# draws the checkbox when that whitespace is a space; normalised so the two always agree.
_LOOSE_TASK_MARKER_RE = re.compile(r"\[[ xX]\][\t\n\v\f\r]")
_CHECKBOX_PREFIX = "<input "
_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_ALIGN_CLASSES = {
    "text-align:left": "text-left",
    "text-align:right": "text-right",
    "text-align:center": "text-center",
}

# Exact opening tags as they come out of clean_html (bleach keeps attribute order and always
# double-quotes), used to put ids back; see _restore_ids.
_HEADING_TAG_RE = re.compile(r"<h[1-6]>")
_FOOTNOTE_REF_TAG_RE = re.compile(r'<sup class="footnote-ref"><a href="#fn-[0-9]+">')
_FOOTNOTE_ITEM_TAG_RE = re.compile(r'<li class="footnote-item">')


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of a rendered page; ``anchor`` is the element id, without "#"."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """The result of rendering one page's Markdown."""

    html: str
    links: frozenset[str]
    headings: tuple[Heading, ...]
    toc_html: str
    task_count: int


def slugify(title: str) -> str:
    """Turn a title into a lowercase, hyphen-separated slug of at most 80 characters."""
    # NFKC first so that composed/decomposed spellings and compatibility forms give one slug.
    text = unicodedata.normalize("NFKC", title).lower()
    # Marks (M*) count as letters: Indic vowel signs and the like are part of the word.
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    slug = "-".join(kept.split())[:SLUG_MAX_LENGTH].rstrip("-")
    return slug or "page"


# --- parser -------------------------------------------------------------------------------


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """Tokenise ``[[Target]]`` / ``[[Target|label]]`` at the current position."""
    # Inside a Markdown link's text a wiki link would nest <a> in <a>; leave it as text.
    if state.linkLevel > 0 or not state.src.startswith("[[", state.pos):
        return False
    match = WIKILINK_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    title = " ".join(match.group(1).split())
    if not title:
        return False
    if not silent:
        label = " ".join((match.group(2) or "").split()) or title
        # Existence and URLs are resolved per render in _resolve_wikilinks; the parser is shared.
        token = state.push("wikilink_open", "a", 1)
        token.meta = {"title": title, "slug": slugify(title)}
        state.push("text", "", 0).content = label
        state.push("wikilink_close", "a", -1)
    state.pos = match.end()
    return True


def _is_task_candidate(tokens: Sequence[Token], i: int) -> bool:
    """Tell whether tokens[i] is the first paragraph's inline of a list item."""
    return (
        i >= 2
        and tokens[i].type == "inline"
        and tokens[i - 1].type == "paragraph_open"
        and tokens[i - 2].type == "list_item_open"
    )


def _space_after_task_marker(state: StateCore) -> None:
    """Make "[ ]<tab>" and "[ ]<newline>" look like "[ ] " to the tasklists plugin."""
    for i, token in enumerate(state.tokens):
        if _is_task_candidate(state.tokens, i) and _LOOSE_TASK_MARKER_RE.match(token.content):
            token.content = f"{token.content[:3]} {token.content[4:]}"


def _tidy_attrs(state: StateCore) -> None:
    """Swap the attributes the sanitiser would drop for allow-listed classes."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"}:
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style in _ALIGN_CLASSES:
                token.attrSet("class", _ALIGN_CLASSES[style])
        elif token.type == "list_item_open" and token.attrGet("class") == "task-list-item enabled":
            # The plugin marks clickable items "task-list-item enabled"; one class is enough.
            token.attrSet("class", "task-list-item")


def _mark_footnote_refs_in_links(state: StateCore) -> None:
    """Flag footnote references that sit inside a link's text (e.g. ``[a^[note]](url)``)."""
    # Their own <a> would nest inside the link's, which parsers untangle by moving elements
    # around; such a reference is rendered without a link (see _render_footnote_ref).
    for token in state.tokens:
        depth = 0
        for child in token.children or ():
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "footnote_ref" and depth > 0:
                child.meta["inside_link"] = True


def _footnote_id(meta: dict[str, Any]) -> str:
    """Return the id of a footnote's list item."""
    return f"fn-{meta['id'] + 1}"


def _footnote_ref_id(meta: dict[str, Any]) -> str:
    """Return the id of one reference to a footnote (a footnote may be cited many times)."""
    sub = meta.get("subId", 0)
    return f"fn-ref-{meta['id'] + 1}" + (f"-{sub}" if sub > 0 else "")


# The footnote renderers emit hrefs with our prefixes and no ids at all: ids would be
# stripped by the sanitiser anyway and are re-added afterwards by _restore_ids.
def _render_footnote_ref(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    caption = self.rules["footnote_caption"](tokens, idx, options, env)
    if tokens[idx].meta.get("inside_link"):
        return f'<sup class="footnote-ref">{caption}</sup>'
    target = _footnote_id(tokens[idx].meta)
    return f'<sup class="footnote-ref"><a href="#{target}">{caption}</a></sup>'


def _render_footnote_open(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return '<li class="footnote-item">'


def _render_footnote_anchor(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    target = _footnote_ref_id(tokens[idx].meta)
    # U+FE0E keeps iOS from drawing the arrow as an emoji.
    return f' <a href="#{target}" class="footnote-backref">\u21a9\ufe0e</a>'


def _build_parser() -> MarkdownIt:
    """Build the one Markdown parser the wiki uses."""
    # html=False: raw HTML in a page is shown as text; the sanitiser still runs on the output.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(tasklists_plugin, enabled=True)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.before("github-tasklists", "task_marker_space", _space_after_task_marker)
    md.core.ruler.push("tidy_attrs", _tidy_attrs)
    md.core.ruler.push("footnote_refs_in_links", _mark_footnote_refs_in_links)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("footnote_open", _render_footnote_open)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    # Rulers build their lookup caches lazily and without a lock; build them now, before
    # threads share the parser.
    md.parse("warm [up]")
    return md


_MD = _build_parser()


# --- token walks --------------------------------------------------------------------------


def _in_render_order(tokens: Iterable[Token]) -> Iterator[Token]:
    """Yield block tokens and inline children in the order the renderer writes them."""
    for token in tokens:
        yield token
        if token.type == "inline" and token.children:
            # Image children are not descended into: they only become alt text.
            yield from token.children


def _task_inlines(tokens: Sequence[Token]) -> list[Token]:
    """Return the inline token of every rendered task item, in HTML order."""
    tasks = []
    for i, token in enumerate(tokens):
        if (
            _is_task_candidate(tokens, i)
            and tokens[i - 2].attrGet("class") == "task-list-item"
            and token.children
            and token.children[0].type == "html_inline"
            and token.children[0].content.startswith(_CHECKBOX_PREFIX)
        ):
            tasks.append(token)
    return tasks


def _plain_text(children: Iterable[Token]) -> str:
    """Return the visible text of inline tokens, without markup."""
    parts = []
    for child in children:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _headings(tokens: Sequence[Token]) -> tuple[Heading, ...]:
    """Collect headings with unique, prefixed anchors."""
    used: set[str] = set()
    headings = []
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = _plain_text(tokens[i + 1].children or ())
        base = slugify(text)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        headings.append(Heading(level=int(token.tag[1]), text=text, anchor=f"h-{slug}"))
    return tuple(headings)


def _resolve_wikilinks(
    tokens: Sequence[Token],
    page_exists: Callable[[str], bool],
    page_url: Callable[[str], str],
    new_page_url: Callable[[str], str],
) -> frozenset[str]:
    """Point every wiki link at its page or its creation form; return the target slugs."""
    exists: dict[str, bool] = {}  # one lookup per target, however often it is linked
    for token in _in_render_order(tokens):
        if token.type != "wikilink_open":
            continue
        slug, title = token.meta["slug"], token.meta["title"]
        if slug not in exists:
            exists[slug] = page_exists(slug)
        if exists[slug]:
            token.attrs = {"class": "wikilink", "href": page_url(slug)}
        else:
            token.attrs = {
                "class": "wikilink-new",
                "href": new_page_url(title),
                "title": "Create this page",
            }
    return frozenset(exists)


# --- ids ----------------------------------------------------------------------------------
#
# Why ids are added *after* sanitising: the sanitiser drops every id (and name) because an
# attacker-chosen id can clobber globals and app elements (window.config, #csrf-token, an
# htmx target ...). Headings and footnotes still need anchors, so we compute the ids from the
# token stream ourselves - never from user-written attributes -, give them "h-"/"fn-" prefixes
# that app templates never use, and insert them into tags we know we emitted. Raw HTML is
# off, so every <hN>, footnote <sup> and footnote <li> in the output came from our renderer, in
# the same order as the tokens; if the counts ever disagree we add no ids rather than wrong
# ones.


def _add_ids(html: str, tag_re: re.Pattern[str], ids: Sequence[str]) -> str:
    """Give the n-th match of tag_re the n-th id, if the counts agree."""
    if len(tag_re.findall(html)) != len(ids):
        return html
    remaining = iter(ids)
    return tag_re.sub(lambda m: f'{m.group(0)[:-1]} id="{escape(next(remaining))}">', html)


def _restore_ids(html: str, tokens: Sequence[Token], headings: Sequence[Heading]) -> str:
    """Add our own heading and footnote ids to sanitised HTML."""
    ref_ids, item_ids = [], []
    for token in _in_render_order(tokens):
        if token.type == "footnote_ref" and not token.meta.get("inside_link"):
            ref_ids.append(_footnote_ref_id(token.meta))
        elif token.type == "footnote_open":
            item_ids.append(_footnote_id(token.meta))
    html = _add_ids(html, _HEADING_TAG_RE, [h.anchor for h in headings])
    html = _add_ids(html, _FOOTNOTE_REF_TAG_RE, ref_ids)
    return _add_ids(html, _FOOTNOTE_ITEM_TAG_RE, item_ids)


def _toc_html(headings: Sequence[Heading]) -> str:
    """Build a nested table of contents, or "" for pages with few headings."""
    if len(headings) < TOC_MIN_HEADINGS:
        return ""
    parts = ['<nav class="toc" aria-label="Contents">']
    levels: list[int] = []  # heading level of each open <ol>
    for heading in headings:
        if not levels or heading.level > levels[-1]:
            parts.append("<ol>")
            levels.append(heading.level)
        else:
            parts.append("</li>")
            # A heading belongs to an outer list once it is no deeper than that list's parent.
            while len(levels) > 1 and heading.level <= levels[-2]:
                levels.pop()
                parts.append("</ol></li>")
        parts.append(f'<li><a href="#{escape(heading.anchor)}">{escape(heading.text)}</a>')
    parts.append("</li>")
    parts.extend("</ol></li>" for _ in levels[1:])
    parts.append("</ol></nav>")
    return "".join(parts)


# --- public API ---------------------------------------------------------------------------


def render_markdown(
    text: str,
    *,
    page_exists: Callable[[str], bool],
    page_url: Callable[[str], str],
    new_page_url: Callable[[str], str],
) -> Rendered:
    """Render page Markdown to sanitised HTML with links, headings, TOC and task count.

    ``page_exists`` and ``page_url`` take a slug; ``new_page_url`` takes the title as written.
    """
    env: dict[str, Any] = {}
    tokens = _MD.parse(text, env)
    links = _resolve_wikilinks(tokens, page_exists, page_url, new_page_url)
    headings = _headings(tokens)
    html = clean_html(_MD.renderer.render(tokens, _MD.options, env))
    return Rendered(
        html=_restore_ids(html, tokens, headings),
        links=links,
        headings=headings,
        toc_html=_toc_html(headings),
        task_count=len(_task_inlines(tokens)),
    )


def task_labels(text: str) -> list[str]:
    """Return the plain text of every task-list item, indexed as toggle_task counts them."""
    # children[0] is the checkbox the tasklists plugin inserted.
    return [_plain_text(inline.children[1:]) for inline in _task_inlines(_MD.parse(text, {}))]


def toggle_task(text: str, index: int, checked: bool, by: str | None = None) -> str:
    """Set the index-th task-list checkbox (in rendered order) in the Markdown source.

    With ``by``, a ticked task's text ends with "— ticked by <by>" (who took it on), and an
    unticked one loses that note again.
    """
    tasks = _task_inlines(_MD.parse(text, {}))
    if not 0 <= index < len(tasks):
        raise IndexError(f"task index {index} out of range ({len(tasks)} tasks)")
    task_map = tasks[index].map
    assert task_map is not None  # block-level inline tokens always carry their lines
    # markdown-it numbers lines after folding \r\n and \r into \n; count the same way.
    line_starts = [0, *(m.end() for m in _NEWLINE_RE.finditer(text))]

    def line_end(number: int) -> int:
        newline = _NEWLINE_RE.search(text, line_starts[number])
        return newline.start() if newline else len(text)

    start = line_starts[task_map[0]]
    end = line_end(task_map[0])
    # Only indentation, ">" and list markers (or a "[^label]:" footnote head, which cannot look
    # like a marker) precede the item's text on its first line, so the first marker is ours.
    marker = _TASK_MARKER_RE.search(text, start, end)
    if marker is None:
        raise ValueError(f"task {index}: no [ ]/[x] marker on source line {task_map[0] + 1}")
    if (marker.group(1) != " ") == checked:
        return text
    new_mark = "x" if checked else " "
    if by is None:
        return text[: marker.start(1)] + new_mark + text[marker.end(1) :]
    # The note goes at the end of the item's first paragraph (its last source line).
    last_start = line_starts[task_map[1] - 1]
    last_end = line_end(task_map[1] - 1)
    last = _TICKED_BY_RE.sub("", text[last_start:last_end]).rstrip(" \t")
    if checked:
        last += f" {TICKED_BY} {_escape_inline(' '.join(by.split()))}"
    if last_start == start:  # a one-line item: the marker and the note share the line
        offset = marker.start(1) - start
        last = last[:offset] + new_mark + last[offset + 1 :]
        return text[:last_start] + last + text[last_end:]
    return (
        text[: marker.start(1)]
        + new_mark
        + text[marker.end(1) : last_start]
        + last
        + text[last_end:]
    )


TICKED_BY = "— ticked by"
_TICKED_BY_RE = re.compile(r"[ \t]+— ticked by [^\n]*$")
_INLINE_SPECIALS_RE = re.compile(r"([\\`*_\[\]<>~|&!])")


def _escape_inline(text: str) -> str:
    """Backslash-escape what Markdown would read as markup in a name (CommonMark allows it)."""
    return _INLINE_SPECIALS_RE.sub(r"\\\1", text)
