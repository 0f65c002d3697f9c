"""Recording notifications (the outbox write) and reading them; preferences and unsubscribe tokens
are in `preferences`, the bulk SQL both use in `bulk`.

Services flush and never commit: `record()` writes its rows in the caller's transaction and
queues the delivery jobs with enqueue_after_commit, so a rollback drops both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import JSON, Integer, Select, func, literal, select, update

from academy import request_memo
from academy.auth.models import User
from academy.core import data_version
from academy.db import UTCDateTime, utcnow
from academy.extensions import db
from academy.jobs import QUEUE_NOTIFICATIONS, enqueue_after_commit
from academy.notifications import events
from academy.notifications.access import can_see, parse_scope
from academy.notifications.bulk import DELIVERY_BATCH, RECORD_CHUNK, chunks, id_in, insert_select_ignoring_duplicates
from academy.notifications.jobs import deliver_batch
from academy.notifications.models import Channel, Delivery, Mode, Notification, Status
from academy.notifications.preferences import email_modes


@dataclass
class RecordResult:
    """What record() wrote: notifications, e-mail deliveries, and the ids queued for immediate sending."""

    notifications: int = 0
    deliveries: int = 0
    queued: int = 0


def _user_id(value: User | int | None) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.id


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
    for chunk in chunks(user_ids, RECORD_CHUNK):
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
        ).where(id_in(User.id, chunk), User.is_active_account.is_(True))
        columns = ["user_id", "event", "event_key", "subject_type", "subject_id", "scope", "link", "data", "created_at"]
        with data_version.owned_by(*chunk):  # their own pages change (the bell), nobody else's
            inserted = insert_select_ignoring_duplicates(
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
            ).where(id_in(notifications.c.id, notification_ids))
            columns = [
                "notification_id", "user_id", "channel", "mode", "status", "attempts", "last_error",
                "created_at", "queued_at",
            ]  # fmt: skip
            written = insert_select_ignoring_duplicates(deliveries, columns, rows, deliveries.c.id)
            result.deliveries += len(written)
            if mode == Mode.IMMEDIATE:
                immediate.extend(did for (did,) in written)
    for batch in chunks(immediate, DELIVERY_BATCH):
        enqueue_after_commit(deliver_batch, list(batch), queue=QUEUE_NOTIFICATIONS)
    result.queued = len(immediate)
    return result


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
    with data_version.owned_by(user.id):
        result = db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return result.rowcount or 0


def safe_link(link: str) -> str:
    """A notification's link if it is a site path or http(s) URL; our list otherwise (never javascript:)."""
    if (link.startswith("/") and not link.startswith("//")) or link.startswith(("https://", "http://")):
        return link
    return url_for("notifications.index")  # named in full: the API calls this outside this blueprint
