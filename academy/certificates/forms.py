"""Certificate forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from academy.certificates.models import REASON_LABELS
from academy.textcheck import SafeName


class CodeForm(FlaskForm):
    """Type a certificate code (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Certificate code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("The code printed on the certificate, for example 7KQ2-M9XD-4HTR-B1ZP-6WNC."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class UploadForm(FlaskForm):
    """Upload a certificate PDF to check it."""

    pdf = FileField(
        _l("Certificate PDF"),
        validators=[FileRequired(_l("Choose the PDF file to check."))],
        description=_l("The file is checked and then discarded; we do not keep it."),
        render_kw={"accept": "application/pdf,.pdf"},
    )


class RevokeForm(FlaskForm):
    """Revoke a certificate."""

    reason = SelectField(
        _l("Reason"),
        choices=[("", "—"), *((reason.value, label) for reason, label in REASON_LABELS.items())],
        validators=[DataRequired(_l("Choose a reason."))],
        description=_l("Shown on the public verification page."),
    )
    note = TextAreaField(
        _l("Private note"),
        validators=[Optional(), Length(max=2000)],
        description=_l("For trainers and admins only; never shown publicly."),
    )


class ReissueForm(FlaskForm):
    """Re-issue a corrected certificate."""

    holder_name = StringField(
        _l("Name on the new certificate"),
        validators=[DataRequired(), Length(max=120), SafeName()],
        description=_l("Correct the spelling here if needed. The old certificate will show as superseded."),
        render_kw={"autocomplete": "off"},
    )


class VisibilityForm(FlaskForm):
    """The holder hides or shows the details on the public page."""

    hidden = HiddenField(validators=[AnyOf(["0", "1"])])
