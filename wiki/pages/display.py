"""Last touches to stored, sanitised page HTML when it is shown: link colours, task boxes.

Both work on markup the renderer itself emitted after sanitising, never on raw user text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

WIKILINK_RE = re.compile(r'<a class="wikilink" href="([^"]*)"')
CHECKBOX_RE = re.compile(r"<input(?: [a-z]+(?:=\"[^\"]*\")?)*>")


def mark_red_links(html: str, missing_urls: set[str]) -> str:
    """Show links to pages that do not exist (yet) as red links that lead to creating them."""
    if not missing_urls:
        return html

    def swap(match: re.Match) -> str:
        href = match.group(1)
        if href in missing_urls:
            return f'<a class="wikilink-new" title="Create this page" href="{href}"'
        return match.group(0)

    return WIKILINK_RE.sub(swap, html)


@dataclass(frozen=True)
class Task:
    """One task-list checkbox as rendered: its tag, place, state and the task's text."""

    tag: str
    index: int
    checked: bool
    label: str


def _rewrite_tasks(html: str, labels: list[str], rewrite: Callable[[Task], str]) -> str:
    index = 0

    def swap(match: re.Match) -> str:
        nonlocal index
        tag = match.group(0)
        if 'type="checkbox"' not in tag:
            return tag
        checked = " checked" in tag or 'checked=""' in tag
        label = labels[index] if index < len(labels) else f"task {index + 1}"
        index += 1
        return rewrite(Task(tag, index - 1, checked, label))

    return CHECKBOX_RE.sub(swap, html)


def tickable_tasks(
    html: str, form_id: str, labels: list[str], saved: tuple[int, str, bool] | None = None
) -> str:
    """Turn the task list's checkboxes into buttons that submit the tick form.

    Each button's id (``task-<n>``) is the anchor a tick without JavaScript comes back to, and
    the id htmx puts focus back on; ``saved`` = (n, message, ok) says beside task n how its
    tick went.
    """

    def button(task: Task) -> str:
        verb = "Untick" if task.checked else "Tick"
        note = ""
        if saved is not None and saved[0] == task.index:
            kind = "task-saved" if saved[2] else "task-saved task-saved--error"
            note = f'<span class="{kind}" id="task-saved">{escape(saved[1])}</span>'
        return (
            f'<button type="submit" form="{form_id}" name="task" id="task-{task.index}" '
            f'value="{task.index}:{0 if task.checked else 1}" class="task-toggle" '
            f'aria-pressed="{"true" if task.checked else "false"}" '
            f'aria-label="{escape(verb)}: {escape(task.label)}">'
            f'<span aria-hidden="true">{"☑" if task.checked else "☐"}</span></button>{note}'
        )

    return _rewrite_tasks(html, labels, button)


def disable_tasks(html: str, labels: list[str]) -> str:
    """Show task checkboxes as read-only, each named by its task, for people who may not tick.

    A checkbox needs a name of its own: the task's text sits beside it, not in a label.
    """

    def disabled(task: Task) -> str:
        state = "Done" if task.checked else "Not done"
        return f'{task.tag[:-1]} disabled aria-label="{escape(state)}: {escape(task.label)}">'

    return _rewrite_tasks(html, labels, disabled)


def as_markup(html: str) -> Markup:
    """Mark stored, sanitised HTML as safe for templates."""
    return Markup(html)
