"""Notification forms: preferences (built from the registered event kinds) and button-only POSTs."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from academy.notifications.events import EventKind
from academy.notifications.models import Mode

MODE_LABELS = (
    (Mode.IMMEDIATE, _l("E-mail immediately")),
    (Mode.DAILY, _l("Daily digest")),
    (Mode.WEEKLY, _l("Weekly digest")),
    (Mode.OFF, _l("No e-mail (in the app only)")),
)
INHERIT = ""


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for button-only POSTs."""


def field_name(event: str) -> str:
    """The form field name for an event kind ("post.replied" -> "ev_post__replied")."""
    return "ev_" + event.replace(".", "__")


def preferences_form(kinds: Sequence[EventKind], *, scoped: bool, data: dict[str, str]) -> FlaskForm:
    """A form with one select per event kind; a scoped form also offers "as in my general settings"."""

    class PreferencesForm(FlaskForm):
        pass

    choices = [(value, label) for value, label in MODE_LABELS]
    if scoped:
        choices = [(INHERIT, _l("As in my general settings")), *choices]
    for kind in kinds:
        setattr(PreferencesForm, field_name(kind.name), SelectField(kind.label, choices=choices))
    return PreferencesForm(data={field_name(k): v for k, v in data.items()})
