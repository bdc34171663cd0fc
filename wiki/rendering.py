"""Rendering pages and the fragments htmx swaps, and checking where redirects go."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block

from wiki.extensions import htmx


def wants_fragment() -> bool:
    """Tell whether htmx asked for part of a page rather than a whole one."""
    return bool(htmx) and not htmx.boosted


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """Render ``template``, or only its ``block`` when htmx asked for a fragment."""
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def is_safe_next(target: str | None) -> bool:
    """Tell whether ``target`` is a path on this site, safe to redirect to after login."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` when it stays on this site, otherwise ``default``."""
    return target if is_safe_next(target) else default


def form_errors_status(form) -> int:
    """Return 422 when a submitted form has errors, else 200."""
    return 422 if request.method == "POST" and form.errors else 200
