"""Dates read the European way everywhere, whichever format a template names."""

from datetime import UTC, datetime

import pytest

WHEN = datetime(2026, 11, 21, 21, 51, tzinfo=UTC)


@pytest.mark.parametrize(
    ("filter_name", "fmt", "expected"),
    [
        ("datetime", None, "21 November 2026, 21:51"),
        ("datetime", "short", "21 Nov 2026, 21:51"),
        ("datetime", "long", "21 November 2026, 21:51"),
        ("date", None, "21 November 2026"),
        ("date", "short", "21 Nov 2026"),
        ("date", "d MMM", "21 Nov"),
    ],
)
def test_named_formats_are_day_month_year_and_24_hours(app, filter_name, fmt, expected):
    with app.test_request_context():
        render = app.jinja_env.filters[filter_name]
        assert (render(WHEN) if fmt is None else render(WHEN, fmt)) == expected


def test_no_date_gives_an_empty_string(app):
    with app.test_request_context():
        assert app.jinja_env.filters["datetime"](None, "short") == ""
