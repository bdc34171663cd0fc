"""Asking before an irreversible or loud action: the same question as a page and as a dialog.

Each such action keeps its POST URL and answers GET there with a page that says plainly what
will happen, a real form that does it, and a way back that changes nothing. Pages that offer
the action link to that page and carry the same question in a ``<dialog>``
(``_macros/confirm.html``); ``static/js/confirm.js`` opens the dialog instead of following
the link, so people with JavaScript never leave the page they were on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wiki.rendering import render


@dataclass(frozen=True)
class Typed:
    """Something the person writes or chooses as part of confirming (a reason, a target)."""

    name: str
    label: str
    hint: str = ""
    value: str = ""
    error: str = ""
    required: bool = False
    max_length: int | None = None
    rows: int = 3
    # A choice (value, label) instead of text: rendered as a <select>.
    choices: list[tuple[str, str]] | None = None


@dataclass(frozen=True)
class Confirmation:
    """A question before an action: what will happen, how to do it, how to go back."""

    # Unique on the page: the dialog is ``confirm-<key>``.
    key: str
    question: str
    consequences: list[str]
    # The action's own POST URL, and the page that asks (GET on it, usually).
    action: str
    url: str
    confirm_label: str
    # Where "Cancel" goes on the page without JavaScript.
    back: str
    keep_label: str = "Cancel"
    hidden: dict[str, str] = field(default_factory=dict)
    typed: list[Typed] = field(default_factory=list)
    danger: bool = True

    @property
    def dialog_id(self) -> str:
        return f"confirm-{self.key}"

    @property
    def has_errors(self) -> bool:
        return any(t.error for t in self.typed)


def render_confirmation(confirmation: Confirmation, status: int = 200, **context):
    """Render the page that asks first (422 when something typed was refused)."""
    if confirmation.has_errors and status == 200:
        status = 422
    return render("confirm.html", status=status, confirmation=confirmation, **context)
