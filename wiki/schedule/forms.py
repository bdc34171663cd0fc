"""Forms for the rooms and slots grids, the day pattern, availability and day pitches."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from wiki.bounds import IdField, WholeNumberField
from wiki.events.models import MAX_CAPACITY
from wiki.idempotency import SubmitOnce
from wiki.schedule.models import FACILITIES, SlotKind

# Blank rows under the last room or slot, to type new ones in without JavaScript.
SPARE_ROWS = 2
MAX_ROWS = 150


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoomRowForm(Form):
    """One room of the grid (no CSRF of its own: the grid form has it)."""

    id = IdField()
    name = StringField("Name", validators=[Optional(), Length(max=80)])
    capacity = WholeNumberField(
        "Capacity",
        validators=[Optional()],
        low=1,
        high=MAX_CAPACITY,
        message=f"A room holds 1 to {MAX_CAPACITY:,} people.",
    )
    family_friendly = BooleanField("Family-friendly")
    step_free = BooleanField("Step-free")
    facilities = CheckboxList(
        "Facilities", choices=[SelectChoice(f.value, f.label) for f in FACILITIES]
    )
    order = WholeNumberField("Order", validators=[Optional()], low=0, high=1000)
    remove = BooleanField("Remove")


class RoomsForm(FlaskForm):
    rows = FieldList(FormField(RoomRowForm), min_entries=0, max_entries=MAX_ROWS)


class SlotRowForm(Form):
    """One time slot of the grid, in the event's local time."""

    id = IdField()
    day = SelectField("Day", choices=[], validate_choice=False)
    start = TimeField("Starts", validators=[Optional()])
    end = TimeField("Ends", validators=[Optional()])
    kind = SelectField(
        "Kind", choices=[SelectChoice(k.value, k.label) for k in SlotKind], default="session"
    )
    label = StringField("Label", validators=[Optional(), Length(max=80)])
    family_hours = BooleanField("Family hours")
    remove = BooleanField("Remove")


class SlotsForm(FlaskForm):
    rows = FieldList(FormField(SlotRowForm), min_entries=0, max_entries=MAX_ROWS)


class DayPatternForm(FlaskForm):
    """Suggest a day of slots: they are added to the grid below, to check and save."""

    day = SelectField("Day", choices=[], validate_choice=False)
    first_start = TimeField("First session starts", validators=[Optional()])
    sessions = WholeNumberField("Sessions", validators=[Optional()], low=1, high=20)
    session_minutes = WholeNumberField(
        "Session length (minutes)", validators=[Optional()], low=5, high=600
    )
    break_minutes = WholeNumberField(
        "Break between sessions (minutes)", validators=[Optional()], low=0, high=240
    )
    lunch_after = WholeNumberField("Lunch after session", validators=[Optional()], low=1, high=20)
    lunch_minutes = WholeNumberField(
        "Lunch length (minutes)", validators=[Optional()], low=5, high=240
    )
    family_sessions = WholeNumberField(
        "Family hours: the first … sessions", validators=[Optional()], low=0, high=20
    )


class AvailabilityForm(FlaskForm):
    """The session slots one person cannot be there for."""

    person = StringField("Who", validators=[Length(max=20)])
    slots = CheckboxList("I cannot be there for", choices=[], coerce=str, validate_choice=False)


class DayPitchForm(SubmitOnce, FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=120)])
    host_name = StringField("Host's name", validators=[Optional(), Length(max=80)])
    length_slots = RadioField(
        "Length",
        choices=[SelectChoice("1", "One slot"), SelectChoice("2", "Two slots")],
        default="1",
    )
    family_friendly = BooleanField("Family-friendly")


class ClaimForm(FlaskForm):
    """Link a guest host to the account of the person who pitched."""

    guest_host_id = IdField()
    username = StringField("Their username", validators=[Optional(), Length(max=40)])
