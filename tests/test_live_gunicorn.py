"""Live events across processes: two gunicorn servers on one PostgreSQL database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PG_URL
from tests.helpers import CSRF_RE, PASSWORD
from tests.test_live import SSEStream
from wiki.extensions import db
from wiki.live import services as live

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not PG_URL.startswith("postgresql"),
        reason="cross-process delivery uses LISTEN/NOTIFY: set CAMPWIKI_TEST_DATABASE_URL "
        "to a PostgreSQL database",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """One gunicorn process with one gevent worker, as production runs it."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "CAMPWIKI_DATABASE_URL": database_url,
            "CAMPWIKI_SECRET_KEY": "gunicorn-test-secret",
            "CAMPWIKI_LIVE_HEARTBEAT_SECONDS": "1",
        }
        command = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1"]
        command += ["-k", "gevent", "--graceful-timeout", "2", "--no-control-socket"]
        command += ["-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(f"{self.url}/-/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def servers(app, tmp_path):
    """Start two gunicorn servers on the test's PostgreSQL database."""
    started = [
        Gunicorn(app.config["DATABASE_URL"], tmp_path / f"gunicorn-{name}.log") for name in "ab"
    ]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def publish_in_process(app, topic: str, count: int = 1) -> list[int]:
    """Publish from this test process in one transaction, as another server would."""
    with app.app_context():
        published = [live.publish(topic, "dots-changed", {"n": n}) for n in range(count)]
        db.session.commit()
    return [event.id for event in published]


def log_in(base_url: str, username: str) -> tuple[requests.Session, str]:
    """Log in through the form; return the browser session and its CSRF token."""
    browser = requests.Session()
    token = CSRF_RE.search(browser.get(f"{base_url}/-/login", timeout=5).text).group(1)
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    response = browser.post(f"{base_url}/-/login", data=form, timeout=10)
    assert response.ok, response.text[:300]
    token = CSRF_RE.search(browser.get(f"{base_url}/", timeout=5).text).group(1)
    return browser, token


def test_events_reach_streams_on_another_server_and_resume_there(app, servers, create_event):
    server_a, server_b = servers
    event = create_event(state="registration")
    topic = live.event_topic(event.id)
    path = f"/events/{event.slug}/live"

    with SSEStream(server_b.url, path).opened(timeout=5) as stream:
        # A commit in another process reaches server B through NOTIFY.
        started = time.monotonic()
        [first] = publish_in_process(app, topic)
        assert stream.event(timeout=1.0).id == first
        assert time.monotonic() - started < 1.0

        # So does a real request handled by server A.
        browser, token = log_in(server_a.url, "organiser")
        started = time.monotonic()
        response = browser.post(
            f"{server_a.url}/events/{event.slug}/state",
            data={"csrf_token": token, "to": "voting"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 303, response.text[:300]
        changed = stream.event(timeout=1.0)
        assert time.monotonic() - started < 1.5
        assert (changed.event, changed.text) == ("state-changed", '{"state":"voting"}')
        resume_from = stream.last_event_id

    missed = publish_in_process(app, topic, count=3)
    with SSEStream(server_a.url, path, last_event_id=resume_from) as stream:
        assert [e.id for e in stream.events(3, timeout=2.0)] == missed
        stream.expect_silence(0.5)
        # The heartbeat (1 s here) keeps flowing through gevent.
        assert stream.block(timeout=2.0).comments == [""]
    for server in servers:
        assert "Traceback" not in server.log.read_text()
