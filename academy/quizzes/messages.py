"""gettext that also works outside a request (CLI commands, jobs, package loading).

academy.i18n picks the locale from the request; without one, Flask-Babel would fail, so we fall
back to the source string, which is the English text.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def _(string: str, **variables: Any) -> str:
    """Translate `string` for the current request, or return it formatted when there is none."""
    if has_request_context():
        return gettext(string, **variables)
    return string % variables if variables else string
