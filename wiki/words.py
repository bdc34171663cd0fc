"""Counting in words: "1 dot", "3 dots", "1 child", "2 children", the same everywhere."""

from __future__ import annotations

# Nouns whose plural is not the singular with an "s".
IRREGULAR = {"child": "children", "person": "people"}


def plural(n: int, singular: str, plural: str | None = None) -> str:
    """Say how many of something there are: ``plural(1, "dot")`` is "1 dot", 3 gives "3 dots"."""
    return f"{n:,} {noun(n, singular, plural)}"


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """Return the noun alone, singular for exactly one and plural otherwise (0 included)."""
    if n == 1:
        return singular
    return plural or IRREGULAR.get(singular) or f"{singular}s"


def are_left(n: int) -> str:
    """Say how many places remain as the end of a sentence: "none are left", "1 is left"."""
    if n <= 0:
        return "none are left"
    return f"{n:,} {'is' if n == 1 else 'are'} left"
