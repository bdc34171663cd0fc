"""Business rules for accounts: registering, logging in and out, passwords and reset links.

Logins: each time someone logs in, a ``Login`` row is made and its secret goes into the
browser's session cookie (and remember-me cookie, if asked). That is how mature sites
behave: "Log out" ends this login, wherever its cookies were copied to, and leaves the
person's phone logged in; "Log out everywhere" (on the account page) and a new password
end every login the person has.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from wiki.accounts.models import Login, PasswordResetToken, Role, User
from wiki.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from wiki.database import utcnow
from wiki.extensions import db
from wiki.mail import mail_configured, send_mail
from wiki.rules import RuleError
from wiki.urls import external_url
from wiki.words import plural

# Verifying against this keeps a login for an unknown name as slow as a wrong password,
# so timing does not reveal which names exist.
_DUMMY_HASH: dict[str, str] = {}


class AccountError(RuleError):
    """A request about an account cannot be granted."""


def username_key(username: str) -> str:
    """Return the form of a username used to compare it with others."""
    return username.strip().casefold()


def find_user(username: str) -> User | None:
    """Return the account called ``username``, in any letter case."""
    return db.session.scalar(select(User).where(User.username_key == username_key(username)))


def registration_problems(
    username: str, password: str, *, display_name: str = "", invite_code: str = ""
) -> list[AccountError]:
    """Return every reason an account cannot be made with these details, in form order.

    Empty values are left to the form's own "required" checks.
    """
    problems = []
    username = username.strip()
    if username and find_user(username) is not None:
        problems.append(
            AccountError("username", f"The name “{username}” is taken; choose another.")
        )
    if password:
        problem = password_problem(
            password, username=username, display_name=display_name.strip() or username
        )
        if problem:
            problems.append(AccountError("password", problem))
    required = current_app.config["INVITE_CODE"]
    if required and not hmac.compare_digest(invite_code.strip(), required):
        problems.append(
            AccountError(
                "invite_code", "That invite code is not right; check it with an organiser."
            )
        )
    return problems


def register_user(
    username: str,
    password: str,
    *,
    display_name: str = "",
    email: str | None = None,
    invite_code: str = "",
    role: Role = Role.PARTICIPANT,
) -> User:
    """Create an account, checking the invite code, name and password rules."""
    problems = registration_problems(
        username, password, display_name=display_name, invite_code=invite_code
    )
    if problems:
        raise problems[0]
    username = username.strip()
    display_name = display_name.strip() or username
    user = User(
        username=username,
        username_key=username_key(username),
        display_name=display_name,
        email=(email or "").strip() or None,
        password_hash=hash_password(password),
        role=role,
    )
    try:
        # A savepoint, so that losing a race for the name leaves the request usable.
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise AccountError("username", f"The name “{username}” is taken; choose another.") from None
    return user


def authenticate(username: str, password: str) -> User | None:
    """Return the account if the password is right, upgrading an old hash on the way."""
    user = find_user(username)
    if user is None:
        dummy = _DUMMY_HASH.setdefault(
            current_app.config["ARGON2_PROFILE"], hash_password("x" * 16)
        )
        verify_password(dummy, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def start_login(user: User, *, remember: bool = False) -> None:
    """Start a login for ``user``; its secret becomes ``user.login_secret`` for the cookies.

    A login lasts as long as its longest-lived cookie may: the remember-me cookie's
    duration, or else the session lifetime (a browser left open for weeks logs in again).
    """
    config = current_app.config
    lifetime = (
        config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    )
    now = utcnow()
    # Logins nobody ended go when they expire; one indexed statement, only at log-in time.
    db.session.execute(delete(Login).where(Login.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    db.session.add(
        Login(
            user_id=user.id,
            token_hash=_hash_token(secret),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    user.login_secret = secret


def user_for_login(user_id: int, secret: str) -> User | None:
    """Return the person whose live login has ``secret``, or None if it ended or expired."""
    if not secret:
        return None
    user = db.session.scalar(
        select(User)
        .join(Login, Login.user_id == User.id)
        .where(
            User.id == user_id,
            Login.token_hash == _hash_token(secret),
            Login.expires_at > utcnow(),
        )
    )
    if user is not None:
        user.login_secret = secret
    return user


def end_login(user: User) -> None:
    """End the login ``user`` was loaded through: its cookies, and every copy, stop working."""
    if user.login_secret:
        db.session.execute(delete(Login).where(Login.token_hash == _hash_token(user.login_secret)))
        user.login_secret = None


def end_other_logins(user: User) -> None:
    """End every login of ``user`` but the current one (all of them when there is none)."""
    query = delete(Login).where(Login.user_id == user.id)
    if user.login_secret:
        query = query.where(Login.token_hash != _hash_token(user.login_secret))
    db.session.execute(query)


def end_all_logins(user: User) -> None:
    """End every login of ``user``, this one included: log out everywhere."""
    db.session.execute(delete(Login).where(Login.user_id == user.id))
    user.login_secret = None


def login_count(user: User) -> int:
    """Return how many live logins ``user`` has (browsers and devices)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Login)
        .where(Login.user_id == user.id, Login.expires_at > utcnow())
    )


def set_password(user: User, new_password: str) -> None:
    """Give ``user`` a new password and end every other login they have."""
    problem = password_problem(new_password, username=user.username, display_name=user.display_name)
    if problem:
        raise AccountError("new_password", problem)
    user.password_hash = hash_password(new_password)
    end_other_logins(user)
    for token in user.reset_tokens:
        if token.used_at is None:
            token.used_at = utcnow()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password, which needs the current one."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError("current_password", "Your current password is not right.")
    set_password(user, new_password)


def update_profile(user: User, display_name: str, email: str | None) -> bool:
    """Change how a person is shown and where mail goes; say whether the address changed.

    A new address is unconfirmed until its owner opens the link mailed to it.
    """
    display_name = display_name.strip()
    if not display_name:
        raise AccountError("display_name", "Give a name to show to others.")
    user.display_name = display_name
    email = (email or "").strip() or None
    if email == user.email:
        return False
    user.email = email
    user.email_confirmed_at = None
    return email is not None


def set_role(user: User, role: Role, *, by: User) -> None:
    """Change a person's role; an admin cannot demote themselves and lock everyone out."""
    if user.id == by.id and role != Role.ADMIN:
        raise AccountError("role", "You cannot take away your own admin role.")
    user.role = role


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetLink:
    url: str
    expires_in: timedelta


def issue_reset_link(user: User, *, issued_by: User | None = None) -> ResetLink:
    """Create a one-time, expiring link to set a new password."""
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    db.session.add(
        PasswordResetToken(
            user=user,
            token_hash=_hash_token(token),
            expires_at=utcnow() + lifetime,
            issued_by_id=issued_by.id if issued_by else None,
        )
    )
    db.session.flush()
    return ResetLink(external_url("accounts.reset_password", token=token), lifetime)


def request_reset_by_mail(identifier: str) -> bool:
    """E-mail a reset link to the account named or addressed; say whether mail is possible.

    Whether an account was found is never revealed to the person asking.
    """
    if not mail_configured():
        return False
    identifier = identifier.strip()
    user = find_user(identifier)
    if user is None and "@" in identifier:
        # Only a confirmed address names an account: anyone can type anyone's address.
        user = db.session.scalar(
            select(User).where(User.email == identifier, User.email_confirmed_at.is_not(None))
        )
    if user is not None and user.email:
        link = issue_reset_link(user)
        hours = int(link.expires_in.total_seconds() // 3600)
        send_mail(
            user.email,
            f"Reset your {current_app.config['SITE_NAME']} password",
            f"Hello {user.display_name},\n\nSomeone (we hope you) asked to reset the password "
            f"for the account “{user.username}”.\nOpen this link within {plural(hours, 'hour')} "
            f"to choose a new one; it works once:\n\n{link.url}\n\n"
            "If it was not you, ignore this message; your password stays as it is.\n",
        )
    return True


def redeem_reset_token(token: str) -> PasswordResetToken:
    """Return the live reset token, or raise if it is unknown, used or expired."""
    found = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token))
    )
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        raise AccountError(
            "token", "This reset link has expired or was already used; ask for a new one."
        )
    return found


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link, which is then used up."""
    found = redeem_reset_token(token)
    set_password(found.user, new_password)
    found.used_at = utcnow()
    return found.user
