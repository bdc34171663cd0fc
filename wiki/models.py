"""Every model, imported in one place for Alembic and the tests."""

from wiki.accounts.models import PasswordResetToken, Role, User
from wiki.pages.models import Page, PageAlias, PageLink, Revision

__all__ = ["Page", "PageAlias", "PageLink", "PasswordResetToken", "Revision", "Role", "User"]
