"""Recording notifications (the outbox write), reading them, preferences and unsubscribe tokens.

Services flush and never commit: `record()` writes its rows in the caller's transaction and
queues the delivery jobs with enqueue_after_commit, so a rollback drops both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask_sqlalchemy.pagination import Pagination
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import JSON, Integer, Select, Table, any_, delete, func, literal, select, update

from academy import request_memo
from academy.auth.models import User
from academy.db import UTCDateTime, utcnow
from academy.extensions import db
from academy.jobs import QUEUE_NOTIFICATIONS, enqueue_after_commit
from academy.notifications import events
from academy.notifications.access import can_see, parse_scope
from academy.notifications.models import Channel, Delivery, Mode, Notification, Preference, Status

RECORD_CHUNK = 1000  # recipients written per INSERT
DELIVERY_BATCH = 50  # deliveries per job: many jobs, so many workers share a big fan-out
_UNSUBSCRIBE_SALT = "academy.notifications.unsubscribe"


@dataclass
class RecordResult:
    """What record() wrote: notifications, e-mail deliveries, and the ids queued for immediate sending."""

    notifications: int = 0
    deliveries: int = 0
    queued: int = 0


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _user_id(value: User | int | None) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.id


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _insert(table: Table):
    dialect = _dialect()
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - we run on SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(table)


def _id_in(column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY(:ids)`) instead of one per id."""
    if _dialect() == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(list(ids))


def insert_ignoring_duplicates(table: Table, rows: list[dict[str, Any]], *returning: Any) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: the rows that were new (duplicates are skipped)."""
    if not rows:
        return []
    stmt = _insert(table).on_conflict_do_nothing().returning(*returning)
    return list(db.session.execute(stmt, rows).all())


def _insert_select_ignoring_duplicates(table: Table, columns: list[str], rows: Any, *returning: Any) -> list[Any]:
    stmt = _insert(table).from_select(columns, rows).on_conflict_do_nothing().returning(*returning)
    return list(db.session.execute(stmt).all())


def record(
    *,
    event: str,
    recipients: Iterable[User | int],
    subject_type: str,
    subject_id: int,
    data: dict[str, Any] | None = None,
    link: str = "",
    scope: str = "",
    key: str | None = None,
    actor: User | int | None = None,
) -> RecordResult:
    """Write Notification + Delivery rows for each recipient in the caller's transaction; queue sending after commit.

    `key` names the occurrence (default "<event>:<subject_type>:<subject_id>"): recording the same
    key for the same user again writes nothing. The actor is never notified of their own action.
    `link` is a site path (e.g. "/c/finance/t/42") the in-app item and the e-mail point to;
    `scope` (e.g. "community:3") selects per-scope preferences and the send-time access check.
    """
    kind = events.get(event)
    if scope and parse_scope(scope) is None:
        raise ValueError(f"malformed scope {scope!r}")
    key = key or f"{event}:{subject_type}:{subject_id}"
    actor_id = _user_id(actor)
    user_ids = list(dict.fromkeys(uid for uid in map(_user_id, recipients) if uid is not None and uid != actor_id))
    result = RecordResult()
    now = utcnow()
    immediate: list[int] = []
    db.session.flush()
    notifications, deliveries = Notification.__table__, Delivery.__table__
    for chunk in _chunks(user_ids, RECORD_CHUNK):
        # INSERT ... SELECT from users: one statement per chunk whatever its size, unknown or
        # deactivated accounts drop out, and duplicates of an earlier record() are skipped.
        rows = select(
            User.id,
            literal(event),
            literal(key[:200]),
            literal(subject_type),
            literal(subject_id, Integer),
            literal(scope),
            literal(link[:500]),
            literal(data or {}, JSON),
            literal(now, UTCDateTime),
        ).where(_id_in(User.id, chunk), User.is_active_account.is_(True))
        columns = ["user_id", "event", "event_key", "subject_type", "subject_id", "scope", "link", "data", "created_at"]
        inserted = _insert_select_ignoring_duplicates(
            notifications, columns, rows, notifications.c.id, notifications.c.user_id
        )
        result.notifications += len(inserted)
        if not inserted:
            continue
        modes = email_modes(kind, [uid for _, uid in inserted], scope if kind.scope_type else "")
        by_mode: dict[str, list[int]] = {}
        for nid, uid in inserted:
            by_mode.setdefault(modes[uid], []).append(nid)
        by_mode.pop(Mode.OFF, None)
        for mode, notification_ids in by_mode.items():
            rows = select(
                notifications.c.id,
                notifications.c.user_id,
                literal(Channel.EMAIL),
                literal(mode),
                literal(Status.PENDING),
                literal(0, Integer),
                literal(""),
                literal(now, UTCDateTime),
                literal(now, UTCDateTime),
            ).where(_id_in(notifications.c.id, notification_ids))
            columns = [
                "notification_id", "user_id", "channel", "mode", "status", "attempts", "last_error",
                "created_at", "queued_at",
            ]  # fmt: skip
            written = _insert_select_ignoring_duplicates(deliveries, columns, rows, deliveries.c.id)
            result.deliveries += len(written)
            if mode == Mode.IMMEDIATE:
                immediate.extend(did for (did,) in written)
    for batch in _chunks(immediate, DELIVERY_BATCH):
        enqueue_after_commit(_deliver_batch_job(), list(batch), queue=QUEUE_NOTIFICATIONS)
    result.queued = len(immediate)
    return result


# --- preferences -------------------------------------------------------------------------------


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
            _id_in(Preference.user_id, user_ids),
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


# --- reading and marking -----------------------------------------------------------------------


def _scope_hidden(user: User, scope: str) -> bool:
    """True when the user may no longer see what this scope names (checked now, once per request)."""

    def compute() -> bool:
        parsed = parse_scope(scope)
        return parsed is None or not can_see(user, *parsed)

    return request_memo.remember("notifications.scope-hidden", (user.id, scope), compute)


def hidden_scopes(user: User) -> list[str]:
    """Scopes of the user's notifications they may no longer see (e.g. a community they left), checked now.

    One query for the distinct scopes, then the registered access check per scope.
    """
    scopes = db.session.scalars(
        select(Notification.scope).where(Notification.user_id == user.id, Notification.scope != "").distinct()
    ).all()
    return sorted(scope for scope in scopes if _scope_hidden(user, scope))


def _visible(user: User) -> list[Any]:
    """WHERE clauses keeping only the user's notifications they may still see."""
    clauses: list[Any] = [Notification.user_id == user.id]
    hidden = hidden_scopes(user)
    if hidden:
        clauses.append(Notification.scope.not_in(hidden))
    return clauses


def unread_count(user: User) -> int:
    """How many of the user's notifications they may still see are unread (one query, plus checks per scope)."""
    rows = db.session.execute(
        select(Notification.scope, func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .group_by(Notification.scope)
    ).all()
    return sum(count for scope, count in rows if not scope or not _scope_hidden(user, scope))


def list_for(user: User, *, page: int = 1, per_page: int = 20, unread_only: bool = False) -> Pagination:
    """The user's notifications, newest first."""
    return db.paginate(list_query(user, unread_only=unread_only), page=page, per_page=per_page, error_out=False)


def list_query(user: User, *, unread_only: bool = False) -> Select:
    """The SELECT behind list_for, for callers that page it themselves (the API)."""
    query = select(Notification).where(*_visible(user))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def get_for(user: User, notification_id: int) -> Notification | None:
    """The user's own notification with this id, or None (someone else's, or one they may no longer see)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id, *_visible(user)))


def mark_read(notification: Notification) -> None:
    """Mark one notification read (already read stays as it was)."""
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; return how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount or 0


def delete_preferences_for_scope(scope: str) -> None:
    """Forget every user's choices for a scope (e.g. when a community is deleted)."""
    db.session.execute(delete(Preference).where(Preference.scope == scope))
    db.session.flush()


# --- one-click unsubscribe ------------------------------------------------------------------------


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


def safe_link(link: str) -> str:
    """A notification's link if it is a site path or http(s) URL; our list otherwise (never javascript:)."""
    if (link.startswith("/") and not link.startswith("//")) or link.startswith(("https://", "http://")):
        return link
    return url_for("notifications.index")  # named in full: the API calls this outside this blueprint


def _deliver_batch_job():
    # notifications.jobs builds on this module: imported when first needed (a cycle otherwise).
    from academy.notifications.jobs import deliver_batch

    return deliver_batch
