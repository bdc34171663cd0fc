"""Forms for pitching, commenting, declining and merging."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wiki.bounds import IdField, WholeNumberField
from wiki.forms import CheckboxList, choices_of
from wiki.idempotency import SubmitOnce
from wiki.pitches.models import Audience, Need, PitchFormat


class PitchForm(SubmitOnce, FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    summary = TextAreaField(
        "What is it about?",
        validators=[Optional(), Length(max=5000)],
        description="A few lines is plenty. Markdown works.",
    )
    wish = BooleanField("This is a wish: I'd love someone to run it (I won't host it myself)")
    child_id = SelectField("Led by one of your children?", coerce=str, validate_choice=False)
    format = RadioField("Format", choices=choices_of(PitchFormat), default="talk")
    length_slots = RadioField(
        "Length",
        choices=[SelectChoice("1", "One slot"), SelectChoice("2", "Two slots")],
        default="1",
    )
    audience = RadioField(
        "Who is it for?",
        choices=choices_of(Audience),
        default="everyone",
    )
    min_age = WholeNumberField(
        "Youngest age", validators=[Optional()], low=0, high=120, message="Ages are 0 to 120."
    )
    max_age = WholeNumberField(
        "Oldest age", validators=[Optional()], low=0, high=120, message="Ages are 0 to 120."
    )
    young_leader = BooleanField("Led by a young person")
    needs = CheckboxList("Needs", choices=choices_of(Need))
    tags = StringField(
        "Tags",
        validators=[Optional(), Length(max=300)],
        description="Separated by commas, e.g. accessibility, data, nature.",
    )
    co_hosts = StringField(
        "Co-hosts",
        validators=[Optional(), Length(max=300)],
        description="Usernames of people running it with you, separated by commas.",
    )
    picture = FileField(
        "A picture (optional)",
        description="A drawing or photo, for children who cannot write yet. "
        "PNG, JPEG, GIF or WebP.",
    )


class CommentForm(SubmitOnce, FlaskForm):
    body = TextAreaField("Your question or comment", validators=[DataRequired(), Length(max=5000)])


class DeclineForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=300)])


class MergeForm(FlaskForm):
    into = IdField(
        "Merge into",
        validators=[InputRequired("Choose the session to merge this one into.")],
        message="Choose the session to merge this one into.",
    )
