"""Forms for reporting content and for handling reports."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired


class ReportForm(FlaskForm):
    reason = TextAreaField(
        "What is wrong?",
        validators=[DataRequired(message="Say what is wrong, so the facilitators know.")],
        description="A sentence or two is plenty. Only the facilitators will read it.",
    )
    target_type = HiddenField()
    target_id = HiddenField()
    next = HiddenField()


class HandleForm(FlaskForm):
    note = TextAreaField(
        "Note (optional)",
        description="For the other facilitators. When declining a session, the pitcher reads it.",
    )
