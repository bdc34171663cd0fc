"""Rate limits: counters shared by every worker and host through the database."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import event, func, select

from tests.helpers import CSRF_RE, PASSWORD
from tests.test_live_gunicorn import Gunicorn
from wiki import create_app, ratelimit
from wiki.config import ConfigError, defaults
from wiki.extensions import db, limiter
from wiki.ratelimit import RateLimitCounter

WRONG = {"username": "priya", "password": "wrong-guess"}


@pytest.fixture
def shared_app(app, make_app):
    """Return an app that keeps its limit counters in the database, as shipped.

    Made after ``app`` (which the people fixtures use): the one Limiter of the process
    counts wherever the app made last tells it to.
    """
    return make_app(RATELIMIT_STORAGE_URI="database://")


def test_the_shipped_default_is_the_shared_database_store(tmp_path):
    assert defaults(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "database://"


def test_production_refuses_the_per_process_memory_store(database_url):
    settings = {"ENV": "production", "SECRET_KEY": "a real secret", "DATABASE_URL": database_url}
    with pytest.raises(ConfigError, match="CAMPWIKI_RATELIMIT_STORAGE_URI"):
        create_app({**settings, "RATELIMIT_STORAGE_URI": "memory://"})
    app = create_app(settings)
    assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
    app.extensions["campwiki.db"].dispose()


def test_wrong_passwords_are_counted_in_the_database(shared_app, participant):
    client = shared_app.test_client()
    for _ in range(10):
        assert client.post("/-/login", data=WRONG).status_code == 422
    assert client.post("/-/login", data={**WRONG, "password": PASSWORD}).status_code == 429
    with shared_app.app_context():
        counts = db.session.scalars(select(RateLimitCounter.hits)).all()
    # One counter for the address, one for the account name; the refused try counts on
    # the limit it broke (the limiter stops at the first).
    assert sorted(counts) == [10, 11]


def test_a_right_password_gives_its_count_back(shared_app, participant):
    client = shared_app.test_client()
    for _ in range(12):
        assert client.post("/-/login", data={**WRONG, "password": PASSWORD}).status_code == 303
        client.post("/-/logout")
    with shared_app.app_context():
        assert set(db.session.scalars(select(RateLimitCounter.hits))) == {0}


def test_each_limit_costs_one_statement(shared_app, participant):
    client = shared_app.test_client()
    client.csrf_token()
    statements = []

    def listener(conn, cursor, statement, *args):
        if "rate_limits" in statement:
            statements.append(statement)

    engine = shared_app.extensions["campwiki.db"]
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.post("/-/login", data=WRONG).status_code == 422
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 2
    assert all(s.lstrip().upper().startswith("INSERT") and "ON CONFLICT" in s for s in statements)


def test_counters_expire_with_their_window(shared_app, participant, monkeypatch):
    client = shared_app.test_client()
    for _ in range(10):
        client.post("/-/login", data=WRONG)
    assert client.post("/-/login", data=WRONG).status_code == 429
    later = ratelimit._now() + 61
    monkeypatch.setattr(ratelimit, "_now", lambda: later)
    assert client.post("/-/login", data=WRONG).status_code == 422
    with shared_app.app_context():
        assert sorted(db.session.scalars(select(RateLimitCounter.hits))) == [1, 1]


def test_ended_windows_are_pruned(shared_app, monkeypatch):
    with shared_app.test_request_context():
        storage = limiter.storage
        assert storage.incr("a", 10) == 1
        assert storage.incr("a", 10) == 2
        assert storage.incr("b", 100) == 1
        later = ratelimit._now() + 11
        monkeypatch.setattr(ratelimit, "_now", lambda: later)
        assert storage.get("a") == 0
        assert storage.prune() == 1
        assert storage.get("b") == 1
        count = db.session.scalar(select(func.count()).select_from(RateLimitCounter))
        assert count == 1


def test_long_keys_are_stored_hashed(shared_app):
    with shared_app.test_request_context():
        key = "login-name:" + "x" * 10_000
        assert limiter.storage.incr(key, 60) == 1
        assert limiter.storage.incr(key, 60) == 2
        assert limiter.storage.get(key) == 2


def _browser(base_url: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    token = CSRF_RE.search(browser.get(f"{base_url}/-/login", timeout=10).text).group(1)
    return browser, token


def test_parallel_guesses_cannot_pass_one_check_together(shared_app, participant):
    from tests.helpers import LiveServer

    server = LiveServer(shared_app).start()
    try:
        browsers = [_browser(server.url) for _ in range(16)]
        start = threading.Barrier(len(browsers))
        codes = []

        def guess(browser, token):
            start.wait()
            response = browser.post(
                f"{server.url}/-/login", data={**WRONG, "csrf_token": token}, timeout=60
            )
            codes.append(response.status_code)

        threads = [threading.Thread(target=guess, args=b) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    finally:
        server.stop()
    assert sorted(codes) == [422] * 10 + [429] * 6


@pytest.fixture
def two_servers(app, tmp_path):
    """Start two gunicorn servers, as two hosts would run, on the test's database."""
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


@pytest.mark.slow
def test_the_login_limit_holds_across_servers_out_of_the_box(two_servers, participant):
    sessions = [_browser(server.url) for server in two_servers]
    codes = []
    for attempt in range(14):
        server = two_servers[attempt % 2]
        browser, token = sessions[attempt % 2]
        response = browser.post(
            f"{server.url}/-/login",
            data={**WRONG, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        codes.append(response.status_code)
    assert codes == [422] * 10 + [429] * 4
    for server in two_servers:
        assert "Traceback" not in server.log.read_text()
