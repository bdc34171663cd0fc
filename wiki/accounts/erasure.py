"""Deleting one's account, and a copy of everything the site holds about a person.

UK GDPR gives people both rights. What others wrote with them stays (a wiki page is
everyone's work): their name comes off it. Accounts knows its own tables only; every other
domain does its share from its own ``erasure.py``, answering the signals in ``signals.py``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from wiki.accounts import signals
from wiki.accounts.models import Login, Role, User
from wiki.accounts.passwords import verify_password
from wiki.accounts.services import AccountError
from wiki.extensions import db

ORDER = 0
# Logins and reset tokens go with the account; a reset token someone else issued loses its
# issuer. Form tokens (``wiki.idempotency``) are plumbing below every domain, so accounts
# answers for them too.
HANDLES = frozenset(
    {
        "user_logins.user_id",
        "password_reset_tokens.user_id",
        "password_reset_tokens.issued_by_id",
        "submissions.user_id",
    }
)


def delete_account(user: User, password: str) -> None:
    """Delete ``user`` and what is only theirs; keep what they wrote with others, unnamed.

    Each domain does its share (``<domain>/erasure.py``, answering ``signals.user_deleting``):

    - the household's RSVP and its children go, and their places go to the waiting list;
    - their dots (and their children's) come off the sessions, and open boards hear of it;
    - sessions they pitched stay, with no host, so someone can adopt them;
    - page edits, comments, announcements and reports stay, by "a former account".
    """
    if not verify_password(user.password_hash, password):
        raise AccountError("password", "That is not your password.")
    if user.role == Role.ADMIN and _other_admins(user) == 0:
        raise AccountError(
            "password",
            "You are the only admin. Make someone else an admin first, so the site keeps one.",
        )
    # Every domain locks what it will change, in the declared order (places, then votes),
    # the order the rest of the site takes those locks in.
    afterwards = [erasure.prepare(user) for erasure in signals.erasures(user)]
    # The database removes or unnames the rest (ON DELETE CASCADE / SET NULL): whole ballots
    # go with their dots, so every ballot left still spends exactly the dots it holds.
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.expire_all()
    for then in afterwards:
        if then is not None:
            then()


def _other_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.id != user.id)
    )


def personal_data(user: User) -> dict[str, Any]:
    """Return everything the site holds about ``user``, as plain values for a JSON file."""
    return signals.personal_data(user)


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    return signals.PersonalData(
        order=ORDER,
        sections={
            "account": {
                "username": user.username,
                "display_name": user.display_name,
                "email": user.email,
                "email_confirmed_at": (
                    user.email_confirmed_at.isoformat() if user.email_confirmed_at else None
                ),
                "role": str(user.role),
                "created_at": user.created_at.isoformat(),
            },
            "logins": [
                {
                    "started_at": login.created_at.isoformat(),
                    "ends_at": login.expires_at.isoformat(),
                }
                for login in db.session.scalars(
                    select(Login).where(Login.user_id == user.id).order_by(Login.id)
                )
            ],
        },
    )
