"""Hooks other features register so notifications can ask, at send time, "may this user still see X?".

Notifications calls no other feature: a feature registers, by subject type, a `can_see(user, id)`
callback (and optionally a `label(id)` for the preferences page), e.g. from its blueprint:

    bp.record_once(lambda s: access.register_subject(s.app, "community", can_see=..., label=...))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from academy.auth.models import User
from academy.notifications.models import Notification

_EXT = "academy_notification_subjects"
_SCOPE = re.compile(r"^([a-z_]{1,30}):(\d{1,18})$")


@dataclass(frozen=True)
class SubjectType:
    """Callbacks for one subject type; a missing `can_see` means everyone who was notified may see it."""

    name: str
    can_see: Callable[[User, int], bool] | None = None
    label: Callable[[int], str | None] | None = None


def register_subject(
    app: Flask,
    name: str,
    *,
    can_see: Callable[[User, int], bool] | None = None,
    label: Callable[[int], str | None] | None = None,
) -> None:
    """Register the access check (and display label) for a subject or scope type."""
    app.extensions.setdefault(_EXT, {})[name] = SubjectType(name, can_see, label)


def _subject(name: str) -> SubjectType | None:
    return current_app.extensions.get(_EXT, {}).get(name)


def parse_scope(scope: str) -> tuple[str, int] | None:
    """("community", 3) for "community:3"; None for "" or anything malformed."""
    match = _SCOPE.match(scope or "")
    return (match.group(1), int(match.group(2))) if match else None


def make_scope(kind: str, ident: int) -> str:
    """The scope string for a kind and id, e.g. make_scope("community", 3) == "community:3"."""
    scope = f"{kind}:{int(ident)}"
    if parse_scope(scope) is None:
        raise ValueError(f"bad scope kind {kind!r}")
    return scope


def can_see(user: User, subject_type: str, subject_id: int) -> bool:
    """True unless the registered check for this type says no (or raises: then we say no, to be safe)."""
    subject = _subject(subject_type)
    if subject is None or subject.can_see is None:
        return True
    try:
        return bool(subject.can_see(user, subject_id))
    except Exception:  # a broken check must not leak a notification
        current_app.logger.exception("access check for %s:%s failed", subject_type, subject_id)
        return False


def may_receive(user: User, notification: Notification) -> bool:
    """The send-time check: an active account that may still see the subject and its scope."""
    if not user.is_active:
        return False
    if not can_see(user, notification.subject_type, notification.subject_id):
        return False
    parsed = parse_scope(notification.scope)
    return parsed is None or can_see(user, *parsed)


def scope_label(scope: str) -> str:
    """A human name for a scope via the registered label callback, else e.g. "community #3"."""
    parsed = parse_scope(scope)
    if parsed is None:
        return scope
    subject = _subject(parsed[0])
    if subject is not None and subject.label is not None:
        label = subject.label(parsed[1])
        if label:
            return label
    return f"{parsed[0].replace('_', ' ')} #{parsed[1]}"
