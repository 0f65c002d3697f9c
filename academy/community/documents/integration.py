"""Tell a document's watchers it changed: through the notifications outbox, once an hour at most."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from academy.auth.models import User
from academy.community.documents.models import Document, DocumentRevision, DocumentWatch
from academy.community.models import Membership, MemberStatus
from academy.db import utcnow
from academy.extensions import db
from academy.notifications import access as notification_access
from academy.notifications import events
from academy.notifications import services as notifications
from academy.notifications.models import Mode, Notification

EVENT = "document.changed"
QUIET_PERIOD = timedelta(hours=1)

KIND = events.EventKind(
    EVENT,
    _l("Changes to a document I watch"),
    _l("%(actor)s changed the document “%(title)s” in %(community)s."),
    default=Mode.DAILY,
    scope_type=events.COMMUNITY,
)


def document_path(document: Document) -> str:
    """The document page's path, built from the URL map (works in requests and jobs)."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("community.document", {"slug": document.community.slug, "document_id": document.id})


def recipients(document: Document, editor: User) -> list[int]:
    """Active members watching the document who have not heard about it within the last hour."""
    watchers = set(
        db.session.scalars(
            select(DocumentWatch.user_id)
            .join(
                Membership,
                (Membership.user_id == DocumentWatch.user_id) & (Membership.community_id == document.community_id),
            )
            .where(DocumentWatch.document_id == document.id, Membership.status == MemberStatus.ACTIVE)
        )
    )
    watchers.discard(editor.id)
    if not watchers:
        return []
    recent = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.event == EVENT,
                Notification.subject_type == "document",
                Notification.subject_id == document.id,
                Notification.created_at >= utcnow() - QUIET_PERIOD,
            )
        )
    )
    return sorted(watchers - recent)


def document_changed(document: Document, revision: DocumentRevision, editor: User) -> None:
    """Record one notification per watcher, skipping those told about this document in the last hour."""
    users = recipients(document, editor)
    if not users:
        return
    community = document.community
    notifications.record(
        event=EVENT,
        recipients=users,
        subject_type="document",
        subject_id=document.id,
        data={"community": community.name, "actor": editor.name, "title": document.title},
        link=document_path(document),
        scope=notification_access.make_scope("community", community.id),
        actor=editor,
        key=f"{EVENT}:{document.id}:{revision.number}",
    )
