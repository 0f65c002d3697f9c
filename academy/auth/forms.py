"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from academy.auth import passwords
from academy.core.timezones import DEFAULT_ZONE, TIMEZONES
from academy.core.ui import EmptyForm as EmptyForm  # re-exported for the features not moved yet
from academy.templating import country_choices
from academy.textcheck import SafeName


class _PolicyPassword:
    """Field validator applying the password policy."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        email = form.email.data if hasattr(form, "email") else ""
        name = form.name.data if hasattr(form, "name") else ""
        problems = passwords.policy_errors(field.data or "", email=email or "", name=name or "")
        if problems:
            raise ValidationError(" ".join(problems))


class RegisterForm(FlaskForm):
    """Create an account."""

    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=120), SafeName()], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example the managing authority or joint secretariat you work for."),
        render_kw={"autocomplete": "organization"},
    )
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), _PolicyPassword()],
        description=_l("At least 8 characters. Long passphrases are welcome; common passwords are refused."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class LoginForm(FlaskForm):
    """Log in."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()], render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    """Choose a new password from a reset link."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), _PolicyPassword()],
        description=_l("At least 8 characters; common passwords are refused."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(FlaskForm):
    """Change the password while logged in."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), _PolicyPassword()],
        description=_l("At least 8 characters; common passwords are refused."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    """Edit the profile."""

    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=120), SafeName()], render_kw={"autocomplete": "name"}
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "organization"}
    )
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    timezone = SelectField(
        _l("Time zone"),
        choices=[(z, z.replace("_", " ")) for z in TIMEZONES],
        default=DEFAULT_ZONE,
        description=_l("Dates and times you enter and read (such as when a quiz opens) are in this zone."),
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
