"""Forms for reporting content and for handling reports."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired

from wiki.bounds import IdField
from wiki.idempotency import SubmitOnce


class ReportForm(SubmitOnce, FlaskForm):
    reason = TextAreaField(
        "What is wrong?",
        validators=[DataRequired(message="Say what is wrong, so the facilitators know.")],
        description="A sentence or two is plenty. Only the facilitators will read it.",
    )
    target_type = HiddenField()
    target_id = IdField(message="There is nothing to report there: it may have been removed.")
    next = HiddenField()


class HandleForm(FlaskForm):
    note = TextAreaField(
        "Note (optional)",
        description="For the other facilitators. When declining a session, the pitcher reads it.",
    )
