"""Marshmallow fields for API input that every database can store.

Use these instead of marshmallow's own String and Integer in query and body schemas (the
`api_route` decorator refuses plain ones): PostgreSQL rejects NUL characters, no database takes
lone UTF-16 surrogates, and integers beyond 64 bits overflow SQLite. Each of those would
otherwise turn a bad request into a server error.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from academy.core.files import Upload

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class Text(fields.String):
    """A string without NUL characters or lone surrogates, trimmed of surrounding spaces by default."""

    def __init__(self, *, strip: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strip = strip

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode text.") from None
        return text.strip() if self.strip else text


class Integer(fields.Integer):
    """An integer kept within 32 bits unless a narrower Range is given."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not any(isinstance(v, validate.Range) for v in self.validators):
            self.validators.insert(0, validate.Range(min=INT32_MIN, max=INT32_MAX))


class FilePart(fields.Field):
    """A file sent as a part of a multipart/form-data body, loaded as its name and bytes."""

    default_error_messages = {"invalid": "Must be a file part.", "required": "Missing data for required field."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Upload:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return Upload(filename=value.filename or "", data=value.read())


SAFE_INPUT_FIELDS = (
    FilePart,
    Text,
    Integer,
    fields.Boolean,
    fields.Enum,
    fields.DateTime,
    fields.Date,
    fields.Float,
    fields.Nested,
    fields.List,
)
