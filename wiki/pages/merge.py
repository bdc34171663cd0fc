"""Three-way merge of page texts for edit conflicts, in the manner of ``diff3 -m``.

Written on difflib rather than taken from the merge3 package, which is GPL while campwiki is
MIT. The rules follow GNU diff3 as MediaWiki's wfMerge uses it: a change made on one side only
is taken, a change made identically on both is taken once, and changes from the two sides whose
base lines overlap or touch (including insertions at the same point) conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from wiki.pages.diffs import opcodes, split_lines


@dataclass(frozen=True, slots=True)
class Conflict:
    """A region both sides changed differently.

    The ``*_index`` fields are 0-based indexes into the base, ours and theirs lines (as
    ``split_lines`` gives them) where the region starts; the tuples hold the region's lines with
    their line endings.
    """

    base_index: int
    ours_index: int
    theirs_index: int
    base: tuple[str, ...]
    ours: tuple[str, ...]
    theirs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged text, or None and the conflicting regions when the sides cannot be merged."""

    text: str | None
    conflict: bool
    conflicts: tuple[Conflict, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a result whose fields disagree about whether there was a conflict."""
        if self.conflict != bool(self.conflicts) or self.conflict != (self.text is None):
            raise ValueError("a conflict has conflicts and no text; a merge has text only")


@dataclass(frozen=True, slots=True)
class _Change:
    """One side's replacement of base lines [base_lo, base_hi) by its lines [lo, hi)."""

    base_lo: int
    base_hi: int
    lo: int
    hi: int

    @property
    def growth(self) -> int:
        """Return how many lines the change adds to its side."""
        return (self.hi - self.lo) - (self.base_hi - self.base_lo)


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Merge the edits ``ours`` and ``theirs`` both made to ``base``.

    ``theirs`` is the revision someone else saved since ``base``; ``ours`` is what the current
    user submitted. Line endings, a missing final newline included, are kept byte for byte.
    """
    if ours == theirs or theirs == base:
        return MergeResult(ours, conflict=False)
    if ours == base:
        return MergeResult(theirs, conflict=False)
    base_lines, ours_lines, theirs_lines = split_lines(base), split_lines(ours), split_lines(theirs)
    ours_changes = _changes(base_lines, ours_lines)
    theirs_changes = _changes(base_lines, theirs_lines)

    merged: list[str] = []
    conflicts: list[Conflict] = []
    done = 0  # base lines already copied or replaced
    ours_shift = theirs_shift = 0  # lines each side has gained so far over the base
    for lo, hi, ours_part, theirs_part in _regions(ours_changes, theirs_changes):
        merged.extend(base_lines[done:lo])
        done = hi
        # Between a side's own changes inside the region its lines equal the base's, so the
        # region's lines on that side are the base span moved by what the side gained.
        ours_lo = lo + ours_shift
        ours_shift += sum(change.growth for change in ours_part)
        ours_region = ours_lines[ours_lo : hi + ours_shift]
        theirs_lo = lo + theirs_shift
        theirs_shift += sum(change.growth for change in theirs_part)
        theirs_region = theirs_lines[theirs_lo : hi + theirs_shift]
        if not theirs_part or ours_region == theirs_region:
            merged.extend(ours_region)
        elif not ours_part:
            merged.extend(theirs_region)
        else:
            conflicts.append(
                Conflict(
                    base_index=lo,
                    ours_index=ours_lo,
                    theirs_index=theirs_lo,
                    base=tuple(base_lines[lo:hi]),
                    ours=tuple(ours_region),
                    theirs=tuple(theirs_region),
                )
            )
    if conflicts:
        return MergeResult(None, conflict=True, conflicts=tuple(conflicts))
    merged.extend(base_lines[done:])
    return MergeResult("".join(merged), conflict=False)


def _changes(base_lines: list[str], side_lines: list[str]) -> list[_Change]:
    """Return the changes that turn the base lines into one side's lines, in order."""
    return [
        _Change(i1, i2, j1, j2)
        for tag, i1, i2, j1, j2 in opcodes(base_lines, side_lines)
        if tag != "equal"
    ]


def _regions(
    ours_changes: list[_Change], theirs_changes: list[_Change]
) -> list[tuple[int, int, list[_Change], list[_Change]]]:
    """Group both sides' changes into base regions of changes that overlap or touch."""
    tagged = [(change, True) for change in ours_changes]
    tagged += [(change, False) for change in theirs_changes]
    tagged.sort(key=lambda item: (item[0].base_lo, item[0].base_hi))
    regions: list[tuple[int, int, list[_Change], list[_Change]]] = []
    for change, is_ours in tagged:
        # "<=" not "<": like diff3, a change that starts where another ends, or an insertion
        # at the same point, joins its region, since neither side's edit saw the other's.
        if regions and change.base_lo <= regions[-1][1]:
            lo, hi, ours_part, theirs_part = regions[-1]
            regions[-1] = (lo, max(hi, change.base_hi), ours_part, theirs_part)
        else:
            regions.append((change.base_lo, change.base_hi, [], []))
        (regions[-1][2] if is_ours else regions[-1][3]).append(change)
    return regions
