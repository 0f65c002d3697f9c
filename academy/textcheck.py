"""Names other people see (display names, names on certificates): one rule, used by every surface.

A name may not contain control characters (CR/LF broke every e-mail naming the person), bidi
overrides or isolates, zero-width or other invisible format characters (they spoof names on
certificates and member lists), line separators, private-use or unassigned code points.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from wtforms import Field
from wtforms.validators import ValidationError

from academy.exceptions import ServiceError

# Cc control, Cf format (bidi controls, zero-width, soft hyphen, BOM), Co private use,
# Cs surrogates, Cn unassigned, Zl/Zp line and paragraph separators.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
NAME_MESSAGE = _l(
    "Use letters, spaces and ordinary punctuation only: no line breaks, invisible characters or text-direction marks."
)


def forbidden_characters(text: str) -> list[str]:
    """The code points of `text` a shown name may not contain, as U+XXXX strings (in order, once each)."""
    found: dict[str, None] = {}
    for char in text or "":
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            found[f"U+{ord(char):04X}"] = None
    return list(found)


def is_safe_name(text: str) -> bool:
    """True when `text` has none of the forbidden characters."""
    return not forbidden_characters(text)


def clean_name(text: str, *, field: str = "name") -> str:
    """The name trimmed; ServiceError on `field` if it holds a forbidden character."""
    if not is_safe_name(text):
        raise ServiceError(str(NAME_MESSAGE), field=field)
    return (text or "").strip()


class SafeName:
    """WTForms validator: the field's text is a name others may see."""

    def __call__(self, form: object, field: Field) -> None:
        if field.data and not is_safe_name(field.data):
            raise ValidationError(str(NAME_MESSAGE))


def schema_name(value: str) -> None:
    """marshmallow validator for the same rule."""
    if not is_safe_name(value):
        raise SchemaError(str(NAME_MESSAGE))
