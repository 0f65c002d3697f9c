"""Who is editing a document now: a heartbeat row per editor, refreshed while the editor is open."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from academy.auth.models import User
from academy.community.documents.models import Document, DocumentPresence
from academy.db import utcnow
from academy.extensions import db

# The editor page beats every 30 s; a person counts as present for two missed beats.
HEARTBEAT_SECONDS = 30
FRESH = timedelta(seconds=HEARTBEAT_SECONDS * 3)


def beat(document: Document, user: User) -> None:
    """Note that the user has the document's editor open now."""
    row = db.session.get(DocumentPresence, (document.id, user.id))
    if row is None:
        db.session.add(DocumentPresence(document_id=document.id, user_id=user.id, seen_at=utcnow()))
    else:
        row.seen_at = utcnow()
    db.session.flush()


def leave(document: Document, user: User) -> None:
    """The user saved or closed the editor: no longer editing."""
    db.session.execute(
        delete(DocumentPresence).where(DocumentPresence.document_id == document.id, DocumentPresence.user_id == user.id)
    )


def editing_now(document: Document, *, besides: User | None = None) -> list[User]:
    """People with a recent heartbeat on the document, by name (`besides` left out)."""
    stmt = (
        select(DocumentPresence)
        .options(joinedload(DocumentPresence.user))
        .where(DocumentPresence.document_id == document.id, DocumentPresence.seen_at >= utcnow() - FRESH)
    )
    if besides is not None:
        stmt = stmt.where(DocumentPresence.user_id != besides.id)
    return sorted((row.user for row in db.session.scalars(stmt)), key=lambda u: (u.name, u.id))
