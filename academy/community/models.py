"""Communities, their members, threads, posts, files, watches and flags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.db import UTCDateTime, utcnow
from academy.extensions import db


class Policy:
    """How a community admits members."""

    APPROVAL = "approval"  # a contact person approves each request
    PARENT_MEMBERS = "parent_members"  # members of the parent join at once; others ask
    ALL = (APPROVAL, PARENT_MEMBERS)


class MemberRole:
    """What an admitted member may do."""

    MEMBER = "member"
    CONTACT = "contact"
    ALL = (MEMBER, CONTACT)


class MemberStatus:
    """Where a person stands with a community; only ACTIVE grants access."""

    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    LEFT = "left"
    REMOVED = "removed"
    SUSPENDED = "suspended"
    ALL = (PENDING, ACTIVE, REJECTED, LEFT, REMOVED, SUSPENDED)


class ThreadKind:
    """A question (can have an accepted answer) or a discussion."""

    QUESTION = "question"
    DISCUSSION = "discussion"
    ALL = (QUESTION, DISCUSSION)


class WatchLevel:
    """How closely someone follows a community or thread (read by notifications)."""

    WATCHING = "watching"  # every new post
    NORMAL = "normal"  # threads I started or posted in
    MUTED = "muted"  # nothing
    ALL = (WATCHING, NORMAL, MUTED)


class FlagStatus:
    """A flag waits in the review queue until a contact hides the post or dismisses it."""

    OPEN = "open"
    HIDDEN = "hidden"
    DISMISSED = "dismissed"
    ALL = (OPEN, HIDDEN, DISMISSED)


class Community(db.Model):
    """A members-only space; may have a parent (Finance) and children (its sub-communities)."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    policy: Mapped[str] = mapped_column(String(20), default=Policy.APPROVAL)
    position: Mapped[int] = mapped_column(Integer, default=0)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # hidden from the directory, closed to joins

    parent: Mapped[Community | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Community]] = relationship(back_populates="parent", order_by="Community.position")
    memberships: Mapped[list[Membership]] = relationship(back_populates="community", passive_deletes=True)

    __table_args__ = (CheckConstraint(f"policy IN {Policy.ALL!r}", name="policy"),)

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"


class Membership(db.Model):
    """One person's standing in one community, with the request and the decision on it."""

    __tablename__ = "community_memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=MemberStatus.PENDING)
    request_message: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Admitted at once because they were a member of the parent (the PARENT_MEMBERS rule): this
    # membership ends when the parent one does. A contact's decision (approve, add, make contact) clears it.
    via_parent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    community: Mapped[Community] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        UniqueConstraint("community_id", "user_id", name="uq_community_memberships_community_user"),
        CheckConstraint(f"role IN {MemberRole.ALL!r}", name="role"),
        CheckConstraint(f"status IN {MemberStatus.ALL!r}", name="status"),
        Index("ix_community_memberships_community_status", "community_id", "status"),
    )

    @property
    def is_active(self) -> bool:
        """True while the membership grants access."""
        return self.status == MemberStatus.ACTIVE

    @property
    def is_contact(self) -> bool:
        """True for an active contact person."""
        return self.is_active and self.role == MemberRole.CONTACT


class Thread(db.Model):
    """A question or discussion; its first post carries the body."""

    __tablename__ = "community_threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default=ThreadKind.DISCUSSION)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_posts.id", ondelete="SET NULL", use_alter=True)
    )
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship()
    author: Mapped[User | None] = relationship()
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", foreign_keys="Post.thread_id", order_by="Post.id", passive_deletes=True
    )
    accepted_post: Mapped[Post | None] = relationship(foreign_keys=[accepted_post_id], post_update=True)

    __table_args__ = (
        CheckConstraint(f"kind IN {ThreadKind.ALL!r}", name="kind"),
        Index("ix_community_threads_listing", "community_id", "is_pinned", "last_activity_at"),
    )

    @property
    def is_question(self) -> bool:
        """True for a question thread."""
        return self.kind == ThreadKind.QUESTION

    @property
    def is_visible(self) -> bool:
        """False once deleted or hidden by a contact."""
        return self.deleted_at is None and self.hidden_at is None


class Post(db.Model):
    """A message in a thread, stored as Markdown with its sanitised HTML beside it."""

    __tablename__ = "community_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("community_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship(back_populates="posts", foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", order_by="PostRevision.id", passive_deletes=True
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="post", order_by="Attachment.id", passive_deletes=True
    )

    __table_args__ = (Index("ix_community_posts_thread_id_id", "thread_id", "id"),)

    @property
    def is_visible(self) -> bool:
        """False once deleted or hidden."""
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(db.Model):
    """A post as it was before an edit (and the thread title, for an opening post)."""

    __tablename__ = "community_post_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()


class StoredFile(db.Model):
    """File content, stored once per SHA-256 outside the web root."""

    __tablename__ = "community_stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(db.Model):
    """A file shared on a post; holds its current version's details, older versions in history."""

    __tablename__ = "community_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("community_stored_files.sha256"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="attachments")
    uploader: Mapped[User | None] = relationship()
    versions: Mapped[list[AttachmentVersion]] = relationship(
        back_populates="attachment", order_by="AttachmentVersion.number", passive_deletes=True
    )


class AttachmentVersion(db.Model):
    """One version of a shared file; the highest number is the attachment's current one."""

    __tablename__ = "community_attachment_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("community_attachments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("community_stored_files.sha256"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachment: Mapped[Attachment] = relationship(back_populates="versions")
    uploader: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("attachment_id", "number", name="uq_community_attachment_versions_attachment_number"),
    )


class Watch(db.Model):
    """A person's chosen level for a community or a thread; no row means NORMAL."""

    __tablename__ = "community_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("community_threads.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(10), default=WatchLevel.NORMAL)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (
        # NULLs never collide, so each pair is unique only where its target is set.
        UniqueConstraint("user_id", "community_id", name="uq_community_watches_user_community"),
        UniqueConstraint("user_id", "thread_id", name="uq_community_watches_user_thread"),
        CheckConstraint("(community_id IS NULL) <> (thread_id IS NULL)", name="one_target"),
        CheckConstraint(f"level IN {WatchLevel.ALL!r}", name="level"),
    )


class Flag(db.Model):
    """A member's report of a post, waiting for a contact's review."""

    __tablename__ = "community_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=FlagStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])

    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id", name="uq_community_flags_post_reporter"),
        CheckConstraint(f"status IN {FlagStatus.ALL!r}", name="status"),
        Index("ix_community_flags_community_status", "community_id", "status"),
    )


class SearchDocument(db.Model):
    """The searchable text of one post (with the thread title on an opening post).

    Full-text indexes sit on top of this table: an FTS5 table on SQLite, a GIN index on
    PostgreSQL (see academy.community.services.search).
    """

    __tablename__ = "community_search_documents"

    post_id: Mapped[int] = mapped_column(ForeignKey("community_posts.id", ondelete="CASCADE"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)


# Full-text search on top of community_search_documents, made with the table. A migration must
# run the same statements for its dialect (SQLITE_CREATE or POSTGRES_CREATE).
TS_CONFIG = "english"
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS community_search_fts USING fts5("
    "content, content='community_search_documents', content_rowid='post_id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS community_search_ai AFTER INSERT ON community_search_documents BEGIN "
    "INSERT INTO community_search_fts(rowid, content) VALUES (new.post_id, new.content); END",
    "CREATE TRIGGER IF NOT EXISTS community_search_ad AFTER DELETE ON community_search_documents BEGIN "
    "INSERT INTO community_search_fts(community_search_fts, rowid, content) "
    "VALUES ('delete', old.post_id, old.content); END",
    "CREATE TRIGGER IF NOT EXISTS community_search_au AFTER UPDATE ON community_search_documents BEGIN "
    "INSERT INTO community_search_fts(community_search_fts, rowid, content) "
    "VALUES ('delete', old.post_id, old.content); "
    "INSERT INTO community_search_fts(rowid, content) VALUES (new.post_id, new.content); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS community_search_fts",)
POSTGRES_CREATE = (
    "CREATE INDEX IF NOT EXISTS ix_community_search_documents_fts ON community_search_documents "
    f"USING gin (to_tsvector('{TS_CONFIG}', content))",
)

for _statement in SQLITE_CREATE:
    event.listen(SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_DROP:
    event.listen(SearchDocument.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_CREATE:
    event.listen(SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
