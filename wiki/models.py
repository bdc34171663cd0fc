"""Every model, imported in one place for Alembic and the tests."""

from wiki.accounts.models import PasswordResetToken, Role, User

__all__ = ["PasswordResetToken", "Role", "User"]
