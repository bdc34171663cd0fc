"""Accounts: registering, logging in and out, profiles, passwords, throttling."""

import re

import pytest
from argon2 import extract_parameters
from flask_login import current_user

from tests.helpers import Auth, parse_html, text_of
from wiki.accounts import passwords
from wiki.accounts.models import User
from wiki.extensions import db

PASSWORD = "correct horse battery"


def register(client, **fields):
    data = {"username": "alex", "display_name": "Alex", "password": PASSWORD, **fields}
    return client.post("/-/register", data=data)


def test_register_logs_the_new_person_in(client, app):
    response = register(client)
    assert response.status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "Alex" in home and "Log out" in home
    with app.app_context():
        user = db.session.query(User).one()
        assert user.role == "participant"
        assert user.password_hash.startswith("$argon2id$")


def test_register_with_taken_name_keeps_typed_values(client, participant):
    response = register(
        client, username="PRIYA", display_name="Another Priya", email="p@example.org"
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "is taken" in body
    assert 'value="PRIYA"' in body
    assert 'value="Another Priya"' in body
    assert 'value="p@example.org"' in body
    assert "There is a problem" in body


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("tiny9x", "at least 10 characters"),
        ("password123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("alex-is-the-best", "must not contain your name"),
    ],
)
def test_register_with_weak_password_is_refused(client, password, message):
    response = register(client, password=password)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert 'value="alex"' in body
    assert f'value="{password}"' not in body  # a password is never echoed back


def test_register_with_bad_username_is_refused(client):
    response = register(client, username="<script>")
    assert response.status_code == 422
    assert "Use letters, digits" in response.get_data(as_text=True)


def test_invite_code_is_required_when_set(make_app):
    app = make_app(INVITE_CODE="family-camp")
    client = app.test_client()
    assert "Invite code" in client.get("/-/register").get_data(as_text=True)
    response = register(client, invite_code="wrong")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "invite code is not right" in body
    assert 'value="wrong"' in body and 'value="Alex"' in body
    assert register(client, invite_code="family-camp").status_code == 303


def test_login_and_logout(client, auth, participant):
    response = auth.login(participant)
    assert response.status_code == 303
    assert "Log out" in client.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 303
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_logout_needs_a_post(client, auth, participant):
    auth.login(participant)
    assert client.get("/-/logout").status_code == 405


def test_login_username_is_case_insensitive(auth, participant):
    assert auth.login("PRIYA").status_code == 303


def test_wrong_password_gives_a_clear_message_and_keeps_the_name(auth, participant):
    response = auth.login(participant, password="not the password")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "do not match an account" in body
    assert 'value="priya"' in body


def test_unknown_name_gets_the_same_message(auth):
    response = auth.login("nobody", password="whatever123")
    assert response.status_code == 422
    assert "do not match an account" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/-/account", "/-/account"),
        ("/wiki/Proposal?x=1", "/wiki/Proposal?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_login_next_only_goes_to_this_site(client, participant, target, lands_on):
    response = client.post(
        "/-/login", data={"username": "priya", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == lands_on


def test_login_page_carries_next_from_the_query(client):
    body = client.get("/-/login?next=/-/account").get_data(as_text=True)
    assert 'value="/-/account"' in body


def test_pages_that_need_login_redirect_to_it(client):
    response = client.get("/-/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/-/login?next=")


def test_remember_me_sets_a_long_lived_http_only_cookie(client, participant):
    response = client.post(
        "/-/login", data={"username": "priya", "password": PASSWORD, "remember": "y"}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "remember" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_session_cookie_is_http_only_and_lax(client, participant):
    response = client.post("/-/login", data={"username": "priya", "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("campwiki="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" not in cookie  # without "remember me" it ends with the browser


def test_profile_changes_display_name(client, auth, participant):
    auth.login(participant)
    response = client.post("/-/account", data={"display_name": "Priya P", "email": ""})
    assert response.status_code == 303
    assert "Priya P" in client.get("/-/account").get_data(as_text=True)


def test_profile_rejects_empty_display_name(client, auth, participant):
    auth.login(participant)
    response = client.post("/-/account", data={"display_name": "", "email": "x@example.org"})
    assert response.status_code == 422
    assert 'value="x@example.org"' in response.get_data(as_text=True)


def test_change_password_logs_out_other_devices(app, participant):
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login(participant)
    Auth(laptop).login(participant)
    response = phone.post(
        "/-/account/password",
        data={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 303
    assert phone.get("/-/account").status_code == 200
    assert laptop.get("/-/account").status_code == 302
    assert Auth(laptop).login(participant, password="a brand new passphrase").status_code == 303


def test_change_password_needs_the_current_one(client, auth, participant):
    auth.login(participant)
    response = client.post(
        "/-/account/password",
        data={"current_password": "wrong one!!", "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)


def test_ten_wrong_passwords_in_a_minute_are_throttled(client, participant):
    for _ in range(10):
        response = client.post("/-/login", data={"username": "priya", "password": "wrong-guess"})
        assert response.status_code == 422
    response = client.post("/-/login", data={"username": "priya", "password": PASSWORD})
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "10 per 1 minute" in body
    assert response.headers["Retry-After"]


def test_throttle_follows_the_account_across_addresses(client, participant):
    for n in range(10):
        client.post(
            "/-/login",
            data={"username": "priya", "password": "wrong-guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    response = client.post(
        "/-/login",
        data={"username": "priya", "password": "wrong-guess"},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429


def test_successful_logins_do_not_use_up_the_limit(client, auth, participant):
    for _ in range(12):
        assert auth.login(participant).status_code == 303
        auth.logout()


def test_passwords_are_hashed_above_owasp_minimum(app):
    with app.app_context():
        app.config["ARGON2_PROFILE"] = "owasp"
        params = extract_parameters(passwords.hash_password("a long passphrase"))
    assert params.type.name == "ID"
    assert params.memory_cost >= passwords.OWASP_MINIMUM["memory_cost"]
    assert params.time_cost >= passwords.OWASP_MINIMUM["time_cost"]
    assert params.parallelism >= passwords.OWASP_MINIMUM["parallelism"]


def test_weaker_hash_is_upgraded_at_login(make_app, create_user):
    app = make_app()
    create_user("sam")
    app.config["ARGON2_PROFILE"] = "owasp"
    assert Auth(app.test_client()).login("sam").status_code == 303
    with app.app_context():
        stored = db.session.query(User).filter_by(username="sam").one().password_hash
    assert extract_parameters(stored).memory_cost >= passwords.OWASP_MINIMUM["memory_cost"]


def test_current_user_is_anonymous_without_login(app):
    with app.test_request_context():
        assert not current_user.is_authenticated


def test_create_admin_command(runner, app):
    result = runner.invoke(args=["create-admin", "boss", "--password", "a secret phrase ok"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(User).filter_by(username="boss").one().role == "admin"


def test_create_admin_refuses_weak_password(runner):
    result = runner.invoke(args=["create-admin", "boss", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_seed_demo_only_fills_an_empty_site(runner, participant):
    result = runner.invoke(args=["seed-demo"])
    assert "not seeded" in result.output


def test_seed_demo_creates_people_who_can_log_in(runner, client, auth):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password '([^']+)'", result.output).group(1)
    assert auth.login("organiser", password=password).status_code == 303


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _replay(app, **cookies):
    """Return a fresh browser that carries only copies of ``cookies``."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def test_a_copied_session_cookie_stops_working_at_logout(app, client, auth, participant):
    auth.login(participant)
    copied = _cookie(client, "campwiki")
    assert _replay(app, campwiki=copied).get("/-/account").status_code == 200
    auth.logout()
    response = _replay(app, campwiki=copied).get("/-/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/-/login")


def test_a_copied_remember_me_cookie_stops_working_at_logout(app, client, auth, participant):
    auth.login(participant, remember=True)
    copied = _cookie(client, "campwiki-remember")
    assert _replay(app, **{"campwiki-remember": copied}).get("/-/account").status_code == 200
    auth.logout()
    response = _replay(app, **{"campwiki-remember": copied}).get("/-/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/-/login")


def test_logout_ends_only_this_devices_login(app, participant):
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login(participant)
    Auth(laptop).login(participant, remember=True)
    Auth(phone).logout()
    assert phone.get("/-/account").status_code == 302
    assert laptop.get("/-/account").status_code == 200


def test_account_page_offers_log_out_everywhere_as_a_form(client, auth, participant):
    auth.login(participant)
    page = parse_html(client.get("/-/account").get_data(as_text=True))
    (form,) = [
        form
        for form in page.iter("form")
        if any(text_of(b) == "Log out everywhere" for b in form.iter("button"))
    ]
    assert form.get("method") == "post"
    assert form.get("action") == "/-/account/logout-everywhere"
    assert form.find(".//input[@name='csrf_token']").get("value")


def test_log_out_everywhere_ends_every_login(app, participant):
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login(participant, remember=True)
    copied = _cookie(phone, "campwiki-remember")
    Auth(laptop).login(participant)
    response = laptop.post("/-/account/logout-everywhere")
    assert response.status_code == 303
    assert laptop.get("/-/account").status_code == 302
    assert phone.get("/-/account").status_code == 302
    assert _replay(app, **{"campwiki-remember": copied}).get("/-/account").status_code == 302
    assert Auth(phone).login(participant).status_code == 303


def test_log_out_everywhere_needs_the_csrf_token(client, auth, participant):
    auth.login(participant)
    assert client.post("/-/account/logout-everywhere", csrf=False).status_code == 400
    assert client.get("/-/account").status_code == 200


def test_change_password_ends_copied_cookies_of_other_logins(app, participant):
    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login(participant)
    Auth(laptop).login(participant, remember=True)
    copied = _cookie(laptop, "campwiki-remember")
    phone.post(
        "/-/account/password",
        data={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert phone.get("/-/account").status_code == 200
    assert _replay(app, **{"campwiki-remember": copied}).get("/-/account").status_code == 302


def test_a_login_ends_when_it_expires(app, client, auth, participant):
    from datetime import timedelta

    from wiki.accounts.models import Login

    auth.login(participant)
    with app.app_context():
        login = db.session.query(Login).one()
        login.expires_at = login.created_at - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/-/account").status_code == 302


def _field_errors(body: str) -> dict[str, str]:
    page = parse_html(body)
    return {
        p.get("id").removesuffix("-error"): text_of(p).removeprefix("Error: ")
        for p in page.iter("p")
        if (p.get("class") or "") == "field__error"
    }


def _summary(body: str) -> list[str]:
    page = parse_html(body)
    (summary,) = [d for d in page.iter("div") if d.get("class") == "error-summary"]
    return [text_of(li) for li in summary.iter("li")]


def test_register_reports_every_problem_at_once(make_app, create_user):
    app = make_app(INVITE_CODE="family-camp")
    create_user("priya")
    response = register(
        app.test_client(),
        username="priya",
        display_name="Another Priya",
        email="not-an-address",
        password="tiny9x",
        invite_code="wrong",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    errors = _field_errors(body)
    assert set(errors) == {"username", "email", "password", "invite_code"}
    assert "is taken" in errors["username"]
    assert "at least 10 characters" in errors["password"]
    assert "cleared" in errors["password"]
    assert "invite code is not right" in errors["invite_code"]
    assert len(_summary(body)) == 4
    page = parse_html(body)
    values = {i.get("name"): i.get("value") for i in page.iter("input")}
    assert values["username"] == "priya"
    assert values["display_name"] == "Another Priya"
    assert values["email"] == "not-an-address"
    assert values["invite_code"] == "wrong"
    assert not values["password"]


def test_register_says_to_type_a_good_password_again(client):
    response = register(client, username="<script>")
    assert response.status_code == 422
    errors = _field_errors(response.get_data(as_text=True))
    assert "Use letters, digits" in errors["username"]
    assert errors["password"] == (
        "Type your password again: it is not kept when the form has a problem."
    )
    assert register(client).status_code == 303


def test_readme_names_every_demo_account_and_password():
    from pathlib import Path

    from wiki.demo import DEMO_PEOPLE

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = {
        tuple(cell.strip(" `") for cell in line.strip("|").split("|")[:3])
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for username, _name, role, password in DEMO_PEOPLE:
        assert (username, password, role.value) in rows


def test_your_data_lists_your_logins_and_deleting_the_account_ends_them(app, participant):
    import json

    from wiki.accounts.models import Login

    phone, laptop = app.test_client(), app.test_client()
    Auth(phone).login(participant)
    Auth(laptop).login(participant, remember=True)
    data = json.loads(phone.get("/-/account/data.json").get_data(as_text=True))
    assert len(data["logins"]) == 2
    phone.post("/-/account/delete", data={"password": PASSWORD})
    assert laptop.get("/-/account").status_code == 302
    with app.app_context():
        assert db.session.query(Login).count() == 0
