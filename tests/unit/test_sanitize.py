"""Unit tests for wiki.sanitize.clean_html."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest

from wiki.sanitize import clean_html


class _Elements(HTMLParser):
    """Collect (tag, attrs) of every start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Parse html and return its elements in document order."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


JAVASCRIPT_HREFS = [
    "javascript:123",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java&#9;script:alert(1)",
    "java&#x0A;script:alert(1)",
    " \x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#106avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/png;base64,AAAA",
    "livescript:alert(1)",
    "file:///etc/passwd",
    "ftp://example.com/",
]


@pytest.mark.parametrize("href", JAVASCRIPT_HREFS)
def test_dangerous_link_loses_href(href: str) -> None:
    assert elements(clean_html(f'<a href="{href}">x</a>')) == [("a", {})]


@pytest.mark.parametrize("src", [*JAVASCRIPT_HREFS, "mailto:a@example.com"])
def test_dangerous_image_loses_src(src: str) -> None:
    assert elements(clean_html(f'<img src="{src}" alt="x">')) == [("img", {"alt": "x"})]


def test_javascript_123_is_stripped() -> None:
    # bleach's own protocol check lets exactly this one through.
    assert clean_html('<a href="javascript:123">x</a>') == "<a>x</a>"


@pytest.mark.parametrize(
    "href",
    ["/wiki/home", "home", "#h-intro", "?q=1", "", "https://example.com/a?b=1", "mailto:a@b.c"],
)
def test_safe_link_keeps_href(href: str) -> None:
    [(tag, attrs)] = elements(clean_html(f'<a href="{href}">x</a>'))
    assert tag == "a"
    assert attrs["href"] == href


@pytest.mark.parametrize("src", ["/static/a.png", "a.png", "https://example.com/a.png"])
def test_safe_image_keeps_src(src: str) -> None:
    assert elements(clean_html(f'<img src="{src}">')) == [("img", {"src": src})]


@pytest.mark.parametrize(
    "href", ["http://example.com/", "https://example.com/", "//example.com/", "HTTPS://x.y/"]
)
def test_external_links_get_rel(href: str) -> None:
    [(_, attrs)] = elements(clean_html(f'<a href="{href}" rel="opener">x</a>'))
    assert attrs["rel"] == "nofollow ugc noopener"


def test_internal_links_get_no_rel_and_keep_only_known_rel_values() -> None:
    assert elements(clean_html('<a href="/a">x</a>')) == [("a", {"href": "/a"})]
    assert elements(clean_html('<a href="/a" rel="noopener">x</a>')) == [
        ("a", {"href": "/a", "rel": "noopener"})
    ]
    assert elements(clean_html('<a href="/a" rel="opener">x</a>')) == [("a", {"href": "/a"})]


def test_forbidden_attributes_are_dropped() -> None:
    html = (
        '<p id="csrf" name="config" style="color:red" data-x="1" hx-get="/admin"'
        ' data-hx-post="/x" onclick="alert(1)" onmouseover="alert(1)" class="x">t</p>'
        '<h2 id="top" name="n">h</h2>'
    )
    assert clean_html(html) == "<p>t</p><h2>h</h2>"


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        "<style>body{}</style>",
        "<svg onload=alert(1)><circle/></svg>",
        "<math><mi>x</mi></math>",
        "<form action=/x><button formaction=javascript:alert(1)>b</button></form>",
        "<iframe src=https://example.com></iframe>",
        "<object data=x></object>",
        "<embed src=x>",
        "<base href=https://evil.example/>",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "<link rel=stylesheet href=x>",
        "<template><img src=x onerror=alert(1)></template>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        "<textarea><img src=x onerror=alert(1)></textarea>",
    ],
)
def test_forbidden_elements_are_removed(markup: str) -> None:
    for tag, attrs in elements(clean_html(markup)):
        assert tag not in {
            "script",
            "style",
            "svg",
            "math",
            "form",
            "button",
            "iframe",
            "object",
            "embed",
            "base",
            "meta",
            "link",
            "template",
            "noscript",
            "textarea",
        }
        assert not any(name.startswith("on") for name in attrs)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>a<script><img src=x onerror=alert(1)></script>b</p>", "<p>ab</p>"),
        ("<p>a<style>p{color:red}</style>b</p>", "<p>ab</p>"),
        ("<script>if (a < b) alert(1)</script>after", "after"),
        (
            "<table><script>x</script><tr><td>1</td></tr></table>",
            "<table><tbody><tr><td>1</td></tr></tbody></table>",
        ),
    ],
)
def test_script_and_style_bodies_are_dropped(markup: str, expected: str) -> None:
    assert clean_html(markup) == expected


def test_comments_are_removed() -> None:
    assert clean_html("a<!-- secret --><!--[if IE]><script>x</script><![endif]-->b") == "ab"


def test_class_values_are_allow_listed() -> None:
    assert (
        clean_html('<a href="/p" class="wikilink">p</a>') == '<a href="/p" class="wikilink">p</a>'
    )
    assert clean_html('<a href="/p" class="wikilink btn-danger">p</a>') == '<a href="/p">p</a>'
    assert clean_html('<span class="wikilink">s</span>') == "<span>s</span>"
    assert clean_html('<li class="task-list-item">t</li>') == '<li class="task-list-item">t</li>'
    assert clean_html('<code class="language-python">c</code>') == (
        '<code class="language-python">c</code>'
    )
    assert clean_html('<code class="language-py x">c</code>') == "<code>c</code>"


def test_only_checkbox_inputs_survive() -> None:
    out = clean_html(
        '<input type="checkbox" checked disabled class="task-list-item-checkbox">'
        '<input type="text" value="x"><input><input type="hidden" name="csrf_token">'
        '<input type="image" src="x"><input type="checkbox" name="n" value="v" form="f">'
    )
    assert elements(out) == [
        (
            "input",
            {
                "type": "checkbox",
                "checked": None,
                "disabled": None,
                "class": "task-list-item-checkbox",
            },
        ),
        ("input", {"type": "checkbox"}),
    ]


def test_markdown_output_shapes_survive() -> None:
    html = (
        '<table><thead><tr><th class="text-right">a</th></tr></thead>'
        '<tbody><tr><td class="text-center">1</td></tr></tbody></table>'
        '<ol start="3"><li>x</li></ol>'
        '<img src="/a.png" alt="a" title="t" width="10" height="20">'
        "<details open><summary>s</summary><p>d</p></details>"
    )
    assert clean_html(html) == html


def test_dimensions_must_be_numbers() -> None:
    assert clean_html('<img src="/a.png" width="1;x" height="50%">') == '<img src="/a.png">'


def test_empty_input() -> None:
    assert clean_html("") == ""


def test_cleaner_is_safe_to_share_between_threads() -> None:
    doc = '<p>a <a href="https://x.example/" onclick="x">b</a><script>c</script></p>' * 10
    expected = clean_html(doc)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(clean_html, [doc] * 64))
    assert set(results) == {expected}
