"""Input every route shares, checked once: integer URL parts, the page parameter, control characters.

- `<int:...>` in any route is `BoundedIntegerConverter`: ids above 2**31-1 (the largest our
  INTEGER columns hold on PostgreSQL) match nothing, so they answer 404 rather than a database error.
- `page_arg()` reads `?page=` for every list page: a number from 1 to MAX_PAGE, anything else
  clamped (a page beyond the last simply shows nothing), so no 64-bit overflow reaches an OFFSET.
- A before-request guard answers 400 to NUL and other C0 control characters (and DEL) in the path,
  the query string, form fields, uploaded file names and JSON bodies; form bodies and JSON keep
  tab, line feed and carriage return, which text areas send. PostgreSQL refuses NUL in text, and
  no field of ours has a use for the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map, ValidationError
from wtforms import DecimalField

INT32_MAX = 2**31 - 1
MAX_PAGE = 100_000
_MAX_DIGITS = len(str(INT32_MAX))

_QUERY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


NO_SUCH_ID = -1  # what an out-of-range id in an address becomes: every lookup by it finds nothing


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` limited to 0..2**31-1 (or narrower bounds a route gives); larger ids find nothing (404)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        low = 0 if min is None else min
        high = INT32_MAX if max is None or max > INT32_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=low, max=high, signed=signed)

    def to_python(self, value: str) -> int:
        """The number; a number out of range becomes NO_SUCH_ID, which names no row, so the view answers 404.

        Refusing to match (ValidationError) would be simpler, but Werkzeug checks a rule's methods before
        its converters, so a PUT to /documents/99999999999 would answer 405 where a GET route shares the path.
        """
        if len(value.lstrip("-").lstrip("0")) > _MAX_DIGITS:
            return NO_SUCH_ID
        try:
            return super().to_python(value)
        except ValidationError:
            if value.lstrip("-").isdigit():
                return NO_SUCH_ID
            raise


def page_arg(name: str = "page") -> int:
    """The 1-based page number a list page was asked for, clamped to 1..MAX_PAGE (1 when not a number)."""
    raw = request.args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    raw = raw.lstrip("0") or "0"
    if len(raw) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)


def int_arg(name: str, default: int) -> int:
    """A whole-number query argument (`?to=3`): `default` when absent or not a number, NO_SUCH_ID past 0..2**31-1."""
    raw = request.args.get(name, "").strip()
    digits = raw[1:] if raw.startswith("-") else raw
    if not (digits.isascii() and digits.isdigit()):
        return default
    # A database integer column overflows past INT32_MAX: such a number names no row.
    return int(raw) if len(digits) <= len(str(INT32_MAX)) and 0 <= int(raw) <= INT32_MAX else NO_SUCH_ID


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, infinities and numbers past a billion as "not a number".

    Decimal accepts "sNaN" and "1e28"; arithmetic on them (steps of 0.5, range checks, storing in
    a NUMERIC(4, 1) column) raises instead of answering, so they stop here with a field error.
    """

    LIMIT = Decimal(10) ** 9

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse as DecimalField does, then refuse what is not a finite number of sensible size."""
        super().process_formdata(valuelist)
        if not valuelist or not isinstance(self.data, Decimal):  # not sent: the default stands
            return
        if not self.data.is_finite() or abs(self.data) >= self.LIMIT:
            self.data = None
            raise ValueError(str(_l("Enter a number.")))


def _strings(value: Any) -> Iterator[str]:
    """Every string (keys included) in a parsed JSON document, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield str(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def control_character_problem() -> str | None:
    """What is wrong with this request's input, or None when it carries no forbidden control character."""
    if _QUERY_CONTROL.search(request.path):
        return "the address"
    for key, value in request.args.items(multi=True):
        if _QUERY_CONTROL.search(key) or _QUERY_CONTROL.search(value):
            return "the query string"
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if _QUERY_CONTROL.search(key) or _BODY_CONTROL.search(value):
                return "a form field"
        for key, upload in request.files.items(multi=True):
            if _QUERY_CONTROL.search(key) or _QUERY_CONTROL.search(upload.filename or ""):
                return "a file name"
    elif request.is_json:
        try:
            document = request.get_json(silent=True)
        except RecursionError:  # nested past Python's limit: the API answers it as unreadable JSON
            return None
        if any(_BODY_CONTROL.search(text) for text in _strings(document)):
            return "the JSON body"
    return None


def _guard() -> None:
    if request.blueprint == "api" or request.path.startswith("/api/v1/"):
        return  # the API validates every field itself and names it in a 422 problem (tests/api/test_errors.py)
    problem = control_character_problem()
    if problem is not None:
        abort(400, description=f"Control characters such as NUL are not accepted in {problem}.")


def init_app(app: Flask) -> None:
    """Install the bounded `int` converter (before any blueprint adds its routes) and the input guard."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(_guard)
