"""Forms for accounts; each re-renders with what the person typed when it fails."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from wiki.auth import Role
from wiki.forms import choices_of

USERNAME_RULE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    message="Use letters, digits, dots, dashes and underscores, starting with a letter or digit.",
)


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(min=2, max=40), USERNAME_RULE],
        description="What you log in with. Letters, digits, dots, dashes, underscores.",
    )
    display_name = StringField(
        "Display name",
        validators=[Optional(), Length(max=80)],
        description="How others see you on the wiki; your username if left empty.",
    )
    email = EmailField(
        "E-mail (optional)",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        description="Only used to send you a link if you forget your password.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired()],
        description="At least 10 characters. A few unrelated words make a strong one.",
    )
    invite_code = StringField("Invite code", validators=[Optional(), Length(max=100)])


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in on this device for 30 days")
    next = HiddenField()


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    email = EmailField(
        "E-mail (optional)",
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description="At least 10 characters. Changing it logs you out everywhere else.",
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired(message="Enter your password to delete your account.")],
    )


class ForgotPasswordForm(FlaskForm):
    identifier = StringField("Username or e-mail", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password", validators=[DataRequired()], description="At least 10 characters."
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=choices_of(Role))
