"""Authorisation checks that views use before doing anything."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from wiki.accounts.models import Role


def role_required(role: Role):
    """Refuse the view (403) unless the person holds ``role`` or a stronger one."""

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
