"""The one way the academy writes dates, times and percentages for people (templates, e-mails, PDFs).

Babel does the work, in the current locale: month names and the percent sign's spacing follow it
("6 December 2026", "70%" in English; "6 décembre 2026", "70 %" in French). The order is European
for a European audience in every locale: Babel's named English formats are American
("12/6/26, 2:05 PM"), so the patterns are fixed here. Templates use the filters `date`,
`datetime` and `percent` (registered in academy/templating.py); tests/core/test_formats.py
refuses ad-hoc strftime or "%g"|format(...)% formatting in templates. Machine-readable output
(CSV, JSON, the API) stays ISO 8601 and plain numbers.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime as DateTime
from functools import lru_cache

from babel.numbers import format_decimal
from flask import has_app_context
from flask_babel import format_date, format_datetime, get_locale

DATE_PATTERN = "d MMMM y"  # 6 December 2026
DATETIME_PATTERN = "d MMMM y, HH:mm"  # 6 December 2026, 14:05
TIME_PATTERN = "HH:mm"


def _locale() -> str:
    return str(get_locale() or "en") if has_app_context() else "en"


def date(value: DateTime | Date | None) -> str:
    """A day for people: "6 December 2026" (empty for None)."""
    if value is None:
        return ""
    if not has_app_context():
        return english_date(value)
    return format_date(value, DATE_PATTERN)


def datetime(value: DateTime | None, *, rebase: bool = True) -> str:
    """A moment for people: "6 December 2026, 14:05" (in the app's time zone unless rebase=False)."""
    return _moment(value, DATETIME_PATTERN, rebase)


def time(value: DateTime | None, *, rebase: bool = True) -> str:
    """A time of day: "14:05"."""
    return _moment(value, TIME_PATTERN, rebase)


def _moment(value: DateTime | None, pattern: str, rebase: bool) -> str:
    if value is None:
        return ""
    if not has_app_context():
        from babel.dates import format_datetime as babel_datetime

        return babel_datetime(value, pattern, locale="en")
    return format_datetime(value, pattern, rebase=rebase)


def percent(value: float | int | None, digits: int = 1) -> str:
    """A percentage given in per cent (70 -> "70%"), at most `digits` decimals, in the locale's style."""
    if value is None:
        return ""
    return _percent(_locale(), round(float(value), digits), digits)


# A gradebook shows thousands of percentages drawn from a few hundred values: Babel's parsing and
# formatting dominated its rendering, so each (locale, value) is formatted once per process.
@lru_cache(maxsize=4096)
def _percent(locale_id: str, value: float, digits: int) -> str:
    from babel import Locale

    locale = Locale.parse(locale_id)
    pattern = locale.percent_formats[None].pattern
    # The locale's pattern ("#,##0%", "#,##0 %"...) with up to `digits` decimals.
    number = "#,##0" + ("." + "#" * digits if digits else "")
    formatted = format_decimal(value, format=number, locale=locale)
    core = pattern.split(";")[0]
    start, end = core.index("#"), core.rindex("0") + 1
    return (core[:start] + formatted + core[end:]).replace("%", locale.number_symbols["latn"].get("percentSign", "%"))


def english_date(value: DateTime | Date) -> str:
    """The date in English whatever the request's locale: certificates are written in English."""
    from babel.dates import format_date as babel_date

    return babel_date(value, DATE_PATTERN, locale="en")
