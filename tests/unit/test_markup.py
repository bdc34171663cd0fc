"""Unit tests for wiki.pages.markup: Markdown features, wiki links, anchors, tasks, slugs."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from wiki.pages.markup import (
    TASK_LINE_RE,
    Heading,
    Rendered,
    render_markdown,
    slugify,
    task_labels,
    toggle_task,
)

EXISTING = {"home", "schedule", "page-name"}


def render(text: str, existing: set[str] = EXISTING) -> Rendered:
    """Render with a fake page store holding the given slugs."""
    return render_markdown(
        text,
        page_exists=existing.__contains__,
        page_url=lambda slug: f"/wiki/{slug}",
        new_page_url=lambda title: f"/wiki/new?title={quote(title)}",
    )


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str, tag: str) -> list[dict[str, str | None]]:
    """Return the attributes of every <tag> element, in document order."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return [attrs for name, attrs in parser.found if name == tag]


def checkboxes(html: str) -> list[bool]:
    """Return the checked state of every checkbox, in document order."""
    return ["checked" in attrs for attrs in elements(html, "input")]


# --- Markdown features --------------------------------------------------------------------


def test_table_alignment_uses_classes_not_style() -> None:
    html = render("| a | b | c |\n|:--|--:|:-:|\n| 1 | 2 | 3 |\n").html
    assert [a.get("class") for a in elements(html, "th")] == [
        "text-left",
        "text-right",
        "text-center",
    ]
    assert [a.get("class") for a in elements(html, "td")] == [
        "text-left",
        "text-right",
        "text-center",
    ]
    assert "style" not in html


def test_strikethrough() -> None:
    assert render("~~gone~~").html == "<p><s>gone</s></p>\n"


def test_raw_html_is_shown_as_text() -> None:
    html = render('<b onclick="x">bold</b>\n\n<div>block</div>').html
    assert "<b" not in html and "<div" not in html
    assert "&lt;b onclick=&quot;x&quot;&gt;bold&lt;/b&gt;" in html


def test_task_list_renders_checkboxes_in_order() -> None:
    rendered = render("- [ ] open\n- [x] done\n- [X] also done\n- not a task\n")
    assert checkboxes(rendered.html) == [False, True, True]
    assert rendered.task_count == 3
    assert elements(rendered.html, "ul") == [{"class": "contains-task-list"}]
    assert [a.get("class") for a in elements(rendered.html, "li")] == [
        "task-list-item",
        "task-list-item",
        "task-list-item",
        None,
    ]
    # Enabled, so that they can be made tickable; all other input attributes are gone.
    assert all("disabled" not in a for a in elements(rendered.html, "input"))


@pytest.mark.parametrize("gap", ["\t", "\n  "])
def test_task_marker_followed_by_other_whitespace_still_gets_a_checkbox(gap: str) -> None:
    rendered = render(f"- [x]{gap}item\n")
    assert checkboxes(rendered.html) == [True]
    assert rendered.task_count == 1


def test_no_tasks() -> None:
    rendered = render("- [ ]\n- [] x\n- [y] z\n\npara\n\n    - [ ] code\n\n[ ] plain\n")
    assert rendered.task_count == 0
    assert "<input" not in rendered.html


def test_footnotes_get_prefixed_ids_and_matching_links() -> None:
    html = render("One[^a] two[^b] again[^a].\n\n[^a]: First.\n[^b]: Second.\n").html
    refs = elements(html, "a")
    assert [(a["href"], a.get("id")) for a in refs if a.get("class") is None] == [
        ("#fn-1", "fn-ref-1"),
        ("#fn-2", "fn-ref-2"),
        ("#fn-1", "fn-ref-1-1"),
    ]
    assert [a["href"] for a in refs if a.get("class") == "footnote-backref"] == [
        "#fn-ref-1",
        "#fn-ref-1-1",
        "#fn-ref-2",
    ]
    assert elements(html, "li") == [
        {"class": "footnote-item", "id": "fn-1"},
        {"class": "footnote-item", "id": "fn-2"},
    ]
    assert elements(html, "section") == [{"class": "footnotes"}]


def test_inline_footnote() -> None:
    html = render("Text^[an aside].").html
    assert elements(html, "li") == [{"class": "footnote-item", "id": "fn-1"}]
    assert "an aside" in html


def test_footnote_inside_link_text_does_not_nest_links() -> None:
    html = render("[see^[aside]](https://example.com/) then[^n]\n\n[^n]: note\n").html
    assert '<a href="https://example.com/" rel="nofollow ugc noopener">see<sup' in html
    assert '<sup class="footnote-ref">[1]</sup></a>' in html
    # The other references still get their ids.
    assert '<a href="#fn-2" id="fn-ref-2">[2]</a>' in html


def test_headings_get_prefixed_unique_anchors() -> None:
    rendered = render("# Intro\n\n## Intro\n\n### `code` *and* more\n\nIntro\n-----\n")
    assert rendered.headings == (
        Heading(level=1, text="Intro", anchor="h-intro"),
        Heading(level=2, text="Intro", anchor="h-intro-2"),
        Heading(level=3, text="code and more", anchor="h-code-and-more"),
        Heading(level=2, text="Intro", anchor="h-intro-3"),
    )
    ids = re.findall(r'<h([1-6]) id="([^"]+)">', rendered.html)
    assert ids == [
        ("1", "h-intro"),
        ("2", "h-intro-2"),
        ("3", "h-code-and-more"),
        ("2", "h-intro-3"),
    ]


def test_only_our_ids_appear() -> None:
    html = render(
        '# Title\n\n<a id="csrf_token" name="x">x</a> {#custom}\n\nText[^1]\n\n[^1]: n\n'
    ).html
    ids = re.findall(r'\bid="([^"]*)"', html)
    assert ids == ["h-title", "fn-ref-1", "fn-1"]
    parser = _Elements()
    parser.feed(html)
    assert not [attrs for _, attrs in parser.found if "name" in attrs]


def test_toc_needs_three_headings() -> None:
    assert render("# One\n\n## Two\n").toc_html == ""
    toc = render("# One\n\n## Two\n\n### Three\n\n## Four\n\n# Five\n").toc_html
    assert toc == (
        '<nav class="toc" aria-label="Contents"><ol>'
        '<li><a href="#h-one">One</a><ol>'
        '<li><a href="#h-two">Two</a><ol><li><a href="#h-three">Three</a></li></ol></li>'
        '<li><a href="#h-four">Four</a></li>'
        "</ol></li>"
        '<li><a href="#h-five">Five</a></li>'
        "</ol></nav>"
    )


def test_toc_handles_skipped_and_shallower_levels() -> None:
    toc = render("## A\n\n#### B\n\n### C\n\n# D\n").toc_html
    assert toc == (
        '<nav class="toc" aria-label="Contents"><ol>'
        '<li><a href="#h-a">A</a><ol><li><a href="#h-b">B</a></li>'
        '<li><a href="#h-c">C</a></li></ol></li>'
        '<li><a href="#h-d">D</a></li>'
        "</ol></nav>"
    )


def test_toc_text_is_escaped() -> None:
    toc = render("# a <b> & c\n\n# two\n\n# three\n").toc_html
    assert '<a href="#h-a-b-c">a &lt;b&gt; &amp; c</a>' in toc


# --- wiki links ---------------------------------------------------------------------------


def test_wikilink_to_existing_page() -> None:
    rendered = render("See [[Home]].")
    assert rendered.html == '<p>See <a class="wikilink" href="/wiki/home">Home</a>.</p>\n'
    assert rendered.links == frozenset({"home"})


def test_wikilink_to_missing_page_is_a_red_link() -> None:
    html = render("See [[Party Plans]].").html
    assert elements(html, "a") == [
        {
            "class": "wikilink-new",
            "href": "/wiki/new?title=Party%20Plans",
            "title": "Create this page",
        }
    ]
    assert ">Party Plans</a>" in html


def test_wikilink_label_form() -> None:
    rendered = render("[[  Page   Name | the label ]] and [[Nope|<b>x</b>]]")
    assert '<a class="wikilink" href="/wiki/page-name">the label</a>' in rendered.html
    assert "&lt;b&gt;x&lt;/b&gt;</a>" in rendered.html
    assert rendered.links == frozenset({"page-name", "nope"})


def test_wikilinks_are_not_parsed_in_code() -> None:
    rendered = render("`[[Home]]`\n\n```\n[[Schedule]]\n```\n\n    [[Other]]\n")
    assert "<a" not in rendered.html
    assert rendered.links == frozenset()
    assert "<code>[[Home]]</code>" in rendered.html


def test_wikilink_inside_markdown_link_text_does_not_nest() -> None:
    html = render("[see [[Home]]](https://example.com/)").html
    assert len(elements(html, "a")) == 1


def test_links_collect_every_target_and_look_each_up_once() -> None:
    asked: list[str] = []

    def exists(slug: str) -> bool:
        asked.append(slug)
        return slug == "home"

    rendered = render_markdown(
        "[[Home]] [[home]] [[Schedule|when]]\n\n# [[New Page]]\n\n- [[Home]]",
        page_exists=exists,
        page_url=lambda slug: f"/wiki/{slug}",
        new_page_url=lambda title: "/wiki/new",
    )
    assert rendered.links == frozenset({"home", "schedule", "new-page"})
    assert sorted(asked) == ["home", "new-page", "schedule"]


@pytest.mark.parametrize("text", ["[[]]", "[[ ]]", "[[a\nb]]", "[[a]b]]", "[[|label]]"])
def test_not_wikilinks(text: str) -> None:
    assert render(text).links == frozenset()


def test_markdown_javascript_link_is_not_a_link() -> None:
    html = render(
        "[x](javascript:alert(1))\n\n<javascript:alert(1)>\n\n[y]: javascript:1\n[y]"
    ).html
    assert "<a" not in html


# --- toggle_task --------------------------------------------------------------------------

TASKS = """\
# Todo

- [ ] first
- [x] second
  1. [ ] nested

```md
- [ ] fenced, not a task
```

    - [ ] indented code, not a task

> - [X] quoted
"""


def test_toggle_task_flips_the_right_item() -> None:
    assert render(TASKS).task_count == 4
    assert toggle_task(TASKS, 0, True) == TASKS.replace("- [ ] first", "- [x] first")
    assert toggle_task(TASKS, 1, False) == TASKS.replace("- [x] second", "- [ ] second")
    assert toggle_task(TASKS, 2, True) == TASKS.replace("1. [ ] nested", "1. [x] nested")
    assert toggle_task(TASKS, 3, False) == TASKS.replace("> - [X] quoted", "> - [ ] quoted")


def test_toggle_task_is_idempotent() -> None:
    assert toggle_task(TASKS, 0, False) == TASKS
    assert toggle_task(TASKS, 3, True) == TASKS


@pytest.mark.parametrize("index", [4, 99, -1])
def test_toggle_task_out_of_range(index: int) -> None:
    with pytest.raises(IndexError):
        toggle_task(TASKS, index, True)


def test_toggle_task_keeps_crlf() -> None:
    text = "intro\r\n\r\n- [ ] a\r\n- [ ] b\r\n"
    assert toggle_task(text, 1, True) == "intro\r\n\r\n- [ ] a\r\n- [x] b\r\n"


def test_toggle_task_index_follows_rendered_order() -> None:
    # Footnotes render at the end, whatever their place in the source: the index is the
    # checkbox's position in the HTML, and every index must flip exactly that checkbox.
    text = (
        "Note[^n]\n\n[^n]: - [ ] in footnote\n    - [x] second in footnote\n\n"
        "- [ ] main [[Home]] `[ ]`\n\n[^unused]: - [ ] never rendered\n"
    )
    before = checkboxes(render(text).html)
    assert before == [False, False, True]
    for index, state in enumerate(before):
        after = checkboxes(render(toggle_task(text, index, not state)).html)
        assert after == [not s if i == index else s for i, s in enumerate(before)]


def test_task_labels_follow_toggle_order() -> None:
    assert task_labels(TASKS) == ["first", "second", "nested", "quoted"]
    text = "Note[^n]\n\n[^n]: - [ ] in *footnote*\n\n- [ ] main [[Home|home page]] `code`\n"
    assert task_labels(text) == ["main home page code", "in footnote"]


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("- [ ] first", "first"),
        ("  * [x] done", "done"),
        ("12. [X] numbered", "numbered"),
        ("> > + [ ] quoted", "quoted"),
        ("- [ ]", ""),
    ],
)
def test_task_line_re(line: str, label: str) -> None:
    assert TASK_LINE_RE.match(line)
    assert TASK_LINE_RE.sub("", line) == label


@pytest.mark.parametrize("line", ["[ ] no list", "- [] x", "- [y] x", "-[ ] x", "- [ ]x"])
def test_task_line_re_rejects(line: str) -> None:
    assert not TASK_LINE_RE.match(line)


# --- slugify ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  Lots   of -- space  ", "lots-of-space"),
        ("snake_case/and.dots", "snake-case-and-dots"),
        ("Ünïcödé Straße", "ünïcödé-straße"),
        ("Cafe\u0301", "café"),  # decomposed and composed accents give one slug
        ("日本語のページ", "日本語のページ"),
        ("हिन्दी पृष्ठ", "हिन्दी-पृष्ठ"),
        ("Room 101", "room-101"),
        ("ﬁle №1", "file-no1"),
        ("", "page"),
        ("   ", "page"),
        ("!!! ???", "page"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_is_at_most_80_chars_and_never_ends_in_a_hyphen() -> None:
    assert slugify("a" * 200) == "a" * 80
    assert slugify("a" * 79 + " b") == "a" * 79


def test_render_is_safe_to_share_between_threads() -> None:
    doc = TASKS + "\n[[Home]] [[Nowhere]] x[^1]\n\n[^1]: note\n\n| a |\n|--:|\n| 1 |\n"
    expected = render(doc)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render, [doc] * 100))
    assert set(results) == {expected}


# --- toggle_task with the ticker's name ---------------------------------------------------


def test_ticking_signs_the_task_and_unticking_takes_the_name_off() -> None:
    text = "- [ ] Book the venue\n- [ ] Plan toilets\n"
    ticked = toggle_task(text, 1, True, by="Priya")
    assert ticked == "- [ ] Book the venue\n- [x] Plan toilets — ticked by Priya\n"
    assert task_labels(ticked)[1] == "Plan toilets — ticked by Priya"
    assert toggle_task(ticked, 1, False, by="Sam") == text
    assert toggle_task(ticked, 1, True, by="Sam") == ticked  # already ticked: Priya's it stays


def test_the_name_goes_at_the_end_of_a_task_over_several_lines() -> None:
    text = "- [ ] Book the venue,\n  the big one\n- [ ] b\r\n"
    assert toggle_task(text, 0, True, by="Ana") == (
        "- [x] Book the venue,\n  the big one — ticked by Ana\n- [ ] b\r\n"
    )
    assert toggle_task(TASKS, 3, False, by="Ana") == TASKS.replace("> - [X]", "> - [ ]")
    assert toggle_task("1. [ ] one  \n", 0, True, by="Ana") == "1. [x] one — ticked by Ana\n"


def test_a_name_is_text_never_markup() -> None:
    name = "*Bo* [[Home]] <b>&amp;</b> | ~x~"
    ticked = toggle_task("- [ ] Tent\n", 0, True, by=name)
    assert task_labels(ticked) == [f"Tent — ticked by {name}"]
    html = render(ticked).html
    assert "<em>" not in html and "<b>" not in html and "wikilink" not in html
