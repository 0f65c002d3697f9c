"""Documents, their revisions, files, named editors, presence heartbeats, watchers and file check-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.community.models import TS_CONFIG, Community, Thread
from academy.db import UTCDateTime, utcnow
from academy.extensions import db


class DocumentStatus:
    """An active document can be edited; an archived one is read-only and listed apart."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    ALL = (ACTIVE, ARCHIVED)


class Document(db.Model):
    """A Markdown document of a community; `body` and `revision` mirror its latest revision."""

    __tablename__ = "community_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default=DocumentStatus.ACTIVE)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("community_threads.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    thread: Mapped[Thread | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    editors: Mapped[list[DocumentEditor]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(f"status IN {DocumentStatus.ALL!r}", name="status"),
        Index("ix_community_documents_community_updated", "community_id", "updated_at"),
    )

    @property
    def is_archived(self) -> bool:
        """True once a contact person archived it."""
        return self.status == DocumentStatus.ARCHIVED


class DocumentRevision(db.Model):
    """One saved state of a document: who, when, why, and the revision the editor started from."""

    __tablename__ = "community_document_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("community_documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    base_number: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(300), default="")
    merged: Mapped[bool] = mapped_column(Boolean, default=False)
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_community_document_revisions_document_number"),
    )


class DocumentEditor(db.Model):
    """A member named by a contact person as allowed to edit a restricted document."""

    __tablename__ = "community_document_editors"

    document_id: Mapped[int] = mapped_column(ForeignKey("community_documents.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    document: Mapped[Document] = relationship(back_populates="editors")
    user: Mapped[User] = relationship()


class DocumentPresence(db.Model):
    """A heartbeat: this person had the editor of this document open at `seen_at`."""

    __tablename__ = "community_document_presence"

    document_id: Mapped[int] = mapped_column(ForeignKey("community_documents.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class DocumentWatch(db.Model):
    """Someone who hears about changes to a document (at most once an hour)."""

    __tablename__ = "community_document_watches"

    document_id: Mapped[int] = mapped_column(ForeignKey("community_documents.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FileCheckout(db.Model):
    """ "I am editing this": a member holds a shared office file until `expires_at` or a new version."""

    __tablename__ = "community_file_checkouts"

    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("community_attachments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class DocumentFile(db.Model):
    """An image or file uploaded into a document; its content lives in the community's file store."""

    __tablename__ = "community_document_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("community_documents.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("community_stored_files.sha256"))
    alt: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploader: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        """True for PNG and JPEG files, which the document shows inline."""
        return self.file_type in ("png", "jpg")


# Full-text search over documents' titles and text, the way community_search_documents is searched
# (academy.community.services.search): an FTS5 table kept in step by triggers on SQLite, a GIN
# index over to_tsvector on PostgreSQL. The migration runs the same statements.
DOCUMENT_TSVECTOR = f"to_tsvector('{TS_CONFIG}', title || ' ' || body)"
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS community_document_fts USING fts5("
    "title, body, content='community_documents', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS community_document_fts_ai AFTER INSERT ON community_documents BEGIN "
    "INSERT INTO community_document_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS community_document_fts_ad AFTER DELETE ON community_documents BEGIN "
    "INSERT INTO community_document_fts(community_document_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS community_document_fts_au AFTER UPDATE OF title, body ON community_documents "
    "BEGIN INSERT INTO community_document_fts(community_document_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO community_document_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS community_document_fts",)
POSTGRES_CREATE = (
    f"CREATE INDEX IF NOT EXISTS ix_community_documents_fts ON community_documents USING gin ({DOCUMENT_TSVECTOR})",
)

for _statement in SQLITE_CREATE:
    event.listen(Document.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(Document.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_CREATE:
    event.listen(Document.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
