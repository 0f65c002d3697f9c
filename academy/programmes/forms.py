"""Programme forms: catalogue search, programme details, parts, sessions, capacity, cancelling a session."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from academy.inputs import FiniteDecimalField

TIMEZONES = (
    "Europe/Brussels",
    "Europe/Vienna",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Rome",
    "Europe/Madrid",
    "Europe/Lisbon",
    "Europe/Dublin",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Budapest",
    "Europe/Ljubljana",
    "Europe/Zagreb",
    "Europe/Bucharest",
    "Europe/Sofia",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Stockholm",
    "Europe/Copenhagen",
    "Europe/Tallinn",
    "Europe/Riga",
    "Europe/Vilnius",
    "Europe/Luxembourg",
    "Europe/Amsterdam",
    "UTC",
)


class ProgrammeFilterForm(FlaskForm):
    """Search the programmes (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search programmes"), validators=[Optional(), Length(max=100)])


class ProgrammeForm(FlaskForm):
    """A programme's description and outcomes."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the programme a title.")), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    credits = FiniteDecimalField(
        _l("ECTS credits"),
        places=1,
        default=0,
        validators=[NumberRange(min=0, max=60, message=_l("Between 0 and 60 credits."))],
    )
    validity_months = IntegerField(
        _l("Validity of the certificate (months)"),
        description=_l("Leave empty when the certificate does not expire."),
        validators=[Optional(), NumberRange(min=1, max=240, message=_l("Between 1 and 240 months."))],
    )
    outcomes = TextAreaField(
        _l("Learning outcomes of the programme"),
        description=_l(
            "One per line: code | text | the course outcomes that evidence it, as course-address:code "
            "separated by commas. Example: P1 | Plan a call | hit-basics:LO1, jems-intro:LO2"
        ),
        validators=[Optional(), Length(max=10000)],
    )


class AddCourseForm(FlaskForm):
    """Append a published course."""

    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired(_l("Choose a course."))])
    required = BooleanField(_l("Required for the certificate"), default=True)


class SessionForm(FlaskForm):
    """A new in-person or live online session (times are local to the chosen time zone)."""

    title = StringField(
        _l("Session title"), validators=[DataRequired(_l("Give the session a title.")), Length(max=200)]
    )
    description = TextAreaField(_l("What happens there"), validators=[Optional(), Length(max=4000)])
    mode = SelectField(
        _l("Format"), choices=[("in_person", _l("In person")), ("online", _l("Live online"))], default="in_person"
    )
    starts_at = DateTimeLocalField(
        _l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Enter a date and time."))]
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Enter a date and time."))]
    )
    timezone = SelectField(_l("Time zone"), choices=[(z, z) for z in TIMEZONES], default="Europe/Brussels")
    place = StringField(_l("Place (in person)"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Link (live online)"), validators=[Optional(), Length(max=500)])
    capacity = IntegerField(
        _l("Seats"), default=20, validators=[NumberRange(min=1, max=10000, message=_l("At least one seat."))]
    )
    registration_deadline = DateTimeLocalField(
        _l("Registration closes"),
        format="%Y-%m-%dT%H:%M",
        description=_l("Leave empty to keep registration open until the session starts."),
        validators=[Optional()],
    )
    required = BooleanField(_l("Required for the certificate"), default=True)

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The session must end after it starts."))


class CapacityForm(FlaskForm):
    """Change the number of seats."""

    capacity = IntegerField(_l("Seats"), validators=[NumberRange(min=1, max=10000, message=_l("At least one seat."))])


class EditSessionForm(SessionForm):
    """A session's details; seats are changed on the roster and a part stays required or optional."""

    capacity = None
    required = None


class DateForm(SessionForm):
    """Another date of a session part: a session like the first, but it cannot be required on its own."""

    required = None


class CancelSessionForm(FlaskForm):
    """Cancel a session: the reason is shown to everyone registered or waiting."""

    reason = TextAreaField(
        _l("Why is the session cancelled?"),
        description=_l("Participants read this on the programme page and in the e-mail they get."),
        validators=[
            DataRequired(_l("Say why the session is cancelled: participants read it.")),
            Length(max=500, message=_l("Keep the reason under 500 characters.")),
        ],
    )
