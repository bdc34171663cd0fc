"""Tests for the line and word diffs shown between revisions."""

import random
import re

import pytest

from wiki.pages.diffs import (
    Hunk,
    Row,
    Segment,
    diff_lines,
    render_unified,
    size_change,
    split_lines,
)

LETTERS = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"


# --- split_lines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("a", ["a"], id="no-newline"),
        pytest.param("a\n", ["a\n"], id="newline"),
        pytest.param("\n\n", ["\n", "\n"], id="blank-lines"),
        pytest.param("a\r\nb", ["a\r\n", "b"], id="crlf"),
        pytest.param("a\rb\u2028c\x0cd\x85e\n", ["a\rb\u2028c\x0cd\x85e\n"], id="not-newlines"),
    ],
)
def test_split_lines(text, lines):
    assert split_lines(text) == lines
    assert "".join(lines) == text


# --- diff_lines ------------------------------------------------------------------------------


def test_identical_texts_have_no_hunks():
    assert diff_lines(LETTERS, LETTERS) == []
    assert diff_lines("", "") == []


def test_one_changed_line_in_full():
    old = "a\nb\nThe quick brown fox.\nd\n"
    new = "a\nb\nThe slow brown dog!\nd\n"

    assert diff_lines(old, new, context=1) == [
        Hunk(
            old_start=2,
            old_count=3,
            new_start=2,
            new_count=3,
            rows=(
                Row("context", 2, 2, "b", "b"),
                Row(
                    "change",
                    3,
                    3,
                    "The quick brown fox.",
                    "The slow brown dog!",
                    (
                        Segment("The ", False),
                        Segment("quick", True),
                        Segment(" brown ", False),
                        Segment("fox.", True),
                    ),
                    (
                        Segment("The ", False),
                        Segment("slow", True),
                        Segment(" brown ", False),
                        Segment("dog!", True),
                    ),
                ),
                Row("context", 4, 4, "d", "d"),
            ),
        )
    ]


def test_empty_old_text_is_all_insertions():
    assert diff_lines("", "x\ny") == [
        Hunk(
            old_start=0,
            old_count=0,
            new_start=1,
            new_count=2,
            rows=(Row("insert", None, 1, None, "x"), Row("insert", None, 2, None, "y")),
        )
    ]


def test_empty_new_text_is_all_deletions():
    (hunk,) = diff_lines("x\ny\n", "")

    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (1, 2, 0, 0)
    assert [row.kind for row in hunk.rows] == ["delete", "delete"]


def test_uneven_replacement_pairs_lines_in_order():
    (hunk,) = diff_lines("a\nold one\nold two\nz\n", "a\nnew one\nnew two\nnew three\nz\n", 0)

    assert [(row.kind, row.old_no, row.new_no) for row in hunk.rows] == [
        ("change", 2, 2),
        ("change", 3, 3),
        ("insert", None, 4),
    ]


def test_unrelated_lines_are_changed_throughout():
    (hunk,) = diff_lines("hello\n", "goodbye\n")

    assert hunk.rows == (
        Row(
            "change",
            1,
            1,
            "hello",
            "goodbye",
            (Segment("hello", True),),
            (Segment("goodbye", True),),
        ),
    )


def test_a_blank_line_has_no_segments():
    (hunk,) = diff_lines("\n", "text\n")

    assert hunk.rows == (Row("change", 1, 1, "", "text", (), (Segment("text", True),)),)


def test_space_between_changed_words_is_changed_too():
    (hunk,) = diff_lines("the cat sat\n", "a dog sat\n")

    assert hunk.rows[0].old_segments == (Segment("the cat", True), Segment(" sat", False))
    assert hunk.rows[0].new_segments == (Segment("a dog", True), Segment(" sat", False))


def test_unicode_words_are_compared_whole():
    (hunk,) = diff_lines("Grüße aus Köln 🏕\n", "Grüße aus Łódź 🏕\n")

    assert hunk.rows[0].new_segments == (
        Segment("Grüße aus ", False),
        Segment("Łódź", True),
        Segment(" 🏕", False),
    )


def test_lines_are_shown_without_line_endings():
    (hunk,) = diff_lines("a\r\nb\r\n", "a\r\nB\r\n")

    assert hunk.rows[0] == Row("context", 1, 1, "a", "a")
    assert hunk.rows[1].new_text == "B"


def test_a_changed_line_ending_alone_is_a_change_with_equal_texts():
    (hunk,) = diff_lines("a\nb", "a\nb\n")

    assert hunk.rows[-1] == Row(
        "change", 2, 2, "b", "b", (Segment("b", False),), (Segment("b", False),)
    )


def test_far_apart_changes_make_separate_hunks():
    new = LETTERS.replace("b\n", "B\n").replace("l\n", "L\n")

    hunks = diff_lines(LETTERS, new, context=2)

    assert [(h.old_start, h.old_count, h.new_start, h.new_count) for h in hunks] == [
        (1, 4, 1, 4),
        (10, 4, 10, 4),
    ]
    assert [row.kind for row in hunks[0].rows] == ["context", "change", "context", "context"]


def test_close_changes_share_a_hunk():
    # Four unchanged lines between the changes: no more than twice the context of 2.
    new = LETTERS.replace("b\n", "B\n").replace("g\n", "G\n")

    (hunk,) = diff_lines(LETTERS, new, context=2)

    assert [row.old_no for row in hunk.rows] == list(range(1, 10))


def test_no_context():
    new = LETTERS.replace("b\n", "B\n").replace("d\n", "")

    hunks = diff_lines(LETTERS, new, context=0)

    assert [[row.kind for row in hunk.rows] for hunk in hunks] == [["change"], ["delete"]]
    assert (hunks[1].old_start, hunks[1].old_count, hunks[1].new_start, hunks[1].new_count) == (
        4,
        1,
        3,
        0,
    )


def test_negative_context_is_refused():
    with pytest.raises(ValueError, match="context"):
        diff_lines("a\n", "b\n", context=-1)


def test_a_large_page_with_a_few_changes():
    # A 5,000-line page, half of it blank lines: too big to match exactly, so this exercises
    # the autojunk path that keeps it fast.
    rng = random.Random(3)
    words = ["camp", "talk", "grid", "room", "slot", "tea", "coffee", "wifi"]
    old_lines = ["\n" if i % 2 else " ".join(rng.choices(words, k=8)) + "\n" for i in range(5000)]
    new_lines = list(old_lines)
    for i in (10, 1500, 2600, 4990):
        new_lines[i] = f"changed line {i}\n"
    new_lines.insert(3001, "inserted\n")

    hunks = diff_lines("".join(old_lines), "".join(new_lines))

    changed = [
        (row.kind, row.old_no, row.new_no)
        for hunk in hunks
        for row in hunk.rows
        if row.kind != "context"
    ]
    assert changed == [
        ("change", 11, 11),
        ("change", 1501, 1501),
        ("change", 2601, 2601),
        ("insert", None, 3002),
        ("change", 4991, 4992),
    ]


def test_a_long_paragraph_with_a_few_changed_words():
    rng = random.Random(4)
    old = " ".join(rng.choices(["camp", "talk", "grid", "room", "slot"], k=3000)) + "\n"
    new = old.replace("grid", "GRID", 3)

    (hunk,) = diff_lines(old, new)

    assert [s.text for s in hunk.rows[0].new_segments if s.changed] == ["GRID"] * 3


def _lines_without_endings(text):
    return [line.removesuffix("\n").removesuffix("\r") for line in split_lines(text)]


def test_rows_account_for_every_line_of_random_texts():
    rng = random.Random(11)
    pool = ["a", "b", "c", "", "a b", "b c d", "x, y", "ü ß"]
    for _ in range(300):
        old = "".join(line + rng.choice(["\n", "\r\n"]) for line in rng.choices(pool, k=8))
        new = "".join(f"{line}\n" for line in rng.choices(pool, k=rng.randint(0, 10)))
        if rng.random() < 0.3:
            new = new.rstrip("\n")

        hunks = diff_lines(old, new, context=100)

        if old == new:
            assert hunks == []
            continue
        (hunk,) = hunks
        assert [r.old_text for r in hunk.rows if r.old_no] == _lines_without_endings(old)
        assert [r.new_text for r in hunk.rows if r.new_no] == _lines_without_endings(new)
        assert [r.old_no for r in hunk.rows if r.old_no] == list(range(1, hunk.old_count + 1))
        assert [r.new_no for r in hunk.rows if r.new_no] == list(range(1, hunk.new_count + 1))
        for row in hunk.rows:
            if row.kind == "change":
                assert "".join(s.text for s in row.old_segments) == row.old_text
                assert "".join(s.text for s in row.new_segments) == row.new_text
            else:
                assert row.old_segments == row.new_segments == ()


def test_hunk_numbers_match_the_unified_diff():
    rng = random.Random(12)
    for _ in range(200):
        old_lines = rng.choices(["a\n", "b\n", "c\n", "d\n", "\n"], k=rng.randint(0, 30))
        new_lines = list(old_lines)
        for _ in range(rng.randint(1, 3)):
            lo = rng.randint(0, len(new_lines))
            new_lines[lo : lo + rng.randint(0, 2)] = rng.choices(
                ["x\n", "y\n"], k=rng.randint(0, 2)
            )
        old, new = "".join(old_lines), "".join(new_lines)
        context = rng.randint(0, 3)

        headers = re.findall(
            r"^@@ -(\d+),?(\d*) \+(\d+),?(\d*) @@$",
            render_unified(old, new, "a", "b", context),
            re.M,
        )

        assert [
            (h.old_start, h.old_count, h.new_start, h.new_count)
            for h in diff_lines(old, new, context)
        ] == [(int(a), int(b or 1), int(c), int(d or 1)) for a, b, c, d in headers]


# --- size_change -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        pytest.param("", "", 0, id="empty"),
        pytest.param("abc", "abcd", 1, id="ascii"),
        pytest.param("abcd", "abc", -1, id="shorter"),
        pytest.param("e", "é", 1, id="two-bytes"),
        pytest.param("", "€", 3, id="three-bytes"),
        pytest.param("", "🏕", 4, id="four-bytes"),
        pytest.param("a\n", "a\r\n", 1, id="crlf"),
        pytest.param("", "\ud800", 3, id="lone-surrogate"),
    ],
)
def test_size_change(old, new, change):
    assert size_change(old, new) == change


# --- render_unified --------------------------------------------------------------------------


def test_unified_diff():
    assert render_unified("a\nb\nc\n", "a\nB\nc\n", "Page (rev 1)", "Page (rev 2)") == (
        "--- Page (rev 1)\n+++ Page (rev 2)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    )


def test_unified_diff_marks_a_missing_final_newline():
    assert render_unified("a\nb", "a\nb\n", "old", "new") == (
        "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    )


def test_unified_diff_of_identical_texts_is_empty():
    assert render_unified("a\n", "a\n", "old", "new") == ""


def test_unified_diff_keeps_crlf():
    assert render_unified("a\r\n", "b\r\n", "old", "new").endswith("-a\r\n+b\r\n")
