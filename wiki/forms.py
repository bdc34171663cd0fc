"""Form pieces every domain shares: the one-button form, checkbox lists, choices, errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


class Labelled(Protocol):
    """An enum member with words for people: ``value`` is sent, ``label`` is shown."""

    value: str

    @property
    def label(self) -> str: ...


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions."""


class CheckboxList(SelectMultipleField):
    """Several choices, shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices_of(members: Iterable[Labelled]) -> list[SelectChoice]:
    """Return a select's choices for an enum whose members have a ``label``, in order."""
    return [SelectChoice(member.value, member.label) for member in members]


def add_form_error(form, field: str, message: str) -> None:
    """Show ``message`` on the form's ``field``, or on its first field if it has none."""
    target = form[field] if field in form else next(f for f in form if f.name != "csrf_token")
    target.errors = [*target.errors, message]
