"""Forms of the token pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length


class CreateTokenForm(FlaskForm):
    """Name, scope and lifetime of a new personal access token."""

    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("What the token is for, e.g. “Programme HR system”. Only you see it."),
    )
    scope = RadioField(
        _l("What the token may do"),
        choices=[
            ("read", _l("Read only: see your profile, courses and records")),
            ("write", _l("Read and write: also change things on your behalf")),
        ],
        default="read",
        validators=[InputRequired()],
    )
    expires = SelectField(
        _l("Expires after"),
        choices=[("30", _l("30 days")), ("90", _l("90 days")), ("365", _l("1 year")), ("0", _l("Never"))],
        default="90",
        validators=[InputRequired()],
    )
