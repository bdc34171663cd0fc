"""Integers at the edge: every id and number a request carries is bounded here, once.

Ids and counts live in 32-bit INTEGER columns. PostgreSQL refuses to compare one with a
number past 2**31 - 1 and SQLite cannot even bind one past 2**63 - 1, so such a number used
to end as a 500 deep inside a view. Nothing out of range gets that far:

- URL parameters: every ``<int:...>`` of every route is a ``BoundedInt`` (1 to 2**31 - 1,
  ASCII digits only); anything else matches no route, so the answer is 404.
- Query parameters: ``query_int`` (404 outside its bounds: an address that leads nowhere).
- Form fields: ``WholeNumberField`` for numbers people type, ``IdField`` for the ids a form
  carries; ``whole_number`` for a value a view reads from the request itself. A form that
  fails them answers 422 with a message beside the field, the typed text kept.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter
from wtforms import HiddenField, IntegerField
from wtforms.validators import ValidationError

MAX_INT = 2**31 - 1
WHOLE = "Enter a whole number."


class BoundedInt(IntegerConverter):
    """``<int:name>``: a positive 32-bit integer, written in ASCII digits."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_INT, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Make ``int`` in every route a bounded integer (before any route is added)."""
    app.url_map.converters["int"] = BoundedInt


def whole_number(text, *, low: int = 1, high: int = MAX_INT) -> int | None:
    """Return ``text`` as a whole number from ``low`` to ``high``, or None if it is not one."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        text = (text or "").strip() if isinstance(text, str) else ""
        digits = text.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
            return None
        value = int(text)
    return value if low <= value <= high else None


def query_int(name: str, default: int, *, low: int = 1, high: int = MAX_INT) -> int:
    """Return query parameter ``name`` as a whole number; ``default`` when absent or not one.

    A whole number outside ``low``..``high`` answers 404: there is nothing at that address.
    """
    raw = request.args.get(name, "").strip()
    if not _is_integer(raw):
        return default
    value = whole_number(raw, low=low, high=high)
    if value is None:
        abort(404, f"There is nothing at {name} {raw[:20]}.")
    return value


def _is_integer(text: str) -> bool:
    digits = text.removeprefix("-")
    return digits.isascii() and digits.isdigit()


class WholeNumberField(IntegerField):
    """A number a person types, checked against the bounds its column's CHECK holds.

    Text that is not a whole number, and numbers out of bounds, get a message that says the
    bounds; the typed text stays in the box.
    """

    def __init__(
        self, label=None, validators=None, *, low: int, high: int, message: str = "", **kwargs
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.low, self.high = low, high
        self.message = message or f"Enter a whole number from {low:,} to {high:,}."

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if raw:
            if not _is_integer(raw):
                raise ValueError(self.message)
            # Past any bound anyway; not worth converting a thousand digits.
            self.data = int(raw) if len(raw) <= 20 else (-1 if raw[0] == "-" else 1) * 2**63

    def pre_validate(self, form):
        if self.data is not None and not self.low <= self.data <= self.high:
            raise ValidationError(self.message)


class IdField(HiddenField):
    """The id of a thing a form refers to (a revision, a report's target, a child...).

    Its data is an int, or None when the form left it out; anything else is refused with a
    message, since a person never types it: the page was old or the form was tampered with.
    """

    def __init__(self, label=None, validators=None, *, message: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or "That form refers to something that does not exist."

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        self.data = whole_number(raw)
        if self.data is None:
            raise ValueError(self.message)

    def process_data(self, value):
        self.data = whole_number(value) if value not in (None, "") else None

    def _value(self):
        if self.data is not None:
            return str(self.data)
        return self.raw_data[0] if self.raw_data else ""
