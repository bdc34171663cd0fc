"""Registering, logging in and out, and looking after one's own account."""

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from wiki.accounts import confirmation, erasure, services
from wiki.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from wiki.extensions import db, limiter
from wiki.forms import EmptyForm, add_form_error
from wiki.ratelimit import account_key, refund_after_commit
from wiki.rendering import form_errors_status, render, safe_next

bp = Blueprint("accounts", __name__, url_prefix="/-")

PASSWORD_NOT_KEPT = "Type your password again: it is not kept when the form has a problem."


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _login_name() -> str:
    return "login-name:" + services.username_key(request.form.get("username", ""))


def _log_in(user, *, remember: bool = False) -> None:
    services.start_login(user, remember=remember)
    login_user(user, remember=remember)


def _log_out() -> None:
    if current_user.is_authenticated:
        services.end_login(current_user._get_current_object())
    logout_user()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account and log in with it."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.is_submitted():
        # Every problem at once: the form's own checks, then the account rules on what
        # passed them.
        form.validate()
        username = "" if form.username.errors else form.username.data or ""
        for problem in services.registration_problems(
            username,
            "" if form.password.errors else form.password.data or "",
            display_name=form.display_name.data or "",
            invite_code=form.invite_code.data or "",
        ):
            if not form[problem.field].errors:
                add_form_error(form, problem.field, problem.message)
        if not form.errors:
            try:
                user = services.register_user(
                    form.username.data,
                    form.password.data,
                    display_name=form.display_name.data or "",
                    email=form.email.data,
                    invite_code=form.invite_code.data or "",
                )
            except services.AccountError as error:
                add_form_error(form, error.field, error.message)
            else:
                _log_in(user)
                refund_after_commit()  # only failed attempts use up the limit
                flash(f"Welcome, {user.display_name}! Your account is ready.", "success")
                _offer_confirmation(user)
                return redirect(url_for("main.home"), 303)
        if form.password.data and not form.password.errors:
            # A password is never sent back to the browser, so the field comes back empty.
            add_form_error(form, "password", PASSWORD_NOT_KEPT)
        elif form.password.data:
            add_form_error(form, "password", "The field was cleared.")
    return render(
        "accounts/register.html",
        form=form,
        invite_required=bool(current_app.config["INVITE_CODE"]),
        status=form_errors_status(form),
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_name)
def login():
    """Log in with a username and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("main.home")))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            _log_in(user, remember=form.remember.data)
            # Every attempt was counted before the password was checked, so parallel
            # guesses cannot all pass one check; a right password gets its count back.
            refund_after_commit()
            flash(f"Logged in as {user.display_name}.", "success")
            return redirect(safe_next(form.next.data, url_for("main.home")), 303)
        add_form_error(form, "password", "That username and password do not match an account.")
    return render("accounts/login.html", form=form, status=form_errors_status(form))


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out of this browser: its login ends, so copies of its cookies stop working too."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    _log_out()
    flash("You are logged out.", "info")
    return redirect(url_for("main.home"), 303)


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every login of this account, on every browser and device, this one included."""
    services.end_all_logins(current_user._get_current_object())
    logout_user()
    flash("You are logged out everywhere, on this device too.", "info")
    return redirect(url_for("accounts.login"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """Show and change one's display name and e-mail."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            changed = services.update_profile(current_user, form.display_name.data, form.email.data)
        except services.AccountError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash("Your profile is saved.", "success")
            if changed:
                _offer_confirmation(current_user)
            return redirect(url_for("accounts.profile"), 303)
    return render(
        "accounts/profile.html",
        form=form,
        resend_form=EmptyForm(),
        logout_form=EmptyForm(),
        login_count=services.login_count(current_user),
        status=form_errors_status(form),
    )


def _offer_confirmation(user) -> None:
    if confirmation.send_confirmation(user):
        flash(
            f"We sent a link to {user.email}: open it to confirm the address is yours.",
            "info",
        )


@bp.post("/account/confirm-email")
@login_required
@limiter.limit("5 per hour", key_func=account_key)
def resend_confirmation():
    """Mail the confirmation link again."""
    if current_user.confirmed_email:
        flash("Your address is already confirmed.", "info")
    elif not confirmation.send_confirmation(current_user):
        flash("This site cannot send e-mail, so addresses cannot be confirmed.", "error")
    else:
        flash(f"We sent a new link to {current_user.email}.", "info")
    return redirect(url_for("accounts.profile"), 303)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm an address from the mailed link (a button, so link scanners confirm nothing)."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            user = confirmation.confirm_email(token)
        except services.AccountError as error:
            return render("accounts/confirm_email.html", form=None, error=error.message, status=400)
        flash(f"Thank you: {user.email} is confirmed.", "success")
        if current_user.is_authenticated:
            return redirect(url_for("accounts.profile"), 303)
        return redirect(url_for("main.home"), 303)
    return render("accounts/confirm_email.html", form=form, error=None)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password, logging out every other device."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except services.AccountError as error:
            add_form_error(form, error.field, error.message)
        else:
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.profile"), 303)
    return render("accounts/change_password.html", form=form, status=form_errors_status(form))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"], key_func=account_key)
def delete_account():
    """Delete one's own account, after saying what goes and what stays."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            erasure.delete_account(current_user, form.password.data)
        except services.AccountError as error:
            add_form_error(form, error.field, error.message)
        else:
            # Commit before the session forgets who this was: the deletion must not wait
            # for the after-request commit of a request that no longer has a user.
            db.session.commit()
            logout_user()  # the account's logins went with it
            flash("Your account is deleted. Thank you for taking part.", "info")
            return redirect(url_for("main.home"), 303)
    return render("accounts/delete.html", form=form, status=form_errors_status(form))


@bp.get("/account/data.json")
@login_required
def export_data():
    """Download everything the site holds about oneself."""
    body = json.dumps(erasure.personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="campwiki-{current_user.username}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link by e-mail, or learn whom to ask for one."""
    form = ForgotPasswordForm()
    sent = False
    can_mail = services.mail_configured()
    if can_mail and form.validate_on_submit():
        services.request_reset_by_mail(form.identifier.data)
        sent = True
    return render(
        "accounts/forgot_password.html",
        form=form,
        sent=sent,
        can_mail=can_mail,
        status=form_errors_status(form),
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password through a one-time link."""
    try:
        found = services.redeem_reset_token(token)
    except services.AccountError as error:
        return render("accounts/reset_invalid.html", message=error.message, status=410)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.new_password.data)
        except services.AccountError as error:
            add_form_error(form, error.field, error.message)
        else:
            _log_out()
            flash(f"Your password is set, {user.display_name}. Log in with it now.", "success")
            return redirect(url_for("accounts.login"), 303)
    return render(
        "accounts/reset_password.html",
        form=form,
        user=found.user,
        status=form_errors_status(form),
    )
