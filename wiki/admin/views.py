"""The admin's tools: people, their roles, and reset links for forgotten passwords."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from wiki.accounts import services
from wiki.accounts.forms import RoleForm
from wiki.accounts.models import User
from wiki.auth import Role, role_required
from wiki.extensions import db
from wiki.forms import EmptyForm
from wiki.rendering import render

bp = Blueprint("admin", __name__, url_prefix="/-/admin")


def get_user(user_id: int) -> User:
    """Return the account or answer 404."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """List every account with its role."""
    people = db.session.scalars(select(User).order_by(User.username_key)).all()
    return render(
        "admin/users.html",
        people=people,
        role_form=RoleForm(),
        reset_form=EmptyForm(),
        roles=list(Role),
    )


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def set_role(user_id: int):
    """Give a person another role."""
    user = get_user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the roles offered.")
    try:
        services.set_role(user, Role(form.role.data), by=current_user)
    except services.AccountError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.users"), 303)
    flash(f"{user.display_name} is now {Role(user.role).label.lower()}.", "success")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/reset-link")
@role_required(Role.ADMIN)
def issue_reset_link(user_id: int):
    """Make a one-time reset link to hand to a person who forgot their password."""
    user = get_user(user_id)
    link = services.issue_reset_link(user, issued_by=current_user)
    return render("admin/reset_link.html", user=user, link=link)
