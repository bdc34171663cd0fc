"""Forms for pages; an edit form carries the revision it started from."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wiki.bounds import IdField
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


class TickForm(FlaskForm):
    index = IntegerField(validators=[InputRequired()])
    checked = HiddenField()
    base_revision = IntegerField(validators=[InputRequired()])
