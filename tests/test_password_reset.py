"""Forgotten passwords: e-mailed links, admin-issued links, one use, expiry."""

import re
from datetime import timedelta

import pytest

from wiki.accounts.models import PasswordResetToken
from wiki.database import utcnow
from wiki.extensions import db

NEW_PASSWORD = "a fresh passphrase"
LINK_RE = re.compile(r"http://localhost(/-/reset/[\w-]+)")


@pytest.fixture
def mail_app(make_app, smtp_sink):
    """Return an app that sends mail to the local SMTP sink."""
    controller, _ = smtp_sink
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)


def test_without_mail_the_page_says_whom_to_ask(client):
    body = client.get("/-/forgot").get_data(as_text=True)
    assert "Ask an organiser" in body
    assert '<form method="post" action="/-/forgot"' not in body


def test_reset_link_is_emailed_and_works_once(mail_app, smtp_sink, create_user):
    _, inbox = smtp_sink
    create_user("sam", email="sam@example.org")
    client = mail_app.test_client()
    response = client.post("/-/forgot", data={"identifier": "sam"})
    assert "on its way" in response.get_data(as_text=True)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "sam@example.org"
    path = LINK_RE.search(message.get_payload()).group(1)

    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW_PASSWORD})
    assert response.status_code == 303
    login = client.post("/-/login", data={"username": "sam", "password": NEW_PASSWORD})
    assert login.status_code == 303
    client.post("/-/logout")
    again = client.get(path)
    assert again.status_code == 410
    assert "already used" in again.get_data(as_text=True)


def test_unknown_account_gets_the_same_answer_and_no_mail(mail_app, smtp_sink):
    _, inbox = smtp_sink
    response = mail_app.test_client().post("/-/forgot", data={"identifier": "nobody@example.org"})
    assert "on its way" in response.get_data(as_text=True)
    assert inbox.messages == []


def test_reset_by_email_address(mail_app, smtp_sink, create_user):
    _, inbox = smtp_sink
    create_user("sam", email="sam@example.org")
    mail_app.test_client().post("/-/forgot", data={"identifier": "sam@example.org"})
    assert len(inbox.messages) == 1


def test_expired_link_is_refused(app, client, create_user, runner):
    create_user("sam")
    result = runner.invoke(args=["issue-reset-link", "sam"])
    path = LINK_RE.search(result.output).group(1)
    with app.app_context():
        token = db.session.query(PasswordResetToken).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_weak_new_password_is_refused_and_link_stays_usable(client, create_user, runner):
    create_user("sam")
    path = LINK_RE.search(runner.invoke(args=["issue-reset-link", "sam"]).output).group(1)
    response = client.post(path, data={"new_password": "short"})
    assert response.status_code == 422
    assert client.post(path, data={"new_password": NEW_PASSWORD}).status_code == 303


def test_cli_issues_a_link_for_an_admin_to_hand_over(runner, create_user):
    create_user("sam")
    result = runner.invoke(args=["issue-reset-link", "sam"])
    assert result.exit_code == 0
    assert LINK_RE.search(result.output)
    assert "works once" in result.output


def test_cli_refuses_unknown_account(runner):
    result = runner.invoke(args=["issue-reset-link", "ghost"])
    assert result.exit_code != 0
    assert "No account" in result.output


def test_reset_ends_existing_logins(app, create_user, runner):
    create_user("sam")
    laptop = app.test_client()
    laptop.post("/-/login", data={"username": "sam", "password": "correct horse battery"})
    path = LINK_RE.search(runner.invoke(args=["issue-reset-link", "sam"]).output).group(1)
    app.test_client().post(path, data={"new_password": NEW_PASSWORD})
    assert laptop.get("/-/account").status_code == 302
