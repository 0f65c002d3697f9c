"""E-mail preferences (which mode applies to whom) and one-click unsubscribe tokens.

Read when recording (services) and again when sending (jobs). Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update

from academy.auth.models import User
from academy.extensions import db
from academy.notifications import events
from academy.notifications.access import parse_scope
from academy.notifications.bulk import id_in
from academy.notifications.models import Mode, Preference


def resolve_mode(kind: events.EventKind, prefs: dict[tuple[str, str], str], scope: str) -> str:
    """The mode that applies: (kind, scope), (all, scope), (kind), (all), then the kind's default."""
    if kind.transactional:
        return Mode.IMMEDIATE
    order = [(kind.name, scope), (events.ALL_EVENTS, scope)] if scope else []
    order += [(kind.name, ""), (events.ALL_EVENTS, "")]
    for key in order:
        if key in prefs:
            return prefs[key]
    return kind.default


def email_modes(kind: events.EventKind, user_ids: Sequence[int], scope: str = "") -> dict[int, str]:
    """Each user's e-mail mode for this kind (and scope), in one query."""
    if kind.transactional:
        return dict.fromkeys(user_ids, Mode.IMMEDIATE)
    found: dict[int, dict[tuple[str, str], str]] = {uid: {} for uid in user_ids}
    rows = db.session.execute(
        select(Preference.user_id, Preference.event, Preference.scope, Preference.email).where(
            id_in(Preference.user_id, user_ids),
            Preference.event.in_([kind.name, events.ALL_EVENTS]),
            Preference.scope.in_(["", scope] if scope else [""]),
        )
    )
    for uid, event, pref_scope, email in rows:
        found[uid][(event, pref_scope)] = email
    return {uid: resolve_mode(kind, prefs, scope) for uid, prefs in found.items()}


def email_mode(user_id: int, event: str, scope: str = "") -> str:
    """One user's e-mail mode for an event kind (and scope) right now."""
    return email_modes(events.get(event), [user_id], scope)[user_id]


def stored_preferences(user: User, scope: str = "") -> dict[str, str]:
    """The user's own choices for a scope ("" = general), by event name; missing means default."""
    rows = db.session.execute(
        select(Preference.event, Preference.email).where(Preference.user_id == user.id, Preference.scope == scope)
    )
    return dict(rows.tuples().all())


def set_preference(user: User, event: str, mode: str | None, scope: str = "") -> None:
    """Store an e-mail mode for an event kind ("*" for all); None removes the choice (back to the default)."""
    if event != events.ALL_EVENTS and events.get(event).transactional:
        raise ValueError("transactional e-mail cannot be switched off")
    if mode is not None and mode not in Mode.ALL:
        raise ValueError(f"unknown mode {mode!r}")
    if scope and parse_scope(scope) is None:
        raise ValueError(f"malformed scope {scope!r}")
    pref = db.session.scalar(
        select(Preference).where(Preference.user_id == user.id, Preference.event == event, Preference.scope == scope)
    )
    if mode is None:
        if pref is not None:
            db.session.delete(pref)
    elif pref is None:
        db.session.add(Preference(user_id=user.id, event=event, scope=scope, email=mode))
    else:
        pref.email = mode
    db.session.flush()


def scoped_preference_scopes(user: User) -> list[str]:
    """Scopes the user has their own choices for, for links from the preferences page."""
    return list(
        db.session.scalars(
            select(Preference.scope).where(Preference.user_id == user.id, Preference.scope != "").distinct()
        )
    )


def delete_preferences_for_scope(scope: str) -> None:
    """Forget every user's choices for a scope (e.g. when a community is deleted)."""
    db.session.execute(delete(Preference).where(Preference.scope == scope))
    db.session.flush()


_UNSUBSCRIBE_SALT = "academy.notifications.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe token stands for."""

    user: User
    event: str
    scope: str


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, event: str = events.ALL_EVENTS, scope: str = "") -> str:
    """A signed token that never expires: it switches off one kind (or all) of e-mail for one user."""
    return _unsubscribe_serializer().dumps({"u": user_id, "e": event, "s": scope})


def read_unsubscribe_token(token: str) -> Unsubscribe | None:
    """What a token stands for, or None if it is forged or its user is gone."""
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    event, scope = str(data.get("e") or events.ALL_EVENTS), str(data.get("s") or "")
    if event != events.ALL_EVENTS:
        try:
            if events.get(event).transactional:
                return None
        except ValueError:
            return None
    user = db.session.get(User, data["u"])
    return Unsubscribe(user, event, scope) if user is not None else None


def unsubscribe(target: Unsubscribe, *, everything: bool = False) -> None:
    """Switch the token's e-mail off (or all non-transactional e-mail when `everything`)."""
    if everything or target.event == events.ALL_EVENTS:
        set_preference(target.user, events.ALL_EVENTS, Mode.OFF)
        # A specific choice would otherwise win over "everything off".
        db.session.execute(
            update(Preference)
            .where(Preference.user_id == target.user.id, Preference.email != Mode.OFF)
            .values(email=Mode.OFF)
            .execution_options(synchronize_session=False)
        )
        db.session.flush()
        return
    set_preference(target.user, target.event, Mode.OFF, target.scope)
