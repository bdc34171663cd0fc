"""Tests for the three-way merge behind edit conflicts."""

import dataclasses
import random

import pytest

from wiki.pages.diffs import split_lines
from wiki.pages.merge import Conflict, MergeResult, merge3

# --- Ported from MediaWiki ------------------------------------------------------------------
#
# wikimedia/mediawiki, tests/phpunit/includes/editpage/EditPageTest.php, provideAutoMerge and
# testAutoMerge: the page is created with the base text, Adam saves his edit, then Berta saves
# hers against the same base revision. Adam's saved edit is "theirs", Berta's submission "ours".
# MediaWiki runs every case three times with Elmo, Adam or Berta as the base text's author; that
# only feeds its same-author conflict shortcut, and merge3 never sees authors, so each case is
# ported once.

SECTIONED = (
    "Intro\n\n"
    "== first section ==\n\n"
    "one\n\ntwo\n\nthree\n\n"
    "== second section ==\n\n"
    "four\n\nfive\n\nsix\n\n"
)

AUTO_MERGE = [
    pytest.param(
        "one\n\ntwo\n\nthree\n",
        "(one)\n\ntwo\n\nthree\n",  # Berta
        "ONE\n\ntwo\n\nthree\n",  # Adam
        None,  # MediaWiki expects AS_CONFLICT_DETECTED; the page keeps Adam's text
        id="EditPageTest-provideAutoMerge-0-plain-conflict",
    ),
    pytest.param(
        "one\n\ntwo\n\nthree\n",
        "one\n\ntwo\n\nTHREE\n",
        "ONE\n\ntwo\n\nthree\n",
        "ONE\n\ntwo\n\nTHREE\n",
        id="EditPageTest-provideAutoMerge-1-successful-merge",
    ),
    pytest.param(
        # Both edited section 1 only; EditPage puts each section back into the full text before
        # merging, so the port merges the full texts.
        SECTIONED,
        SECTIONED.replace("three", "THREE"),
        SECTIONED.replace("one", "ONE"),
        SECTIONED.replace("three", "THREE").replace("one", "ONE"),
        id="EditPageTest-provideAutoMerge-2-merge-in-section",
    ),
]


@pytest.mark.parametrize(("base", "ours", "theirs", "expected"), AUTO_MERGE)
def test_mediawiki_auto_merge(base, ours, theirs, expected):
    result = merge3(base, ours, theirs)

    assert result.text == expected
    assert result.conflict is (expected is None)


def test_mediawiki_plain_conflict_names_the_first_line():
    result = merge3("one\n\ntwo\n\nthree\n", "(one)\n\ntwo\n\nthree\n", "ONE\n\ntwo\n\nthree\n")

    assert result.conflicts == (Conflict(0, 0, 0, ("one\n",), ("(one)\n",), ("ONE\n",)),)


# wikimedia/mediawiki, tests/phpunit/includes/GlobalFunctions/GlobalTest.php, provideMerge and
# testMerge_worksWithLessParameters, which test wfMerge( $old, $mine, $yours ). $mine is the text
# saved while the user was editing ("theirs"); $yours is what the user submitted ("ours").
# wfMerge writes each text as rtrim( $text ) . "\n" before running diff3, so the port does too.


def _as_wfmerge_writes_it(text):
    """Return ``text`` the way wfMerge hands it to diff3."""
    return text.rstrip(" \t\n\r\0\x0b") + "\n"  # PHP rtrim()'s default characters


WF_MERGE = [
    pytest.param(
        "old1\n\nold2",
        "new1\n\nold2",
        "old1\n\nnew2",
        "new1\n\nnew2\n",
        id="GlobalTest-testMerge_worksWithLessParameters-successful",
    ),
    pytest.param(
        "old",
        "old and yours",
        "old and mine",
        None,
        id="GlobalTest-testMerge_worksWithLessParameters-conflicting",
    ),
    pytest.param(
        "one one one\n\ntwo two two",
        "one one one\n\ntwo two TWO TWO",
        "one one one ONE ONE\n\ntwo two two\n",
        "one one one ONE ONE\n\ntwo two TWO TWO\n",
        id="GlobalTest-provideMerge-0-clean-merge",
    ),
    pytest.param(
        "one one one",
        "one one one\n\ntwo two",
        "one one one ONE ONE\n\nbla bla\n\n",
        None,
        id="GlobalTest-provideMerge-1-conflict-fail",
    ),
]


@pytest.mark.parametrize(("old", "yours", "mine", "expected"), WF_MERGE)
def test_mediawiki_wfmerge(old, yours, mine, expected):
    result = merge3(
        _as_wfmerge_writes_it(old), _as_wfmerge_writes_it(yours), _as_wfmerge_writes_it(mine)
    )

    assert result.text == expected
    assert result.conflict is (expected is None)


def test_mediawiki_wfmerge_conflict_matches_diff3s_report():
    # GlobalTest expects diff3 --overlap-only to say "1,3c" followed by the user's three lines.
    result = merge3("one one one\n", "one one one\n\ntwo two\n", "one one one ONE ONE\n\nbla bla\n")

    assert result.conflicts == (
        Conflict(
            base_index=0,
            ours_index=0,
            theirs_index=0,
            base=("one one one\n",),
            ours=("one one one\n", "\n", "two two\n"),
            theirs=("one one one ONE ONE\n", "\n", "bla bla\n"),
        ),
    )


def test_a_final_newline_added_on_one_side_is_a_change_to_the_last_line():
    # GlobalTest's clean merge, without wfMerge's rtrim: "mine" ends the last line with a
    # newline, which byte for byte changes the line the user edited.
    result = merge3(
        "one one one\n\ntwo two two",
        "one one one\n\ntwo two TWO TWO",
        "one one one ONE ONE\n\ntwo two two\n",
    )

    assert result.conflicts == (
        Conflict(2, 2, 2, ("two two two",), ("two two TWO TWO",), ("two two two\n",)),
    )


# --- Shortcuts -------------------------------------------------------------------------------


def test_same_text_on_both_sides_is_taken():
    assert merge3("a\n", "b\n", "b\n") == MergeResult("b\n", conflict=False)


def test_theirs_unchanged_gives_ours():
    assert merge3("a\nb\n", "a\nB\n", "a\nb\n") == MergeResult("a\nB\n", conflict=False)


def test_ours_unchanged_gives_theirs():
    assert merge3("a\nb\n", "a\nb\n", "A\nb\n") == MergeResult("A\nb\n", conflict=False)


def test_all_three_equal():
    assert merge3("a\n", "a\n", "a\n") == MergeResult("a\n", conflict=False)


# --- Merging ---------------------------------------------------------------------------------

BASE = "a\nb\nc\nd\ne\nf\ng\n"


def test_edits_at_the_first_and_the_last_line_merge():
    result = merge3(BASE, "A\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\ne\nf\nG\n")

    assert result == MergeResult("A\nb\nc\nd\ne\nf\nG\n", conflict=False)


def test_edits_with_one_unchanged_line_between_merge():
    # GNU diff3 merges these too; only overlapping or touching changes conflict.
    assert merge3(BASE, "A\nb\nc\nd\ne\nf\ng\n", "a\nb\nC\nd\ne\nf\ng\n").text == (
        "A\nb\nC\nd\ne\nf\ng\n"
    )


def test_identical_changes_on_both_sides_are_taken_once():
    ours = "a\nB\nc\nd\ne\nF\ng\n"
    theirs = "a\nB\nc\nD\ne\nf\ng\n"

    assert merge3(BASE, ours, theirs).text == "a\nB\nc\nD\ne\nF\ng\n"


def test_identical_insertions_are_taken_once():
    ours = "a\nb\nnew\nc\nd\ne\nf\ng\nours\n"
    theirs = "a\nb\nnew\nc\nd\ne\nf\ng\n"

    assert merge3(BASE, ours, theirs).text == ours


def test_deletion_on_one_side_merges_with_an_edit_elsewhere():
    assert merge3(BASE, "a\nb\nc\nd\ne\nf\nG\n", "a\nc\nd\ne\nf\ng\n").text == (
        "a\nc\nd\ne\nf\nG\n"
    )


def test_deleting_everything_merges_with_nothing_else():
    assert merge3(BASE, "", BASE) == MergeResult("", conflict=False)


def test_insertions_at_the_top_and_the_bottom_merge():
    result = merge3(BASE, "top\n" + BASE, BASE + "bottom\n")

    assert result.text == "top\n" + BASE + "bottom\n"


# --- Conflicts -------------------------------------------------------------------------------


def test_different_insertions_at_the_same_point_conflict():
    result = merge3(BASE, "a\nb\nours\nc\nd\ne\nf\ng\n", "a\nb\ntheirs\nc\nd\ne\nf\ng\n")

    assert result == MergeResult(
        None,
        conflict=True,
        conflicts=(Conflict(2, 2, 2, (), ("ours\n",), ("theirs\n",)),),
    )


def test_deleting_a_line_the_other_side_edited_conflicts():
    result = merge3(BASE, "a\nb\nd\ne\nf\ng\n", "a\nb\nC\nd\ne\nf\ng\n")

    assert result.conflicts == (Conflict(2, 2, 2, ("c\n",), (), ("C\n",)),)


def test_changes_to_neighbouring_lines_conflict():
    # As in diff3: neither side saw the other's line when it edited its own.
    result = merge3(BASE, "a\nB\nc\nd\ne\nf\ng\n", "a\nb\nC\nd\ne\nf\ng\n")

    assert result.conflicts == (Conflict(1, 1, 1, ("b\n", "c\n"), ("B\n", "c\n"), ("b\n", "C\n")),)


def test_an_insertion_next_to_a_changed_line_conflicts():
    result = merge3(BASE, "a\nb\nnew\nc\nd\ne\nf\ng\n", "a\nB\nc\nd\ne\nf\ng\n")

    assert result.conflicts == (Conflict(1, 1, 1, ("b\n",), ("b\n", "new\n"), ("B\n",)),)


def test_every_conflict_is_reported_in_order_with_its_position():
    ours = "A1\nb\nc\nd\nnew\ne\nf\ng\n"
    theirs = "A2\nb\nc\nd\ne\nf\nG\n"
    result = merge3(BASE, ours, theirs)

    # Line e was not touched, so the insertion and the edit of g merge.
    assert result.conflicts == (Conflict(0, 0, 0, ("a\n",), ("A1\n",), ("A2\n",)),)

    ours = "A1\nb\nc\nd\ne\nf\nG1\n"
    theirs = "A2\nb\nX\nY\nd\ne\nf\nG2\n"
    result = merge3(BASE, ours, theirs)

    assert result.text is None
    assert result.conflicts == (
        Conflict(0, 0, 0, ("a\n",), ("A1\n",), ("A2\n",)),
        Conflict(6, 6, 7, ("g\n",), ("G1\n",), ("G2\n",)),
    )


def test_any_edit_conflicts_with_a_change_of_every_line_ending():
    # A browser sends a textarea with CRLF; if stored text uses LF, every line has changed.
    base = "a\nb\nc\nd\ne\n"
    result = merge3(base, base.replace("\n", "\r\n"), "a\nb\nc\nd\nE\n")

    assert result.conflict
    assert len(result.conflicts) == 1


# --- Text ----------------------------------------------------------------------------------


def test_a_missing_final_newline_is_kept():
    base = "a\nb\nc\nd\ne"

    assert merge3(base, "A\nb\nc\nd\ne", "a\nb\nc\nD\ne").text == "A\nb\nc\nD\ne"


def test_a_final_newline_is_kept():
    assert merge3(BASE, "A" + BASE[1:], BASE[:-2] + "G\n").text == "A\nb\nc\nd\ne\nf\nG\n"


def test_removing_the_final_newline_merges_with_an_edit_elsewhere():
    assert merge3(BASE, "A" + BASE[1:], BASE[:-1]).text == "A" + BASE[1:-1]


def test_crlf_text_is_kept_byte_for_byte():
    base = "a\r\nb\r\nc\r\nd\r\ne\r\n"

    result = merge3(base, "A\r\nb\r\nc\r\nd\r\ne\r\n", "a\r\nb\r\nc\r\nd\r\nE")

    assert result.text == "A\r\nb\r\nc\r\nd\r\nE"


def test_unicode_text_merges():
    base = "Grüße\n\nŁódź 🏕\n\nשלום\n\nx\u0301\n"
    ours = "Grüße!\n\nŁódź 🏕\n\nשלום\n\nx\u0301\n"
    theirs = "Grüße\n\nŁódź 🏕\n\nשלום\n\nx\u0301y\n"

    assert merge3(base, ours, theirs).text == "Grüße!\n\nŁódź 🏕\n\nשלום\n\nx\u0301y\n"


def test_unicode_line_separators_do_not_split_lines():
    # U+2028 and form feed end a line for str.splitlines, but not for diff3 or for us.
    base = "a\u2028b\nc\nd\ne\x0cf\n"

    assert merge3(base, "A\u2028b\nc\nd\ne\x0cf\n", "a\u2028b\nc\nd\nE\x0cf\n").text == (
        "A\u2028b\nc\nd\nE\x0cf\n"
    )


def test_empty_base_with_two_different_texts_conflicts():
    result = merge3("", "ours\n", "theirs\n")

    assert result.conflicts == (Conflict(0, 0, 0, (), ("ours\n",), ("theirs\n",)),)


def test_empty_base_with_one_side_still_empty():
    assert merge3("", "", "theirs\n").text == "theirs\n"
    assert merge3("", "ours\n", "").text == "ours\n"


def test_empty_everything():
    assert merge3("", "", "") == MergeResult("", conflict=False)


# --- The result ------------------------------------------------------------------------------


def test_result_cannot_be_changed():
    result = merge3("a\n", "b\n", "b\n")

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "c\n"


@pytest.mark.parametrize(
    ("text", "conflict", "conflicts"),
    [
        pytest.param(None, False, (), id="no-text-without-conflict"),
        pytest.param("a", True, (Conflict(0, 0, 0, (), (), ()),), id="text-with-conflict"),
        pytest.param(None, True, (), id="conflict-without-regions"),
    ],
)
def test_result_refuses_contradictions(text, conflict, conflicts):
    with pytest.raises(ValueError, match="a conflict has conflicts"):
        MergeResult(text, conflict=conflict, conflicts=conflicts)


# --- Properties over random edits ------------------------------------------------------------

WORDS = ["camp", "talk", "grid", "room", "slot", "tea", ""]


def _edit(rng, who, width):
    """Return a random replacement for ``width`` base lines, never empty for an insertion."""
    count = rng.randint(0 if width else 1, 3)
    return [f"{who} {k} {rng.random()}\n" for k in range(count)]


def _far_apart_case(rng):
    """Return a base and two edits of it whose changed lines are at least 2 lines apart."""
    size = rng.randint(10, 30)
    ending = rng.choice(["\n", "\r\n"])
    base = [f"line {i} {rng.choice(WORDS)}{ending}" for i in range(size)]
    editable = size
    if rng.random() < 0.2:
        # Keep edits off a last line without a newline: appending there would join lines.
        base[-1] = base[-1].rstrip("\r\n")
        editable -= 1
    first_width, second_width = rng.randint(0, 3), rng.randint(0, 3)
    first_lo = rng.randint(0, editable - first_width - second_width - 2)
    first_hi = first_lo + first_width
    second_lo = rng.randint(first_hi + 2, editable - second_width)
    second_hi = second_lo + second_width
    first, second = _edit(rng, "first", first_width), _edit(rng, "second", second_width)
    with_first = base[:first_lo] + first + base[first_hi:]
    with_second = base[:second_lo] + second + base[second_hi:]
    with_both = base[:first_lo] + first + base[first_hi:second_lo] + second + base[second_hi:]
    return "".join(base), "".join(with_first), "".join(with_second), "".join(with_both)


def test_far_apart_edits_always_merge_to_both():
    rng = random.Random(20240611)
    for _ in range(500):
        base, first, second, both = _far_apart_case(rng)
        if rng.random() < 0.5:
            first, second = second, first

        result = merge3(base, first, second)

        assert result == MergeResult(both, conflict=False), (base, first, second)
        assert merge3(base, second, first).text == result.text


def _random_edit(rng, lines):
    """Return ``lines`` with one to three random replacements, drawn from few distinct lines."""
    lines = list(lines)
    for _ in range(rng.randint(1, 3)):
        lo = rng.randint(0, len(lines))
        hi = rng.randint(lo, min(len(lines), lo + 2))
        lines[lo:hi] = rng.choices(["a\n", "b\n", "\n", "x\n", "y\n"], k=rng.randint(0, 2))
    return lines


def test_swapping_the_sides_swaps_ours_and_theirs_only():
    rng = random.Random(7)
    for _ in range(500):
        base_lines = rng.choices(["a\n", "b\n", "c\n", "\n"], k=rng.randint(0, 10))
        base = "".join(base_lines)
        ours = "".join(_random_edit(rng, base_lines))
        theirs = "".join(_random_edit(rng, base_lines))

        result = merge3(base, ours, theirs)
        swapped = merge3(base, theirs, ours)

        assert swapped.text == result.text, (base, ours, theirs)
        assert swapped.conflicts == tuple(
            Conflict(c.base_index, c.theirs_index, c.ours_index, c.base, c.theirs, c.ours)
            for c in result.conflicts
        )
        for c in result.conflicts:
            # Each region is where it says it is on every side.
            for text, index, lines in (
                (base, c.base_index, c.base),
                (ours, c.ours_index, c.ours),
                (theirs, c.theirs_index, c.theirs),
            ):
                assert tuple(split_lines(text)[index : index + len(lines)]) == lines
