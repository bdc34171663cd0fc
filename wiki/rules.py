"""The one shape of a broken rule, shared by every domain's services and views."""

from __future__ import annotations


class RuleError(ValueError):
    """A request breaks a rule; ``field`` names the input at fault, ``message`` says why.

    Services raise it; views put the message beside the field and re-render the form with
    everything the person typed.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def add_form_error(form, field: str, message: str) -> None:
    """Show ``message`` on the form's ``field``, or on its first field if it has none."""
    target = form[field] if field in form else next(f for f in form if f.name != "csrf_token")
    target.errors = [*target.errors, message]
