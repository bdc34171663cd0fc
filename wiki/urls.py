"""Addresses that leave the site: in e-mails, on posters and QR codes, in calendars and feeds.

They must be the public address. Behind a misconfigured proxy the request's own host can be
an internal name, and a poster printed from a laptop would say "localhost": so once
``BASE_URL`` is set, it is used everywhere. Unset (development), the request's host is used,
and outside a request http://127.0.0.1:5000.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE = "http://127.0.0.1:5000"


def external_url(endpoint: str, **values) -> str:
    """Return the absolute public URL of ``endpoint`` (``_anchor`` adds a fragment)."""
    configured = current_app.config["BASE_URL"]
    if not configured and has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(configured or DEVELOPMENT_BASE)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
