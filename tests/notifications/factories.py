"""Factories for notification tests."""

from __future__ import annotations

import itertools

from academy.extensions import db
from academy.notifications import services
from academy.notifications.models import Notification

_seq = itertools.count(1)


def record_event(
    *,
    recipients,
    event: str = "mention",
    subject_type: str = "post",
    subject_id: int | None = None,
    data: dict | None = None,
    link: str = "/c/finance/t/1",
    scope: str = "",
    actor=None,
    commit: bool = True,
) -> services.RecordResult:
    """Record one event for the recipients (a fresh subject id unless given) and commit."""
    result = services.record(
        event=event,
        recipients=recipients,
        subject_type=subject_type,
        subject_id=subject_id if subject_id is not None else next(_seq),
        data=data if data is not None else {"actor": "Petra Peer", "title": "Simplified cost options in Jems"},
        link=link,
        scope=scope,
        actor=actor,
    )
    if commit:
        db.session.commit()
    return result


def notifications_of(user) -> list[Notification]:
    """The user's notifications, oldest first."""
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id).order_by("id")))
