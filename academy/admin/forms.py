"""Admin forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import AnyOf, DataRequired

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
