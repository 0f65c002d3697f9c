"""UI bits every feature shares (forms with no fields of their own)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""
