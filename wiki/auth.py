"""Who may do what: the role vocabulary, the questions a person answers about it, one gate.

This module sits at the bottom of the house: it imports no domain. Accounts builds its
``User`` on ``RoleHolder``; the login manager's ``anonymous_user`` is ``AnonymousUser``, so
``current_user.is_facilitator`` is a plain yes or no for everyone, logged in or not.
"""

from __future__ import annotations

import enum
from functools import wraps

from flask import abort
from flask_login import AnonymousUserMixin, current_user, login_required


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ROLE_RANK = {Role.PARTICIPANT: 0, Role.FACILITATOR: 1, Role.ADMIN: 2}


class RoleHolder:
    """The role questions, answered from the holder's ``role`` (a ``Role`` value)."""

    def has_role(self, role: Role) -> bool:
        """Tell whether this person holds ``role`` or a stronger one."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[role]

    @property
    def is_facilitator(self) -> bool:
        return self.has_role(Role.FACILITATOR)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)


class AnonymousUser(AnonymousUserMixin):
    """Someone not logged in: holds no role, so every role question answers no."""

    def has_role(self, role: Role) -> bool:
        return False

    @property
    def is_facilitator(self) -> bool:
        return False

    @property
    def is_admin(self) -> bool:
        return False


def role_required(role: Role):
    """Send anonymous people to log in; refuse (403) anyone below ``role``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403, f"Only a {role.value} can do that.")
            return view(*args, **kwargs)

        # Lets tooling (the route walker test) see who can reach the view at all.
        wrapped.required_role = role
        return wrapped

    return decorator
