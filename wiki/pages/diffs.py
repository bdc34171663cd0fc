"""Line and word diffs between two revisions, as plain data for the diff templates."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, NamedTuple

Opcode = tuple[str, int, int, int, int]
RowKind = Literal["context", "delete", "insert", "change"]

# difflib's autojunk heuristic ignores items that fill more than 1% of a sequence of 200 or
# more: blank lines in a wiki page, spaces in a paragraph. That keeps matching near linear;
# without it, 5,000 lines with many blank ones take seconds. Below this size, after the common
# head and tail are cut off, the exact match is cheap, and it aligns runs of blank lines better.
EXACT_MATCH_LIMIT = 400

# Every character falls into one of the three alternatives, so the tokens rejoin to the line.
WORD = re.compile(r"\w+|\s+|[^\w\s]")


class Segment(NamedTuple):
    """A run of a changed line; ``changed`` marks the words to wrap in <del> or <ins>."""

    text: str
    changed: bool


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a hunk.

    ``old_no`` and ``new_no`` are 1-based line numbers, None on the side the line is absent
    from. ``old_text`` and ``new_text`` carry the line without its line ending. Only "change"
    rows have segments, and a blank line has none; a "change" row whose texts are equal differs
    in its line ending alone.
    """

    kind: RowKind
    old_no: int | None
    new_no: int | None
    old_text: str | None
    new_text: str | None
    old_segments: tuple[Segment, ...] = ()
    new_segments: tuple[Segment, ...] = ()


@dataclass(frozen=True, slots=True)
class Hunk:
    """A run of changed lines with their context, numbered like a unified diff's @@ line.

    ``old_start`` is the 1-based number of the hunk's first old line; when the hunk has no old
    lines it is the number of the line they were inserted after (0 at the top), as in
    ``diff -u``. The same holds for ``new_start``.
    """

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    rows: tuple[Row, ...]


def split_lines(text: str) -> list[str]:
    """Split ``text`` after each newline, keeping the endings so the lines rejoin exactly."""
    # Not str.splitlines: it also breaks at a lone \r, \f, \x85, \u2028 and more, where diff3,
    # patch and git see no line break; our line numbers should match theirs.
    lines = text.split("\n")
    last = lines.pop()
    split = [line + "\n" for line in lines]
    if last:
        split.append(last)
    return split


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """Return difflib opcodes turning ``a`` into ``b``, matching exactly when that is cheap."""
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    # Most edits touch one spot, so cutting the common head and tail leaves little to match.
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    limit -= head
    while tail < limit and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a = a[head : len(a) - tail]
    mid_b = b[head : len(b) - tail]
    exact = max(len(mid_a), len(mid_b)) <= EXACT_MATCH_LIMIT
    matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=not exact)
    # The cut leaves neither middle starting or ending with a match, so no equal runs abut.
    codes: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    codes.extend(
        (tag, head + i1, head + i2, head + j1, head + j2)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    )
    if tail:
        codes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return codes


def diff_lines(old: str, new: str, context: int = 3) -> list[Hunk]:
    """Return the hunks that turn ``old`` into ``new``, each with ``context`` lines around it."""
    if context < 0:
        raise ValueError("context must not be negative")
    if old == new:
        return []
    old_lines = split_lines(old)
    new_lines = split_lines(new)
    return [
        _hunk(group, old_lines, new_lines)
        for group in _grouped(opcodes(old_lines, new_lines), context)
    ]


def size_change(old: str, new: str) -> int:
    """Return how many UTF-8 bytes ``new`` has more than ``old`` (negative when fewer)."""
    # surrogatepass: a stray surrogate from a broken client must not turn a size into an error.
    return len(new.encode("utf-8", "surrogatepass")) - len(old.encode("utf-8", "surrogatepass"))


def render_unified(old: str, new: str, fromfile: str, tofile: str, context: int = 3) -> str:
    """Return a unified diff of ``old`` and ``new`` for the raw diff download."""
    # The format of difflib.unified_diff, but built on the hunks diff_lines shows: difflib's own
    # matching can align repeated lines differently, and the download should match the page.
    if context < 0:
        raise ValueError("context must not be negative")
    if old == new:
        return ""
    old_lines = split_lines(old)
    new_lines = split_lines(new)
    out = [f"--- {fromfile}\n", f"+++ {tofile}\n"]
    for group in _grouped(opcodes(old_lines, new_lines), context):
        old_start, old_count = _span(group[0][1], group[-1][2])
        new_start, new_count = _span(group[0][3], group[-1][4])
        out.append(f"@@ -{_range(old_start, old_count)} +{_range(new_start, new_count)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_marked(" ", old_lines[i1:i2]))
            else:
                out.extend(_marked("-", old_lines[i1:i2]))
                out.extend(_marked("+", new_lines[j1:j2]))
    return "".join(out)


def _grouped(codes: list[Opcode], context: int) -> Iterator[list[Opcode]]:
    """Yield the opcodes of each hunk, trimming equal runs to ``context`` lines."""
    current: list[Opcode] = []
    last = len(codes) - 1
    for index, code in enumerate(codes):
        tag, i1, i2, j1, j2 = code
        if tag != "equal":
            current.append(code)
            continue
        size = i2 - i1
        if 0 < index < last and size <= 2 * context:
            # Changes this close share one hunk rather than repeat the lines between them.
            current.append(code)
            continue
        after = min(size, context) if index > 0 else 0
        before = min(size, context) if index < last else 0
        if after:
            current.append(("equal", i1, i1 + after, j1, j1 + after))
        if current:
            yield current
        current = [("equal", i2 - before, i2, j2 - before, j2)] if before else []
    if any(code[0] != "equal" for code in current):
        yield current


def _hunk(group: list[Opcode], old_lines: list[str], new_lines: list[str]) -> Hunk:
    """Build the hunk for one group of opcodes."""
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            rows.extend(
                Row("context", i + 1, j + 1, _text(old_lines[i]), _text(new_lines[j]))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        # A replace pairs old and new lines in order; the longer side's extra lines stand alone.
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            rows.append(_change(i1 + k, j1 + k, old_lines, new_lines))
        rows.extend(
            Row("delete", i + 1, None, _text(old_lines[i]), None) for i in range(i1 + paired, i2)
        )
        rows.extend(
            Row("insert", None, j + 1, None, _text(new_lines[j])) for j in range(j1 + paired, j2)
        )
    old_start, old_count = _span(group[0][1], group[-1][2])
    new_start, new_count = _span(group[0][3], group[-1][4])
    return Hunk(old_start, old_count, new_start, new_count, tuple(rows))


def _span(lo: int, hi: int) -> tuple[int, int]:
    """Return the 1-based start and the count of lines [lo, hi) as a unified diff gives them."""
    # An empty span names the line it follows, 0 at the top.
    return (lo + 1 if hi > lo else lo), hi - lo


def _range(start: int, count: int) -> str:
    """Return a unified diff's range, leaving out a count of 1 as diff -u does."""
    return str(start) if count == 1 else f"{start},{count}"


def _marked(mark: str, lines: list[str]) -> Iterator[str]:
    """Yield ``lines`` marked for a unified diff."""
    for line in lines:
        yield mark + line
        if not line.endswith("\n"):
            # diff -u's marker, so the patch still applies with patch(1) and git apply.
            yield "\n\\ No newline at end of file\n"


def _change(i: int, j: int, old_lines: list[str], new_lines: list[str]) -> Row:
    """Return the change row pairing an old and a new line, with their words compared."""
    old_text, new_text = _text(old_lines[i]), _text(new_lines[j])
    old_words, new_words = WORD.findall(old_text), WORD.findall(new_text)
    codes = _coalesced(opcodes(old_words, new_words), old_words)
    old_runs = [(tag != "equal", "".join(old_words[i1:i2])) for tag, i1, i2, _, _ in codes]
    new_runs = [(tag != "equal", "".join(new_words[j1:j2])) for tag, _, _, j1, j2 in codes]
    return Row("change", i + 1, j + 1, old_text, new_text, _segments(old_runs), _segments(new_runs))


def _coalesced(codes: list[Opcode], old_words: list[str]) -> list[Opcode]:
    """Fold whitespace kept between two changed runs into the change."""
    # "<del>the</del> <del>cat</del>" reads worse than "<del>the cat</del>".
    result = list(codes)
    for index in range(1, len(result) - 1):
        tag, i1, i2, j1, j2 = result[index]
        if tag == "equal" and "".join(old_words[i1:i2]).isspace():
            result[index] = ("replace", i1, i2, j1, j2)
    return result


def _segments(runs: list[tuple[bool, str]]) -> tuple[Segment, ...]:
    """Join neighbouring runs with the same flag into segments, dropping empty ones."""
    segments: list[Segment] = []
    for changed, text in runs:
        if not text:
            continue
        if segments and segments[-1].changed == changed:
            segments[-1] = Segment(segments[-1].text + text, changed)
        else:
            segments.append(Segment(text, changed))
    return tuple(segments)


def _text(line: str) -> str:
    """Return ``line`` without its line ending."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith("\n"):
        return line[:-1]
    return line
