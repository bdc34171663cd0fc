"""Server-Sent Events wire format: pure functions from values to bytes."""

from __future__ import annotations

import re

# The event stream format ends a line at CRLF, LF or CR, and nothing else.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def frame(event_id: int, kind: str, data: str) -> bytes:
    """Return one event: its id, its name and every line of ``data`` as a ``data:`` line."""
    lines = [f"id: {event_id}", f"event: {kind}"]
    lines.extend(f"data: {line}" for line in _LINE_BREAK.split(data))
    return ("\n".join(lines) + "\n\n").encode()


def comment(text: str = "") -> bytes:
    """Return a comment line, which browsers ignore and proxies see as traffic."""
    return f": {text}\n\n".encode() if text else b":\n\n"


def retry(milliseconds: int) -> bytes:
    """Tell the browser how long to wait before it reconnects."""
    return f"retry: {int(milliseconds)}\n\n".encode()
