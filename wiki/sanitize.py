"""The one place where HTML is sanitised.

Everything that ends up in a page as markup passes through :func:`clean_html`. The
allow-list is deliberately narrow: it covers what our Markdown renderer emits and nothing
else. In particular no ``id``/``name`` (DOM clobbering), no ``style``, no ``data-*``/``hx-*``
(htmx request gadgets) and no event handlers survive.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from html import unescape
from typing import Any

import bleach
from bleach.html5lib_shim import BleachHTMLParser, Filter

__all__ = ["clean_html", "plain_text"]

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "s", "del", "ins", "code", "pre", "kbd", "samp",
        "sub", "sup", "mark", "blockquote",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "a", "img", "span", "div", "section", "input",
        "figure", "figcaption", "abbr", "details", "summary",
    }
)  # fmt: skip

_ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "class", "rel"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "th": frozenset({"class"}),
    "td": frozenset({"class"}),
    "ol": frozenset({"start", "class"}),
    "ul": frozenset({"class"}),
    "li": frozenset({"class"}),
    "input": frozenset({"type", "checked", "disabled", "class"}),
    "code": frozenset({"class"}),
    "sup": frozenset({"class"}),
    "hr": frozenset({"class"}),
    "section": frozenset({"class"}),
    "abbr": frozenset({"title"}),
    "details": frozenset({"open"}),
}

# Class values are an allow-list too: a free-form class lets user content borrow the app's
# own styling and JS hooks (e.g. a fake "btn-danger" or a selector our scripts bind to).
_ALLOWED_CLASSES: dict[str, frozenset[str]] = {
    "a": frozenset(
        {"wikilink", "wikilink-new", "footnote-ref", "footnote-backref", "heading-anchor"}
    ),
    "th": frozenset({"text-left", "text-right", "text-center"}),
    "td": frozenset({"text-left", "text-right", "text-center"}),
    "ol": frozenset({"footnotes-list"}),
    "ul": frozenset({"contains-task-list"}),
    "li": frozenset({"task-list-item", "footnote-item"}),
    "input": frozenset({"task-list-item-checkbox"}),
    "sup": frozenset({"footnote-ref"}),
    "hr": frozenset({"footnotes-sep"}),
    "section": frozenset({"footnotes"}),
}

# Fenced code blocks carry their info string as a class; keep it only if it is boring.
_CODE_CLASS_RE = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_DIGITS_RE = re.compile(r"[0-9]{1,5}")
_OL_START_RE = re.compile(r"-?[0-9]{1,9}")
_REL_VALUES = frozenset({"nofollow", "ugc", "noopener", "noreferrer"})
EXTERNAL_REL = "nofollow ugc noopener"

# Removed together with everything inside them (other disallowed tags keep their content).
_DROP_WITH_CONTENT = frozenset({"script", "style"})

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

# Browsers drop tabs/newlines anywhere in a URL and controls/spaces at its ends, so
# "java\tscript:" is javascript:. Removing every non-printable-ASCII character before looking
# for a scheme is stricter than any browser: an obfuscated scheme can only get *more* visible.
_NOT_PRINTABLE_ASCII_RE = re.compile(r"[^\x21-\x7e]+")
# A scheme is whatever precedes the first ":" that comes before any "/", "?" or "#".
# Browsers demand [a-z][a-z0-9+.-]*, but judging any such prefix means odd ones are rejected too.
_SCHEME_RE = re.compile(r"([^/?#]*):")


def _url_scheme(value: str) -> str | None:
    """Return the lowercased scheme a browser could see in an attribute value, or None."""
    # Attribute values reach us with entities intact (bleach does not consume them); the
    # browser decodes them before it parses the URL, so "&#106;avascript:" must be decoded.
    normalized = _NOT_PRINTABLE_ASCII_RE.sub("", unescape(value))
    match = _SCHEME_RE.match(normalized)
    return match.group(1).lower() if match else None


def _url_allowed(value: str, schemes: frozenset[str]) -> bool:
    """Tell whether a URL is relative or uses one of the given schemes."""
    scheme = _url_scheme(value)
    return scheme is None or scheme in schemes


def _is_external(href: str) -> bool:
    """Tell whether a link leaves the wiki (absolute http(s) or protocol-relative)."""
    scheme = _url_scheme(href)
    if scheme is not None:
        return scheme in {"http", "https"}
    normalized = _NOT_PRINTABLE_ASCII_RE.sub("", unescape(href))
    # Browsers treat "\" like "/" in http(s) URLs, so "\\evil.example" is protocol-relative.
    return normalized.replace("\\", "/").startswith("//")


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Decide whether bleach may keep one attribute."""
    if name not in _ALLOWED_ATTRS.get(tag, ()):
        return False
    if name == "class":
        classes = value.split()
        if tag == "code":
            return len(classes) == 1 and _CODE_CLASS_RE.fullmatch(classes[0]) is not None
        allowed = _ALLOWED_CLASSES.get(tag, frozenset())
        return bool(classes) and all(c in allowed for c in classes)
    if name == "href":
        # bleach's own protocol check lets e.g. "javascript:123" through (its URL parser reads
        # ":123" as a port), so we make the decision ourselves and keep bleach's as a backstop.
        return _url_allowed(value, LINK_SCHEMES)
    if name == "src":
        return _url_allowed(value, IMAGE_SCHEMES)
    if name == "type":
        # Only task-list checkboxes; other inputs are dropped whole by _PostFilter.
        return value.strip().lower() == "checkbox"
    if name in {"width", "height"}:
        return _DIGITS_RE.fullmatch(value.strip()) is not None
    if name == "start":
        return _OL_START_RE.fullmatch(value.strip()) is not None
    if name == "rel":
        return all(token in _REL_VALUES for token in value.lower().split())
    return True


class _DropContent(Filter):
    """Drop script and style elements together with their bodies, before sanitising."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth = 0
        for token in super().__iter__():
            if token["type"] in {"StartTag", "EndTag", "EmptyTag"} and (
                token["name"] in _DROP_WITH_CONTENT
            ):
                if token["type"] == "StartTag":
                    depth += 1
                elif token["type"] == "EndTag":
                    depth = max(depth - 1, 0)
                continue
            if not depth:
                yield token


class _PostFilter(Filter):
    """Drop non-checkbox inputs and mark external links, after bleach's own filter."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in {"StartTag", "EmptyTag"}:
                attrs = token["data"]
                if token["name"] == "input" and (None, "type") not in attrs:
                    # An attribute filter can only drop attributes; without type="checkbox"
                    # the element would be a text box, so the element itself must go.
                    continue
                if token["name"] == "a":
                    href = attrs.get((None, "href"))
                    if href is not None and _is_external(href):
                        attrs[(None, "rel")] = EXTERNAL_REL
            yield token


def _new_cleaner() -> bleach.Cleaner:
    """Build a cleaner with the wiki's allow-lists."""
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=LINK_SCHEMES,
        strip=True,
        strip_comments=True,
        filters=[_PostFilter],
    )
    # bleach drops disallowed tags already in its tokenizer, so a <script>'s body would be
    # parsed as ordinary markup and survive (sanitised). Letting the parser see script/style
    # makes their bodies raw text inside one element, which _DropContent then discards whole.
    # The sanitiser's own allow-list still excludes both: should bleach ever stop using these
    # two attributes, bodies degrade to escaped text, never to markup.
    cleaner.parser = BleachHTMLParser(
        tags=ALLOWED_TAGS | _DROP_WITH_CONTENT,
        strip=True,
        consume_entities=False,
        namespaceHTMLElements=False,
    )
    tree_walker = cleaner.walker
    cleaner.walker = lambda dom: _DropContent(tree_walker(dom))
    return cleaner


# bleach documents Cleaner as not thread-safe (its parser keeps state), and gunicorn may run
# threads, so each thread gets its own; the importing thread's is built here, once.
_local = threading.local()
_local.cleaner = _new_cleaner()


def clean_html(html: str) -> str:
    """Sanitise an HTML fragment against the wiki's allow-list."""
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _new_cleaner()
    return cleaner.clean(html)


# Block tags part words; inline ones (a link, emphasis) sit inside them.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|br|hr|h[1-6]|ul|ol|li|dl|dt|dd|div|section|blockquote|pre|table|thead|tbody|"
    r"tfoot|tr|td|th|caption|figure|figcaption|details|summary)\b[^>]*>"
)
# A footnote's way back up ("↩︎") is not part of its text.
_BACKREF_RE = re.compile(r'<a [^>]*class="footnote-backref"[^>]*>.*?</a>', re.S)
_TAG_RE = re.compile(r"<[^>]*>")


def plain_text(html: str) -> str:
    """Return the words of sanitised HTML (as :func:`clean_html` makes it), no markup left.

    Only for HTML this module cleaned: there, every ``<`` that is text is escaped.
    """
    text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", _BACKREF_RE.sub("", html)))
    return " ".join(unescape(text).split())
