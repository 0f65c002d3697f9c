"""Documents: create, save against a base revision (merging), restore, contact-person controls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.models import User
from academy.community.access import Access, access_for
from academy.community.documents import integration, presence
from academy.community.documents.access import DocumentAccess, document_access
from academy.community.documents.merge import MergeResult, merge, normalise
from academy.community.documents.models import (
    Document,
    DocumentEditor,
    DocumentRevision,
    DocumentStatus,
    DocumentWatch,
)
from academy.community.models import Community, Membership, MemberStatus, Thread, ThreadKind
from academy.community.services import threads
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db

MAX_TITLE = 200
MAX_BODY = 200_000
MAX_SUMMARY = 300


class DocumentConflict(Conflict):
    """Someone changed the same words since the editor's base revision; nothing was saved."""

    def __init__(
        self, *, submitted: str, base_revision: int, current: int, result: MergeResult, others: list[str]
    ) -> None:
        super().__init__(_("Someone else changed the same part of the document while you were editing."))
        self.submitted = submitted
        self.base_revision = base_revision
        self.current = current
        self.result = result
        self.others = others


@dataclass
class SaveResult:
    """What a save did: the new revision (None when nothing changed) and whose changes it merged."""

    document: Document
    revision: DocumentRevision | None
    merged: bool = False
    merged_with: list[str] = field(default_factory=list)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(_("Give the document a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(_("Keep the title under %(n)d characters.", n=MAX_TITLE), field="title")
    return title


def _clean_body(body: str) -> str:
    body = normalise(body)
    if len(body) > MAX_BODY:
        raise ServiceError(_("Keep the text under %(n)d characters.", n=MAX_BODY), field="body")
    return body


def _clean_summary(summary: str) -> str:
    return " ".join((summary or "").split())[:MAX_SUMMARY]


def _require_edit(user: User, document: Document) -> DocumentAccess:
    rights = document_access(user, document)
    if not rights.can_read:
        raise NotFound(_("That document does not exist."))
    if not rights.can_edit:
        raise PermissionDenied(rights.reason)
    return rights


def _require_manage(user: User, document: Document) -> None:
    if not document_access(user, document).can_manage:
        raise PermissionDenied(_("Only contact persons can do this."))


def _lock(document: Document) -> None:
    """Lock the document's row and re-read its text, so two saves at once merge one after the other."""
    db.session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    db.session.refresh(document, ["title", "body", "revision", "status", "is_locked", "is_restricted"])


def _watch(document: Document, user: User) -> None:
    if db.session.get(DocumentWatch, (document.id, user.id)) is None:
        db.session.add(DocumentWatch(document_id=document.id, user_id=user.id))


def _add_revision(
    document: Document, author: User, *, base: int | None, summary: str, **extra: object
) -> DocumentRevision:
    now = utcnow()
    document.revision += 1
    document.updated_at, document.updated_by = now, author
    revision = DocumentRevision(
        document=document,
        number=document.revision,
        base_number=base,
        author=author,
        title=document.title,
        body=document.body,
        summary=summary,
        created_at=now,
        **extra,
    )
    db.session.add(revision)
    _watch(document, author)

    presence.leave(document, author)
    db.session.flush()
    integration.document_changed(document, revision, author)
    return revision


def create_document(*, community: Community, author: User, title: str, body: str, summary: str = "") -> Document:
    """Start a document (revision 1) in a community the author may post in."""
    if not access_for(author, community).can_post:
        raise PermissionDenied(_("Only members of this community can write its documents."))
    title, body = _clean_title(title), _clean_body(body)
    now = utcnow()
    document = Document(
        community=community,
        title=title,
        body=body,
        revision=1,
        created_by=author,
        updated_by=author,
        created_at=now,
        updated_at=now,
    )
    revision = DocumentRevision(
        document=document,
        number=1,
        author=author,
        title=title,
        body=body,
        summary=_clean_summary(summary),
        created_at=now,
    )
    db.session.add_all([document, revision])
    db.session.flush()
    _watch(document, author)
    db.session.flush()
    return document


def get_document(community: Community, document_id: int) -> Document:
    """A document of this community (with its editors), or NotFound."""
    document = db.session.scalar(
        select(Document)
        .options(joinedload(Document.updated_by), selectinload(Document.editors).joinedload(DocumentEditor.user))
        .where(Document.id == document_id, Document.community_id == community.id)
    )
    if document is None:
        raise NotFound(_("That document does not exist."))
    return document


def documents_query(community: Community, *, status: str = DocumentStatus.ACTIVE) -> Select:
    """The community's documents with a status, most recently changed first."""
    return (
        select(Document)
        .options(joinedload(Document.updated_by))
        .where(Document.community_id == community.id, Document.status == status)
        .order_by(Document.updated_at.desc(), Document.id.desc())
    )


def revisions_query(document: Document) -> Select:
    """The document's revisions, newest first."""
    return (
        select(DocumentRevision)
        .options(joinedload(DocumentRevision.author))
        .where(DocumentRevision.document_id == document.id)
        .order_by(DocumentRevision.number.desc())
    )


def revision_of(document: Document, number: int) -> DocumentRevision:
    """Revision `number` of the document, or NotFound."""
    revision = db.session.scalar(
        select(DocumentRevision)
        .options(joinedload(DocumentRevision.author))
        .where(DocumentRevision.document_id == document.id, DocumentRevision.number == number)
    )
    if revision is None:
        raise NotFound(_("That revision does not exist."))
    return revision


def _authors_since(document: Document, base: int, editor: User) -> list[str]:
    rows = db.session.execute(
        select(User.id, User.name)
        .join(DocumentRevision, DocumentRevision.author_id == User.id)
        .where(DocumentRevision.document_id == document.id, DocumentRevision.number > base)
        .order_by(DocumentRevision.number)
    ).all()
    names = dict.fromkeys(name for user_id, name in rows if user_id != editor.id)
    return list(names) or [editor.name]


def save(
    *, document: Document, editor: User, body: str, base_revision: int, title: str | None = None, summary: str = ""
) -> SaveResult:
    """Save the editor's text, started from `base_revision`, merging what others saved since.

    Raises DocumentConflict (nothing saved) when both changed the same words (academy.community.documents.merge).
    """
    _require_edit(editor, document)
    _lock(document)
    body = _clean_body(body)
    new_title = document.title if title is None else _clean_title(title)
    if not 1 <= base_revision <= document.revision:
        raise ServiceError(_("The revision you started from does not exist."), field="base_revision")
    merged, others = False, []
    if base_revision != document.revision:
        base = revision_of(document, base_revision)
        result = merge(base.body, document.body, body)
        others = _authors_since(document, base_revision, editor)
        if not result.clean:
            raise DocumentConflict(
                submitted=body, base_revision=base_revision, current=document.revision, result=result, others=others
            )
        body, merged = result.text, True
        if new_title == base.title:
            new_title = document.title  # only they renamed it: keep their title
    if body == document.body and new_title == document.title:
        return SaveResult(document=document, revision=None)
    document.body, document.title = body, new_title
    revision = _add_revision(document, editor, base=base_revision, summary=_clean_summary(summary), merged=merged)
    return SaveResult(document=document, revision=revision, merged=merged, merged_with=others if merged else [])


def save_and_commit(load: Callable[[], Document], **kwargs: Any) -> SaveResult:
    """save() and commit, for a request; a clash with a save committed at the same moment is retried once.

    PostgreSQL serialises saves with the row lock; SQLite may instead refuse the second writer
    (a busy snapshot or the same revision number twice). The retry re-reads the document and merges
    against what was just committed, so the editor's text is never dropped.
    """
    for attempt in (1, 2):
        try:
            result = save(document=load(), **kwargs)
            db.session.commit()
            return result
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def restore(*, document: Document, actor: User, number: int) -> DocumentRevision:
    """Make an earlier revision's text the current one, as a new revision."""
    _require_edit(actor, document)
    _lock(document)
    old = revision_of(document, number)
    if old.body == document.body and old.title == document.title:
        raise ServiceError(_("This revision is already the current text."))
    document.body, document.title = old.body, old.title
    summary = _("Restored revision %(n)d", n=number)
    return _add_revision(document, actor, base=document.revision, summary=summary, restored_from=number)


def set_controls(
    *, document: Document, actor: User, locked: bool, archived: bool, restricted: bool, editor_ids: list[int]
) -> Document:
    """Lock, archive or restrict editing to named active members (contact persons only)."""
    _require_manage(actor, document)
    members = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.community_id == document.community_id,
                Membership.status == MemberStatus.ACTIVE,
                Membership.user_id.in_(editor_ids or [0]),
            )
        )
    )
    if set(editor_ids) - members:
        raise ServiceError(_("Name only active members of this community."), field="editors")
    if restricted and not members:
        raise ServiceError(_("Name at least one member who may edit."), field="editors")
    document.is_locked = locked
    document.status = DocumentStatus.ARCHIVED if archived else DocumentStatus.ACTIVE
    document.is_restricted = restricted
    document.editors = [DocumentEditor(user_id=uid) for uid in sorted(members)] if restricted else []
    db.session.flush()
    return document


def member_choices(community: Community) -> list[tuple[int, str]]:
    """(id, name) of the community's active members, by name, for naming editors."""
    rows = db.session.execute(
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.status == MemberStatus.ACTIVE)
        .order_by(User.name, User.id)
    )
    return [(r.id, r.name) for r in rows]


def start_discussion(*, document: Document, author: User, body: str) -> Thread:
    """Open the document's discussion thread with a first comment (once; later comments are replies)."""
    if document.thread is not None and document.thread.deleted_at is None:
        threads.reply(thread=document.thread, author=author, body=body)
        return document.thread
    title = _("Discussion: %(title)s", title=document.title)[:MAX_TITLE]
    thread = threads.create_thread(
        community=document.community, author=author, kind=ThreadKind.DISCUSSION, title=title, body=body
    )
    document.thread = thread
    db.session.flush()
    return thread


def set_watch(*, document: Document, user: User, watching: bool) -> None:
    """Follow or stop following a document's changes."""
    if not access_for(user, document.community).can_post:
        raise PermissionDenied(_("Only members can follow this document."))
    row = db.session.get(DocumentWatch, (document.id, user.id))
    if watching and row is None:
        db.session.add(DocumentWatch(document_id=document.id, user_id=user.id))
    elif not watching and row is not None:
        db.session.delete(row)
    db.session.flush()


def is_watching(document: Document, user: User) -> bool:
    """True when the user follows the document."""
    return db.session.get(DocumentWatch, (document.id, user.id)) is not None


def readable(user: User, community: Community) -> Access:
    """The user's community access, or NotFound for anyone who may not read its documents."""
    access = access_for(user, community)
    if not access.can_view:
        raise NotFound(_("That document does not exist."))
    return access
