"""Confirming an e-mail address: a signed link mailed to it, opened by its owner.

The link carries the account and the address it was sent to, signed with the secret key,
so nothing is stored; it confirms that address only, and only within a week.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from wiki.accounts.models import User
from wiki.accounts.services import AccountError
from wiki.database import utcnow
from wiki.extensions import db
from wiki.mail import mail_configured, send_after_commit
from wiki.urls import external_url
from wiki.words import plural

LINK_LIFETIME = timedelta(days=7)
SALT = "campwiki-confirm-email"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def confirmation_link(user: User) -> str:
    """Return the link that confirms ``user``'s current address."""
    token = _serializer().dumps({"user": user.id, "email": user.email})
    return external_url("accounts.confirm_email", token=token)


def send_confirmation(user: User) -> bool:
    """Mail a confirmation link to the person's address once this transaction commits.

    Returns False when there is nothing to send it with, or nowhere to send it.
    """
    if not user.email or not mail_configured():
        return False
    site = current_app.config["SITE_NAME"]
    days = LINK_LIFETIME.days
    send_after_commit(
        [
            (
                user.email,
                f"Confirm your e-mail address for {site}",
                f"Hello {user.display_name},\n\nThis address was given for the account "
                f"“{user.username}” on {site}. Open this link within {plural(days, 'day')} "
                f"to confirm it is yours, so news about events you come to can reach you:\n\n"
                f"{confirmation_link(user)}\n\nIf it was not you, ignore this message: "
                "nothing will be sent here unless the link is opened.\n",
            )
        ],
        "Could not send an e-mail confirmation link",
    )
    return True


def confirm_email(token: str) -> User:
    """Mark the address in ``token`` confirmed; raise if the link is bad, old or outdated."""
    try:
        claim = _serializer().loads(token, max_age=int(LINK_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise AccountError("token", "This link has expired: ask for a new one.") from None
    except BadSignature:
        raise AccountError("token", "This link is not right: copy all of it.") from None
    user = db.session.get(User, claim.get("user")) if isinstance(claim, dict) else None
    if user is None or not user.email or user.email != claim.get("email"):
        raise AccountError(
            "token",
            "This link was for an address the account no longer uses: ask for a new one.",
        )
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user
