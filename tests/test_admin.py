"""The admin's tools, and who may use them."""

import re

import pytest

from wiki.accounts.models import User
from wiki.extensions import db

ADMIN_ROUTES = [
    ("get", "/-/admin/users"),
    ("post", "/-/admin/users/1/role"),
    ("post", "/-/admin/users/1/reset-link"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_anonymous_people_are_sent_to_log_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert "/-/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["participant", "facilitator"])
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_only_admins_may_use_admin_tools(request, client, auth, who, method, path):
    auth.login(request.getfixturevalue(who))
    response = getattr(client, method)(path, data={"role": "admin"})
    assert response.status_code == 403


def test_admin_lists_people(client, auth, admin, participant):
    auth.login(admin)
    body = client.get("/-/admin/users").get_data(as_text=True)
    assert "Priya" in body and "Olu" in body


def test_admin_makes_someone_a_facilitator(app, client, auth, admin, participant):
    auth.login(admin)
    response = client.post(f"/-/admin/users/{participant.id}/role", data={"role": "facilitator"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, participant.id).role == "facilitator"


def test_admin_cannot_remove_own_admin_role(app, client, auth, admin):
    auth.login(admin)
    client.post(f"/-/admin/users/{admin.id}/role", data={"role": "participant"})
    with app.app_context():
        assert db.session.get(User, admin.id).role == "admin"
    assert "cannot take away your own" in client.get("/-/admin/users").get_data(as_text=True)


def test_unknown_role_is_refused(client, auth, admin, participant):
    auth.login(admin)
    response = client.post(f"/-/admin/users/{participant.id}/role", data={"role": "emperor"})
    assert response.status_code == 400


def test_admin_issues_a_reset_link_from_the_ui(app, client, auth, admin, participant):
    auth.login(admin)
    response = client.post(f"/-/admin/users/{participant.id}/reset-link")
    assert response.status_code == 200
    path = re.search(r"http://localhost(/-/reset/[\w-]+)", response.get_data(as_text=True)).group(1)
    other = app.test_client()
    assert other.post(path, data={"new_password": "a fresh passphrase"}).status_code == 303
    login = other.post("/-/login", data={"username": "priya", "password": "a fresh passphrase"})
    assert login.status_code == 303
