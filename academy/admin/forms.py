"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, Optional

from academy.auth.models import Role
from academy.community.models import Policy


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


class CommunityForm(FlaskForm):
    """Create or edit a community (admins)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the community a name.")), Length(max=160)])
    slug = StringField(
        _l("Web address"),
        validators=[DataRequired(_l("Choose a web address.")), Length(max=80)],
        description=_l("Lower-case letters, digits and hyphens; the page will be /c/<address>."),
    )
    summary = StringField(_l("Summary"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional()], render_kw={"rows": 5})
    parent_id = SelectField(_l("Parent community"), coerce=int, default=0)
    policy = RadioField(
        _l("Joining rule"),
        choices=[
            (Policy.APPROVAL, _l("A contact person approves each request")),
            (Policy.PARENT_MEMBERS, _l("Members of the parent community join at once; others ask")),
        ],
        default=Policy.APPROVAL,
        validators=[InputRequired(_l("Choose a joining rule."))],
    )


class ContactForm(FlaskForm):
    """Name a contact person by e-mail."""

    email = EmailField(
        _l("E-mail address of the contact person"), validators=[DataRequired(), Email(), Length(max=254)]
    )


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF (archive, remove contact, deactivate...)."""
