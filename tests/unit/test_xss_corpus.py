"""Public XSS corpora through clean_html and render_markdown, judged on the output's structure.

The oracle is deliberately independent of wiki.sanitize: it re-parses the output with the
stdlib parser and checks it against the allow-list written out here, so widening the
sanitiser's allow-list by mistake makes these tests fail.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.helpers import find_xss_dir
from wiki.pages.markup import render_markdown
from wiki.sanitize import clean_html

XSS_DIR = find_xss_dir()

ALLOWED_ELEMENTS = frozenset(
    "p br hr h1 h2 h3 h4 h5 h6 strong em b i s del ins code pre kbd samp sub sup mark "
    "blockquote ul ol li dl dt dd table thead tbody tfoot tr th td caption a img span div "
    "section input figure figcaption abbr details summary".split()
)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
OUR_ID_RE = re.compile(r"(?:h|fn)-[\w-]+")
SCHEME_RE = re.compile(r"([a-z][a-z0-9+.-]*):")
# Browsers ignore these anywhere in a URL (tab, LF, CR) or at its ends (C0 controls, space);
# we drop every control and blank so "java\tscript:" is judged as javascript:.
URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")


class _Oracle(HTMLParser):
    """Record every way a parsed fragment breaks the output rules."""

    def __init__(self, *, ids_allowed: bool, extra_elements: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ids_allowed = ids_allowed
        self.allowed_elements = ALLOWED_ELEMENTS | extra_elements
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed_elements:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")
        if tag == "input" and ("type", "checkbox") not in attrs:
            self.problems.append(f"input that is not a checkbox: {attrs}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data[:40]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data[:40]!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl[:40]!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data[:40]!r}")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        if (
            name.startswith("on")
            or name in {"style", "name", "xmlns", "srcset", "formaction", "action"}
            or name.startswith("data-")
            or "hx-" in name
            or ":" in name
        ):
            self.problems.append(f"attribute {name}={value[:40]!r} on <{tag}>")
        if name == "id" and not (self.ids_allowed and OUR_ID_RE.fullmatch(value)):
            self.problems.append(f"id={value[:40]!r} on <{tag}>")
        if name in {"href", "src"}:
            # html.parser has already decoded entities in the value.
            url = URL_NOISE_RE.sub("", value).lower()
            schemes = IMAGE_SCHEMES if name == "src" else LINK_SCHEMES
            match = SCHEME_RE.match(url)
            if url.startswith(("javascript", "vbscript", "data")) or (
                match is not None and match.group(1) not in schemes
            ):
                self.problems.append(f"{name}={value[:60]!r} on <{tag}>")


def problems(
    html: str, *, ids_allowed: bool = False, extra_elements: frozenset[str] = frozenset()
) -> list[str]:
    """Return every rule the HTML output breaks (empty when it is clean)."""
    oracle = _Oracle(ids_allowed=ids_allowed, extra_elements=extra_elements)
    oracle.feed(html)
    oracle.close()
    return oracle.problems


def _load_vectors(path: Path) -> list[str]:
    """Read one corpus file as a list of payload strings."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data.get("vectors") or data.get("cases") or []
        return [item["payload"] for item in items]
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if line.strip()]


def _corpus_params() -> list:
    if not XSS_DIR.is_dir():
        if os.environ.get("CI"):
            raise RuntimeError(f"XSS corpus missing in CI: {XSS_DIR}")
        reason = f"XSS corpus not found at {XSS_DIR} (it is present on CI)"
        return [pytest.param(None, id="corpus-missing", marks=pytest.mark.skip(reason=reason))]
    files = sorted(XSS_DIR.glob("*.json")) + sorted(
        p for p in (XSS_DIR / "payloadsallthethings").glob("*.txt") if p.name != "SOURCE.txt"
    )
    return [pytest.param(path, id=path.relative_to(XSS_DIR).as_posix()) for path in files]


def _render(vector: str) -> str:
    rendered = render_markdown(
        vector,
        # Half the targets "exist" so both kinds of wiki link get exercised.
        page_exists=lambda slug: len(slug) % 2 == 0,
        page_url=lambda slug: f"/wiki/{slug}",
        new_page_url=lambda title: f"/wiki/new?title={quote(title)}",
    )
    return rendered.html + rendered.toc_html


# name -> (function, may the output carry our h-/fn- ids, extra elements it may contain)
PIPELINES: dict[str, tuple[Callable[[str], str], bool, frozenset[str]]] = {
    "clean_html": (clean_html, False, frozenset()),
    # The table of contents is our own markup, built outside the sanitiser.
    "render_markdown": (_render, True, frozenset({"nav"})),
}


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
@pytest.mark.parametrize("corpus", _corpus_params())
def test_corpus_output_is_inert(corpus: Path, pipeline: str) -> None:
    run, ids_allowed, extra_elements = PIPELINES[pipeline]
    vectors = _load_vectors(corpus)
    assert vectors, f"{corpus} has no vectors"
    failures = []
    for number, vector in enumerate(vectors):
        output = run(vector)
        found = problems(output, ids_allowed=ids_allowed, extra_elements=extra_elements)
        if found:
            failures.append(f"#{number} {vector[:150]!r}\n    -> {output[:200]!r}\n    {found}")
    assert not failures, f"{len(failures)} of {len(vectors)} vectors in {corpus.name}:\n" + (
        "\n".join(failures[:25])
    )


@pytest.mark.skipif(not XSS_DIR.is_dir(), reason=f"XSS corpus not found at {XSS_DIR}")
def test_corpus_is_complete() -> None:
    # Guards against the corpus tests passing vacuously on a truncated checkout.
    total = sum(len(_load_vectors(p.values[0])) for p in _corpus_params())
    assert total > 1500


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="alert(1)"><p style="x" id="y" hx-get="/a" data-hx-post="/b">',
        "<!-- c --><svg><script>alert(1)</script></svg>",
        '<input type="text">',
    ],
)
def test_oracle_catches_what_it_should(html: str) -> None:
    # The oracle is only worth its passes if it fails on raw payloads.
    assert problems(html)


def test_markdown_javascript_link_is_not_a_link() -> None:
    html = _render("[x](javascript:alert(1)) [y](<JAVASCRIPT:alert(1)>) ![z](javascript:1)")
    assert not problems(html, ids_allowed=True)
    assert "<a" not in html


def test_naive_new_page_url_cannot_smuggle_a_scheme() -> None:
    # Even if a caller forgot to build a path, the sanitiser has the last word.
    rendered = render_markdown(
        "[[javascript:alert(1)]] [[data:text/html,x]]",
        page_exists=lambda slug: False,
        page_url=lambda slug: slug,
        new_page_url=lambda title: title,
    )
    assert not problems(rendered.html)
    assert "href" not in rendered.html
