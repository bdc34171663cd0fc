"""Reading whole numbers from requests: only ASCII digits, only within bounds."""

import pytest

from wiki.bounds import MAX_INT, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        (" 7 ", 7),
        (str(MAX_INT), MAX_INT),
        (str(MAX_INT + 1), None),
        (str(2**63), None),
        ("9" * 5000, None),
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("1e3", None),
        ("٣", None),  # an Arabic-Indic digit: int() reads it, a person never means it
        ("", None),
        (None, None),
        (12, 12),
        (True, None),
    ],
)
def test_whole_number_within_the_id_range(text, expected):
    assert whole_number(text) == expected


def test_whole_number_with_other_bounds():
    assert whole_number("0", low=0) == 0
    assert whole_number("-3", low=-5, high=5) == -3
    assert whole_number("6", low=-5, high=5) is None
