"""Sending e-mail over SMTP, where the site has a mail server configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from wiki.database import on_commit
from wiki.extensions import db

# (to, subject, body)
Mail = tuple[str, str, str]


def mail_configured() -> bool:
    """Tell whether this site can send e-mail."""
    return bool(current_app.config["MAIL_SERVER"])


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message through the configured SMTP server."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def send_after_commit(messages: list[Mail], failure: str) -> None:
    """Send ``messages`` once this transaction commits; forget them if it rolls back.

    Mail about something that was never saved would send people looking for nothing. Sending
    is best effort: the change stands whether or not the mail goes out, and ``failure`` is
    logged when the server cannot be reached.
    """
    if messages and mail_configured():
        on_commit(db.session(), lambda: _send_all(messages, failure))


def _send_all(messages: list[Mail], failure: str) -> None:
    for to, subject, body in messages:
        try:
            send_mail(to, subject, body)
        except smtplib.SMTPRecipientsRefused as error:
            current_app.logger.warning("Mail to %s refused: %s", to, error)
        except (smtplib.SMTPException, OSError) as error:
            # The server is down or refusing us: trying the others only makes people wait.
            current_app.logger.warning("%s: %s", failure, error)
            return
