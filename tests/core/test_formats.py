"""One format for dates and one for percentages, everywhere people read them (academy/formats.py)."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from academy import formats

WHEN = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
ACADEMY = Path(__file__).resolve().parents[2] / "academy"
TEMPLATES = ACADEMY / "templates"


def test_dates_read_day_month_year_and_24_hours(app):
    with app.test_request_context():
        assert app.jinja_env.filters["date"](WHEN) == "6 December 2026"
        assert app.jinja_env.filters["datetime"](WHEN) == "6 December 2026, 14:05"
        assert app.jinja_env.filters["datetime"](None) == ""


@pytest.mark.parametrize(
    ("value", "expected"), [(70, "70%"), (33.3333, "33.3%"), (100.0, "100%"), (0, "0%"), (1234.5, "1,234.5%")]
)
def test_percentages_in_english(app, value, expected):
    with app.test_request_context():
        assert app.jinja_env.filters["percent"](value) == expected


def test_percentages_and_months_follow_the_locale(app):
    with app.test_request_context(), force_locale("fr"):
        assert formats.percent(70) == "70\u00a0%"
        assert formats.date(WHEN) == "6 décembre 2026"


def test_whole_percent_when_asked():
    assert formats.percent(66.66, 0) == "67%"


# Ways templates used to write dates and percentages by hand; each now has one filter.
AD_HOC = {
    "strftime": re.compile(r"strftime"),
    "a date filter with its own format": re.compile(r"\|\s*(date|datetime)\s*\("),
    "a percent sign after a printed value": re.compile(r"\}\}\s?%"),
    "a percent sign after a placeholder": re.compile(r"%\([a-z_]+\)[dsgf]\s?%%"),
    'a number formatted by hand then "%"': re.compile(r"\"%[.0-9]*[gf]\"\s*\|\s*format\([^)]*\)\s*\}\}\s?%"),
}


def test_templates_format_dates_and_percentages_only_through_the_filters():
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in (".html", ".txt") or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{path.relative_to(TEMPLATES)}:{number}"
            found += [f"{where}: {what}" for what, rx in AD_HOC.items() if rx.search(line)]
    assert found == []


# Machine-readable stamps (ISO 8601 in credentials, file names, the PDF signature's time) may use
# strftime; text for people goes through academy/formats.py.
MACHINE_STAMPS = {"credentials/statuslist.py", "credentials/builder.py", "mail.py", "certificates/signing.py"}


def test_python_formats_dates_for_people_only_through_formats():
    found = []
    for path in sorted(ACADEMY.rglob("*.py")):
        name = path.relative_to(ACADEMY).as_posix()
        if name == "formats.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bformat_(date|datetime|percent)\(", text):
            found.append(f"{name}: Babel called directly")
        if "strftime(" in text and name not in MACHINE_STAMPS:
            found.append(f"{name}: strftime")
    assert found == []
