"""The application's foundation: settings, schema, security headers, CSRF, errors."""

import pytest
from sqlalchemy import text

from tests.dom import page
from wiki import create_app, migrations
from wiki.config import ConfigError
from wiki.extensions import db


def test_refuses_production_with_default_secret_key(database_url):
    with pytest.raises(ConfigError, match="CAMPWIKI_SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": database_url})


def test_starts_in_production_with_a_real_secret_key(database_url):
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": database_url})
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    app.extensions["campwiki.db"].dispose()


def test_settings_come_from_prefixed_environment(monkeypatch, database_url):
    monkeypatch.setenv("CAMPWIKI_SITE_NAME", "GovBarCamp wiki")
    monkeypatch.setenv("CAMPWIKI_DATABASE_URL", database_url)
    app = create_app()
    assert app.config["SITE_NAME"] == "GovBarCamp wiki"
    assert app.test_client().get("/").get_data(as_text=True).count("GovBarCamp wiki") >= 1
    app.extensions["campwiki.db"].dispose()


def test_https_uses_secure_host_prefixed_cookies(make_app, create_user):
    app = make_app(HTTPS=True)
    create_user("sam")
    client = app.test_client()
    page = client.get("/-/login", base_url="https://localhost")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    response = client.post(
        "/-/login",
        base_url="https://localhost",
        # Over HTTPS the CSRF check also wants a same-origin Referer, as browsers send.
        headers={"Referer": "https://localhost/-/login"},
        data={
            "username": "sam",
            "password": "correct horse battery",
            "remember": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-campwiki="))
    remember_cookie = next(c for c in cookies if c.startswith("__Host-campwiki-remember="))
    for cookie in (session_cookie, remember_cookie):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Path=/" in cookie and "Domain" not in cookie


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite-only settings")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_models_and_migrations_agree(app):
    assert migrations.pending_changes(app) == []


def test_db_check_command_reports_agreement(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_are_versioned_and_cached(client):
    page = client.get("/").get_data(as_text=True)
    css = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "?v=" in css
    with client.get(css) as response:
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]


def test_vendored_htmx_is_the_pinned_version(client):
    with client.get("/static/vendor/htmx-2.0.11/htmx.min.js") as response:
        assert response.status_code == 200
        assert b'version:"2.0.11"' in response.data


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_post_without_csrf_token_is_refused(client, participant, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        "/-/login",
        data={"username": participant.username, "password": "correct horse battery"},
        headers=headers,
        csrf=False,
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_htmx_request_with_csrf_header_is_accepted(client, participant):
    response = client.post(
        "/-/login",
        data={"username": participant.username, "password": "correct horse battery"},
        headers={"HX-Request": "true", "X-CSRFToken": client.csrf_token()},
        csrf=False,
    )
    assert response.status_code == 303


def test_not_found_page_is_friendly(client):
    response = client.get("/no/such/place")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Not Found" in body and "Go to the home page" in body


def test_health_reports_ok(client):
    assert client.get("/-/health").get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/-/register", {"username": "kim", "display_name": "K\x00", "password": "x"}),
        ("get", "/-/search?q=a%00b", None),
    ],
)
def test_nul_characters_are_refused_clearly(client, method, path, data):
    response = client.post(path, data=data) if method == "post" else client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_editor_pages_answer_plain_htmx_requests(client, auth, participant):
    auth.login(participant)
    response = client.get("/-/new", headers={"HX-Request": "true"})
    assert response.status_code == 200
    # The whole editor, as a plain request gets it: an htmx request that is not for a
    # fragment must not come back half a page.
    doc = page(response)
    assert [h1.text for h1 in doc.find_all("h1")] == ["New page"]
    editor = doc.find("form", action="/-/new", method="post")
    assert {"title", "body", "summary", "csrf_token"} <= set(editor.form_fields())
