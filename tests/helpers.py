"""Test helpers: a browser-like client, logging in through the forms, a live server."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from pathlib import Path
from xml.etree.ElementTree import Element

from bleach._vendor import html5lib
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from wiki.accounts.models import User

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Client(FlaskClient):
    """A test client that sends the CSRF token a real browser would, unless told not to."""

    _token: str | None = None

    def csrf_token(self) -> str:
        """Return a CSRF token for this client's session, fetching a page once for it."""
        if self._token is None:
            page = self.get("/").get_data(as_text=True)
            self._token = CSRF_RE.search(page).group(1)
        return self._token

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = kwargs.get("data", {})
            if isinstance(data, dict):
                kwargs["data"] = {"csrf_token": self.csrf_token(), **data}
        return super().post(*args, **kwargs)


class Auth:
    """Log a test client in and out the way a person does, through the forms."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def login(self, user: User | str, password: str = PASSWORD, remember: bool = False):
        username = user if isinstance(user, str) else user.username
        data = {"username": username, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/-/login", data=data)

    def logout(self):
        return self.client.post("/-/logout")


class LiveServer:
    """The app served over real HTTP on a free port, in a thread."""

    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


def find_xss_dir() -> Path:
    """Return the folder of public XSS corpora: ``CAMPWIKI_XSS_DIR``, or ``shared/xss`` beside
    this repository, or beside the one it was cloned from (a fresh clone in /tmp)."""
    repo = Path(__file__).resolve().parents[1]
    candidates = [repo.parent / "shared" / "xss"]
    if os.environ.get("CAMPWIKI_XSS_DIR"):
        candidates.insert(0, Path(os.environ["CAMPWIKI_XSS_DIR"]))
    origin = subprocess.run(
        ["git", "-C", str(repo), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and "://" not in origin and ":" not in origin.split("/")[0]:
        candidates.append(Path(origin).resolve().parent / "shared" / "xss")
    return next((c for c in candidates if (c / "html5sec-vectors.json").is_file()), candidates[0])


def parse_html(markup: str) -> Element:
    """Parse a page as a browser would (html5lib), into an ElementTree without namespaces."""
    return html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)


def text_of(element: Element) -> str:
    """Return the element's text as a reader sees it: all of it, spaces tidied."""
    return " ".join("".join(element.itertext()).split())
