"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from academy.auth.models import Role


class RoleForm(FlaskForm):
    """Grant or remove one role."""

    role = HiddenField(validators=[DataRequired(), AnyOf(Role.GRANTABLE)])
    action = HiddenField(validators=[DataRequired(), AnyOf(("grant", "remove"))])


class UserFilterForm(FlaskForm):
    """Search box on the user list (GET, no CSRF)."""

    class Meta:
        csrf = False

    role = SelectField(
        _l("Role"),
        choices=[("", _l("Any role")), (Role.TRAINER, _l("Trainers")), (Role.ADMIN, _l("Admins"))],
        default="",
    )


class CreateKeyForm(FlaskForm):
    """Create an issuer key of verifiable credentials."""

    algorithm = RadioField(
        _l("Algorithm"),
        choices=[
            ("Ed25519", _l("Ed25519: signs credentials and status lists")),
            ("ES256", _l("ES256 (P-256): signs the QR code token")),
        ],
        default="Ed25519",
        validators=[InputRequired(_l("Choose an algorithm."))],
    )


class RetireKeyForm(FlaskForm):
    """Retire one issuer key."""

    kid = HiddenField(validators=[DataRequired(), Length(max=100)])
