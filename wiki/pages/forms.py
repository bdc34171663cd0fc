"""Forms for pages; an edit form carries the revision it started from."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from wiki.bounds import IdField, whole_number
from wiki.idempotency import SubmitOnce

TEMPLATES = [
    SelectChoice("blank", "A blank page"),
    SelectChoice("proposal", "An event proposal (why, when, where, families, facilities…)"),
]


class EditForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        "Text",
        description="Markdown: **bold**, _italic_, # headings, - lists, - [ ] tasks, "
        "[[Page name]] links to another page.",
    )
    summary = StringField(
        "Summary of your change (optional)",
        validators=[Optional(), Length(max=300)],
        description="A few words for the history, e.g. “added the venue”.",
    )
    # Missing (a form from before it was added, a hand-made request) means "not known":
    # the save then merges with, or shows a conflict against, the newest text.
    base_revision = IdField(message="This form is from a page that changed; reload and edit again.")


class NewPageForm(SubmitOnce, EditForm):
    template = RadioField("Start from", choices=TEMPLATES, default="blank")


class RenameForm(FlaskForm):
    title = StringField(
        "New title",
        validators=[DataRequired(), Length(max=200)],
        description="The old address keeps working and leads here.",
    )


class HideForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class TaskField(HiddenField):
    """A task and its new state, sent by the task's button as ``<index>:<1 or 0>``.

    Its data is ``(index, checked)``, or None when the value is not of that shape.
    """

    def process_formdata(self, valuelist):
        index, _, checked = (valuelist[0] if valuelist else "").partition(":")
        number = whole_number(index, low=0)
        self.data = (
            None if number is None or checked not in ("0", "1") else (number, checked == "1")
        )


class TickForm(FlaskForm):
    task = TaskField(validators=[DataRequired()])
    base_revision = IdField(validators=[DataRequired()])
