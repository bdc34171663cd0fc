"""People with accounts, their roles, their logins, and password reset tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.auth import Role, RoleHolder
from wiki.database import Base, utcnow


def new_session_token() -> str:
    """Return a fresh random token (the retired ``users.session_token`` column's default)."""
    return secrets.token_urlsafe(24)


class User(UserMixin, RoleHolder, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('participant', 'facilitator', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    # Casefolded copy: "Alice" and "alice" are the same person, on every database.
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    # Set when the person opened the link mailed to ``email``; cleared when it changes.
    # Notices go only to confirmed addresses: anyone can type someone else's address.
    email_confirmed_at: Mapped[datetime | None]
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT)
    # Retired: logins are rows of ``user_logins`` now (see ``Login``). Dropping the column
    # would rebuild ``users`` on SQLite, whose foreign keys cascade on the rebuild's DROP.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    reset_tokens: Mapped[list[PasswordResetToken]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="PasswordResetToken.user_id",
    )

    # The secret of the login this object was loaded through (or just started); cookies
    # carry it, the database only its hash. Not a column: each request sets its own.
    login_secret = None

    def get_id(self) -> str:
        # Without a started login the id names no login, so it logs nobody in.
        return f"{self.id}:{self.login_secret or ''}"

    @property
    def confirmed_email(self) -> str | None:
        """Return the address to send notices to: only one its owner has confirmed."""
        return self.email if self.email and self.email_confirmed_at else None

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


class PasswordResetToken(Base):
    """A one-time link to set a new password; only its hash is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="reset_tokens", foreign_keys=[user_id])


class Login(Base):
    """One login: a browser's session and remember-me cookies carry its secret.

    Logging out deletes the row, so every copy of that browser's cookies stops working;
    "log out everywhere" and a new password delete the person's other rows too.
    """

    __tablename__ = "user_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the secret: a copy of the table logs nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
