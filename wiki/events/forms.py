"""Forms for events, RSVPs and announcements."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from wiki.bounds import IdField, WholeNumberField
from wiki.events.models import MAX_ADULTS, MAX_CAPACITY, MAX_DOTS, AgeBand
from wiki.forms import choices_of
from wiki.idempotency import SubmitOnce

TIMEZONES = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Helsinki",
    "Atlantic/Reykjavik",
    "America/New_York",
    "America/Toronto",
    "Australia/Sydney",
    "UTC",
]

WHOLE = "Enter a whole number."


class EventForm(SubmitOnce, FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        "Web address (optional)",
        validators=[Optional(), Length(max=60)],
        description="The part after /events/ — made from the name if left empty.",
    )
    summary = StringField(
        "One-line summary",
        validators=[Optional(), Length(max=300)],
        description="Shown when the event's link is shared.",
    )
    description = TextAreaField(
        "Description (Markdown)", validators=[Optional(), Length(max=20000)]
    )
    starts_on = DateField("Starts on", validators=[InputRequired("Give the start date.")])
    starts_time = TimeField("Start time", validators=[InputRequired("Give the start time.")])
    ends_on = DateField("Ends on", validators=[InputRequired("Give the end date.")])
    ends_time = TimeField("End time", validators=[InputRequired("Give the end time.")])
    timezone = SelectField("Time zone", choices=[SelectChoice(z, z) for z in TIMEZONES])
    venue_name = StringField("Venue", validators=[Optional(), Length(max=200)])
    venue_address = TextAreaField("Address", validators=[Optional(), Length(max=1000)])
    directions = TextAreaField(
        "Directions",
        validators=[Optional(), Length(max=5000)],
        description="Public transport, parking, step-free routes, where the entrance is.",
    )
    map_url = URLField("Map link", validators=[Optional(), Length(max=500)])
    capacity = WholeNumberField(
        "Capacity (people, children included)",
        validators=[Optional()],
        low=1,
        high=MAX_CAPACITY,
        message=f"Capacity must be a whole number from 1 to {MAX_CAPACITY:,}, "
        "or empty for no limit.",
        description="Leave empty for no limit. When full, households join a waiting list.",
    )
    dots_per_person = WholeNumberField(
        "Dots per person",
        default=5,
        validators=[InputRequired(WHOLE)],
        low=1,
        high=MAX_DOTS,
        message=f"Dots per person must be a whole number from 1 to {MAX_DOTS}.",
    )
    max_dots_per_pitch = WholeNumberField(
        "Most dots one person may put on one session",
        default=3,
        validators=[InputRequired(WHOLE)],
        low=1,
        high=MAX_DOTS,
        message=f"The most dots on one session must be a whole number from 1 to {MAX_DOTS}.",
    )
    children_vote = BooleanField("Children registered in an RSVP get their own dots", default=True)
    allow_self_dots = BooleanField("People may put dots on their own sessions")
    hide_tallies = BooleanField("Hide the dot counts until a facilitator reveals them")


class ChildForm(Form):
    child_id = IdField(message="That child is not in this RSVP any more; reload the page.")
    first_name = StringField("First name", validators=[Optional(), Length(max=40)])
    age_band = SelectField(
        "Age",
        choices=[SelectChoice("", "Choose…")] + choices_of(AgeBand),
        validate_choice=False,
    )


class RsvpForm(FlaskForm):
    adults = WholeNumberField(
        "Adults (including you)",
        default=1,
        validators=[InputRequired(WHOLE)],
        low=1,
        high=MAX_ADULTS,
        message=f"A household brings from 1 to {MAX_ADULTS} adults.",
    )
    children = FieldList(FormField(ChildForm), min_entries=1)
    access_needs = TextAreaField(
        "Access needs (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Only organisers see this.",
    )
    dietary_needs = TextAreaField(
        "Dietary needs (optional)",
        validators=[Optional(), Length(max=2000)],
        description="Only organisers see this.",
    )
    childcare_interest = BooleanField("We'd be interested in childcare or a crèche")
    show_name = BooleanField("Show my name on the public list of who's coming")
    accepted_conduct = BooleanField("I accept the code of conduct for everyone in my household")


class AnnouncementForm(SubmitOnce, FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Text (Markdown)", validators=[Optional(), Length(max=20000)])
