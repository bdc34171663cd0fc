"""Confirming e-mail addresses: news goes only to an address its owner has confirmed."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from wiki.accounts import confirmation
from wiki.accounts.models import Role, User
from wiki.extensions import db

LINK = re.compile(r"http://localhost(/-/confirm-email/[\w.-]+)")


@pytest.fixture
def mail_app(make_app, smtp_sink):
    controller, _ = smtp_sink
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)


def link_in(message) -> str:
    return LINK.search(message.get_payload(decode=True).decode()).group(1)


def stored(app, username):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def register(client, email="kim@example.org"):
    return client.post(
        "/-/register",
        data={
            "username": "kim",
            "display_name": "Kim",
            "password": "tents and toilets",
            "email": email,
        },
    )


def test_a_new_address_is_confirmed_by_the_mailed_link(mail_app, smtp_sink):
    _, inbox = smtp_sink
    client = mail_app.test_client()
    assert register(client).status_code == 303
    assert "We sent a link to kim@example.org" in client.get("/").get_data(as_text=True)
    [mail] = inbox.messages
    assert mail["To"] == "kim@example.org"
    path = link_in(mail)
    assert stored(mail_app, "kim").email_confirmed_at is None
    assert "is not confirmed yet" in client.get("/-/account").get_data(as_text=True)
    # Opening the link (or a mail scanner fetching it) confirms nothing by itself.
    page = client.get(path).get_data(as_text=True)
    assert "Confirm my address" in page
    assert stored(mail_app, "kim").email_confirmed_at is None
    assert client.post(path).status_code == 303
    assert stored(mail_app, "kim").confirmed_email == "kim@example.org"
    assert "kim@example.org is confirmed." in client.get("/-/account").get_data(as_text=True)
    # The owner need not be logged in: the link itself proves the mailbox.
    other = mail_app.test_client()
    assert other.post(path).status_code == 303


def test_changing_the_address_needs_a_new_confirmation(mail_app, smtp_sink):
    _, inbox = smtp_sink
    client = mail_app.test_client()
    register(client)
    old_link = link_in(inbox.messages[0])
    client.post(old_link)
    client.post("/-/account", data={"display_name": "Kim", "email": "kim@new.example"})
    kim = stored(mail_app, "kim")
    assert (kim.email, kim.email_confirmed_at) == ("kim@new.example", None)
    assert [m["To"] for m in inbox.messages] == ["kim@example.org", "kim@new.example"]
    response = client.post(old_link)
    assert response.status_code == 400
    assert "an address the account no longer uses" in response.get_data(as_text=True)
    client.post(link_in(inbox.messages[1]))
    assert stored(mail_app, "kim").confirmed_email == "kim@new.example"
    # Saving the profile without changing the address keeps it confirmed, and mails nothing.
    client.post("/-/account", data={"display_name": "Kim K", "email": "kim@new.example"})
    assert stored(mail_app, "kim").confirmed_email == "kim@new.example"
    assert len(inbox.messages) == 2


def test_expired_and_forged_links_are_refused(mail_app, smtp_sink, monkeypatch):
    _, inbox = smtp_sink
    client = mail_app.test_client()
    register(client)
    path = link_in(inbox.messages[0])
    forged = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    response = client.post(forged)
    assert response.status_code == 400 and "This link is not right" in response.get_data(
        as_text=True
    )
    monkeypatch.setattr(confirmation, "LINK_LIFETIME", timedelta(seconds=-1))
    response = client.post(path)
    assert response.status_code == 400 and "This link has expired" in response.get_data(
        as_text=True
    )
    assert stored(mail_app, "kim").email_confirmed_at is None


def test_the_link_can_be_sent_again(mail_app, smtp_sink):
    _, inbox = smtp_sink
    client = mail_app.test_client()
    register(client)
    assert client.post("/-/account/confirm-email").status_code == 303
    assert len(inbox.messages) == 2
    client.post(link_in(inbox.messages[1]))
    client.post("/-/account/confirm-email")
    assert "already confirmed" in client.get("/-/account").get_data(as_text=True)
    assert len(inbox.messages) == 2


def test_without_mail_nothing_is_promised(client):
    assert register(client).status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "We sent a link" not in home
    client.post("/-/account/confirm-email")
    assert "cannot send e-mail" in client.get("/-/account").get_data(as_text=True)


def test_an_unconfirmed_address_gets_no_news(mail_app, smtp_sink, create_user):
    from wiki.pages import services as pages

    _, inbox = smtp_sink
    create_user("fran", Role.FACILITATOR, email="fran@example.org", confirmed=False)
    create_user("olu", Role.FACILITATOR, email="olu@example.org")
    create_user("pat")
    with mail_app.app_context():
        author = db.session.get(User, create_user("host").id)
        page_id = pages.create_page("Picnic plans", "Hello", author).page.id
        db.session.commit()
    client = mail_app.test_client()
    client.post("/-/login", data={"username": "pat", "password": "correct horse battery"})
    client.post("/-/reports", data={"target_type": "page", "target_id": page_id, "reason": "x"})
    assert [m["To"] for m in inbox.messages] == ["olu@example.org"]


def test_only_a_confirmed_address_finds_an_account_for_a_reset(mail_app, smtp_sink, create_user):
    _, inbox = smtp_sink
    create_user("sam", email="victim@example.org", confirmed=False)
    client = mail_app.test_client()
    client.post("/-/forgot", data={"identifier": "victim@example.org"})
    assert inbox.messages == []
    client.post("/-/forgot", data={"identifier": "sam"})  # the name still works
    assert [m["To"] for m in inbox.messages] == ["victim@example.org"]
