"""Event kinds: what can be notified, its wording, its default e-mail mode; features may add their own.

The kinds live on the app (`app.extensions`), so every app and every test has its own: this module
registers the built-in kinds from `init_app(app)` (called by create_app), and a feature adds its
own with `register(app, kind)` from its integration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from academy.notifications.models import Mode

ALL_EVENTS = "*"  # a preference for every non-transactional kind (set by "unsubscribe from all")


@dataclass(frozen=True)
class EventKind:
    """One kind of event; `message` is formatted with the notification's data (missing keys read as "")."""

    name: str
    label: Any  # lazy string shown on the preferences page
    message: Any  # lazy string with %(key)s placeholders filled from Notification.data
    default: str = Mode.IMMEDIATE
    # Transactional mail (password reset) is always sent at once, never batched, never unsubscribable.
    transactional: bool = False
    # The kind of scope whose preferences can override the default (e.g. "community"), if any.
    scope_type: str | None = None


_KEY = "academy_notification_kinds"


def register(app: Flask, kind: EventKind) -> EventKind:
    """Add (or replace) an event kind in this app; returns it."""
    app.extensions.setdefault(_KEY, {})[kind.name] = kind
    return kind


def _kinds() -> dict[str, EventKind]:
    return current_app.extensions.get(_KEY, {})


def get(name: str) -> EventKind:
    """The kind called `name`; ValueError for an unknown one, so a typo fails loudly."""
    try:
        return _kinds()[name]
    except KeyError:
        raise ValueError(f"unknown notification event {name!r}") from None


def all_kinds() -> list[EventKind]:
    """Every registered kind, in registration order."""
    return list(_kinds().values())


def configurable_kinds(scope_type: str | None = None) -> list[EventKind]:
    """Kinds a user may set preferences for (not transactional), optionally only those of a scope type."""
    return [k for k in _kinds().values() if not k.transactional and (scope_type is None or k.scope_type == scope_type)]


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(event: str, data: dict[str, Any] | None) -> str:
    """The one-line text of a notification, in the current locale."""
    kind = _kinds().get(event)
    values = _Blank({k: v for k, v in (data or {}).items() if isinstance(v, str | int | float)})
    if kind is None:
        return str(values.get("title") or event)
    try:
        return str(kind.message) % values
    except (TypeError, ValueError):  # a translation with a broken placeholder must not break the page
        return str(values.get("title") or kind.label)


COMMUNITY = "community"

_BUILT_IN = (
    EventKind("enrolment.confirmed", _l("Enrolment confirmed"), _l("You are enrolled in %(course)s.")),
    EventKind("certificate.issued", _l("Certificate issued"), _l("Your certificate for %(course)s is ready.")),
    EventKind("certificate.revoked", _l("Certificate revoked"), _l("Your certificate for %(course)s was revoked.")),
    EventKind(
        "membership.requested",
        _l("Membership requests (for contact persons)"),
        _l("%(actor)s asks to join %(community)s."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "membership.contact",
        _l("Made a contact person"),
        _l("%(actor)s made you a contact person of %(community)s: you now decide on requests to join."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "membership.approved",
        _l("Membership approved"),
        _l("You are now a member of %(community)s."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "membership.rejected",
        _l("Membership declined"),
        _l("Your request to join %(community)s was declined."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "thread.created",
        _l("New thread in a community you watch"),
        _l("New in %(community)s: %(title)s"),
        default=Mode.DAILY,
        scope_type=COMMUNITY,
    ),
    EventKind(
        "post.replied",
        _l("Reply in a thread you watch"),
        _l("%(actor)s replied to “%(title)s”."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "answer.posted",
        _l("Answer to my question"),
        _l("%(actor)s answered your question “%(title)s”."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "answer.accepted",
        _l("My answer accepted"),
        _l("Your answer to “%(title)s” was accepted."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "mention",
        _l("Mentions of me"),
        _l("%(actor)s mentioned you in “%(title)s”."),
        scope_type=COMMUNITY,
    ),
    EventKind(
        "password.reset",
        _l("Password reset"),
        _l("Reset your Interreg Academy password."),
        transactional=True,
    ),
)


def init_app(app: Flask) -> None:
    """Register the built-in kinds (features add theirs from their own integration)."""
    for kind in _BUILT_IN:
        register(app, kind)
