"""The one shape of a broken rule, shared by every domain's services and views.

Views show one on its form with ``wiki.forms.add_form_error``.
"""

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
