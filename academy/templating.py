"""Template globals and filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from academy import formats
from academy.core.timezones import to_local, user_zone

# Main navigation; an item shows once its feature's endpoint is registered.
NAV_ITEMS = (
    ("courses.catalogue", _l("Catalogue"), False),
    ("programmes.catalogue", _l("Programmes"), False),
    ("courses.my_learning", _l("My learning"), True),
    ("community.index", _l("Communities"), True),
)


@dataclass
class NavItem:
    """One link of the main navigation."""

    url: str
    label: str
    active: bool = False
    badge: int = 0
    badge_label: str = ""


@dataclass
class Bell:
    """The notifications bell: where it links and how many unread items it shows."""

    url: str
    count: int
    label: str


def register_badge(app: Flask, endpoint: str, provider: Callable[[], tuple[int, str]]) -> None:
    """Let a feature show a count beside its nav item (e.g. pending membership requests)."""
    app.extensions.setdefault("academy_nav_badges", {})[endpoint] = provider


def register_template_slot(app: Flask, slot: str, template: str) -> None:
    """Let a higher feature add `template` to a place a lower feature's page offers (rendered in its context)."""
    app.extensions.setdefault("academy_template_slots", {}).setdefault(slot, []).append(template)


def slot_templates(slot: str) -> list[str]:
    """The templates features registered for `slot`, in the order they registered."""
    return current_app.extensions.get("academy_template_slots", {}).get(slot, [])


def register_bell(app: Flask, provider: Callable[[], Bell | None]) -> None:
    """Let the notifications feature fill the bell."""
    app.extensions["academy_bell"] = provider


def main_nav() -> list[NavItem]:
    """Navigation items for the current user."""
    items = []
    badges = current_app.extensions.get("academy_nav_badges", {})
    blueprint = request.blueprint or ""
    for endpoint, label, needs_login in NAV_ITEMS:
        if endpoint not in current_app.view_functions:
            continue
        if needs_login and not current_user.is_authenticated:
            continue
        item = NavItem(
            url=url_for(endpoint),
            label=str(label),
            active=request.endpoint == endpoint or (blueprint == endpoint.split(".")[0] and endpoint.endswith("index")),
        )
        if endpoint in badges and current_user.is_authenticated:
            item.badge, item.badge_label = badges[endpoint]()
        items.append(item)
    return items


def notification_bell() -> Bell | None:
    """The bell for the current user, or None until a notifications feature provides it."""
    provider = current_app.extensions.get("academy_bell")
    return provider() if provider else None


COUNTRIES = {
    "AL": "Albania",
    "AT": "Austria",
    "BA": "Bosnia and Herzegovina",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CH": "Switzerland",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GR": "Greece",
    "HR": "Croatia",
    "HU": "Hungary",
    "IE": "Ireland",
    "IS": "Iceland",
    "IT": "Italy",
    "LI": "Liechtenstein",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "MT": "Malta",
    "NL": "Netherlands",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "RS": "Serbia",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovakia",
    "TR": "Türkiye",
    "UA": "Ukraine",
    "XK": "Kosovo",
}


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for the country select, sorted by name, with an empty first option."""
    return [("", "—"), *sorted(COUNTRIES.items(), key=lambda item: item[1])]


def page_url(page: int) -> str:
    """The current URL with its query string's page number replaced."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _in_zone(value: datetime | None, user: object | None = None) -> str:
    """A stored UTC moment as wall-clock time in the person's zone, named: "1 March 2025, 10:00 (Europe/Brussels)"."""
    if value is None:
        return ""
    tz = user_zone(user)
    return f"{formats.datetime(to_local(value, tz), rebase=False)} ({tz.key.replace('_', ' ')})"


ROLE_LABELS = {"learner": _l("Learner"), "trainer": _l("Trainer"), "admin": _l("Admin")}


def init_app(app: Flask) -> None:
    """Register filters (date, datetime, in_zone, percent, country) and globals."""
    # One format each for dates, moments and percentages everywhere (academy/formats.py).
    app.jinja_env.filters["date"] = formats.date
    app.jinja_env.filters["datetime"] = formats.datetime
    app.jinja_env.filters["in_zone"] = _in_zone
    app.jinja_env.filters["percent"] = formats.percent
    app.jinja_env.globals["slot_templates"] = slot_templates
    app.jinja_env.filters["role_label"] = lambda role: str(ROLE_LABELS.get(role, role))
    app.jinja_env.filters["country"] = lambda code: COUNTRIES.get(code or "", code or "")
    app.jinja_env.globals["app_name"] = "Interreg Academy"
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["main_nav"] = main_nav
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in current_app.view_functions
    app.jinja_env.globals["notification_bell"] = notification_bell
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
