"""Certificates and bulk exports.

A certificate is a snapshot: the holder's name, the course title and version, hours, credits
and outcomes as they were at issue, plus the sealed PDF's SHA-256. Nothing about it is ever
re-rendered or deleted; revocation and supersession are states shown on the public page.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.auth.models import User
from academy.courses.models import Course, CourseVersion
from academy.db import UTCDateTime, string_enum, utcnow
from academy.extensions import db


class CertificateStatus(enum.StrEnum):
    """What is stored; "expired" is derived from `expires_at` when the certificate is read."""

    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class State(enum.StrEnum):
    """What a verifier is told."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    SUSPENDED = "suspended"
    NOT_FOUND = "not_found"


# What each state is called on pages (the verification page, My certificates, trainers' lists).
STATE_LABELS = {
    State.VALID: _l("Valid"),
    State.EXPIRED: _l("Expired"),
    State.REVOKED: _l("Revoked"),
    State.SUPERSEDED: _l("Superseded"),
    State.SUSPENDED: _l("Suspended"),
    State.NOT_FOUND: _l("Not found"),
}


class RevocationReason(enum.StrEnum):
    """Public reason categories; the details go in the private note."""

    ISSUED_IN_ERROR = "issued_in_error"
    MISCONDUCT = "misconduct"
    HOLDER_REQUEST = "holder_request"
    COURSE_WITHDRAWN = "course_withdrawn"
    OTHER = "other"


REASON_LABELS = {
    RevocationReason.ISSUED_IN_ERROR: _l("Issued in error"),
    RevocationReason.MISCONDUCT: _l("Academic misconduct"),
    RevocationReason.HOLDER_REQUEST: _l("At the holder's request"),
    RevocationReason.COURSE_WITHDRAWN: _l("Course withdrawn"),
    RevocationReason.OTHER: _l("Other reason"),
}


class ExportStatus(enum.StrEnum):
    """A bulk ZIP export moves pending -> building -> ready (or failed)."""

    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class Certificate(db.Model):
    """One issued certificate: a snapshot of the achievement and the sealed PDF's fingerprint."""

    __tablename__ = "certificates"
    __table_args__ = (
        # One current (valid or revoked) certificate per learner and course version, whatever the
        # number of job runs: the second insert fails. Superseded ones step aside for their
        # replacement; revoked ones stay in place so a completion event cannot issue again.
        Index(
            "uq_certificates_current",
            "user_id",
            "version_id",
            unique=True,
            sqlite_where=text("status != 'superseded'"),
            postgresql_where=text("status != 'superseded'"),
        ),
        # The same for certificates of another achievement (no course version; a higher feature
        # issues them and names the achievement by kind and id).
        Index(
            "uq_certificates_current_achievement",
            "user_id",
            "achievement_kind",
            "achievement_id",
            unique=True,
            sqlite_where=text("status != 'superseded' AND achievement_kind IS NOT NULL"),
            postgresql_where=text("status != 'superseded' AND achievement_kind IS NOT NULL"),
        ),
        Index("ix_certificates_achievement", "achievement_kind", "achievement_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    # A course certificate names its course and version; any other certificate names "an
    # achievement" by kind and id instead: the feature that registered the kind
    # (services.register_achievement_kind) owns what the id means. No foreign key: certificates
    # cannot know the higher feature's table.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), nullable=True, index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"), nullable=True)
    achievement_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    achievement_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[CertificateStatus] = mapped_column(
        string_enum(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID
    )
    # Snapshot at issue: what the PDF says, never updated.
    holder_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    version_number: Mapped[int] = mapped_column(Integer)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    credits: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    outcomes: Mapped[list] = mapped_column(JSON, default=list)  # [{"code": "LO1", "text": "..."}]
    # Achievement certificates: the parts that made it up [{"kind", "title", "detail"}].
    parts: Mapped[list] = mapped_column(JSON, default=list)
    issuer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The sealed PDF, stored once.
    pdf_path: Mapped[str] = mapped_column(String(255), default="")
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    pdf_size: Mapped[int] = mapped_column(Integer, default=0)
    key_id: Mapped[str] = mapped_column(String(64), default="")
    # Holder's choice: the public page shows the status only.
    details_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revocation_reason: Mapped[RevocationReason | None] = mapped_column(
        string_enum(RevocationReason, "revocation_reason"), nullable=True
    )
    revocation_note: Mapped[str] = mapped_column(Text, default="")  # private: never on the public page
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Suspended: not valid for now (say, while a complaint is looked into); the trainer lifts it.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), nullable=True)
    reissued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Goes up by one in every UPDATE of the row, ORM or Core (the SET clause adds it): a prepared
    # verification answer (VerificationAnswer) is served only while its revision is the row's.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0", onupdate=text("revision + 1"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    course: Mapped[Course | None] = relationship()
    version: Mapped[CourseVersion | None] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    reissued_by: Mapped[User | None] = relationship(foreign_keys=[reissued_by_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])

    def state(self, now: datetime | None = None) -> State:
        """What a verifier sees now: valid, expired, revoked, superseded or suspended."""
        if self.status == CertificateStatus.REVOKED:
            return State.REVOKED
        if self.status == CertificateStatus.SUPERSEDED:
            return State.SUPERSEDED
        if self.suspended_at is not None:
            return State.SUSPENDED
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return State.EXPIRED
        return State.VALID

    @property
    def reason_label(self) -> str:
        """The public label of the revocation reason."""
        return str(REASON_LABELS[self.revocation_reason]) if self.revocation_reason else ""

    @property
    def is_achievement(self) -> bool:
        """True for a certificate of a registered achievement kind (no course of its own)."""
        return self.achievement_kind is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.id} {self.status} user={self.user_id} version={self.version_id}>"


class CertificateExport(db.Model):
    """A ZIP of a course's certificates, built by a background job for a trainer."""

    __tablename__ = "certificate_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[ExportStatus] = mapped_column(
        string_enum(ExportStatus, "export_status"), default=ExportStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    file_path: Mapped[str] = mapped_column(String(255), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship()
    requested_by: Mapped[User | None] = relationship()


class VerificationAnswer(db.Model):
    """A certificate's public answer (page or JSON, per language), rendered ahead of the first verifier.

    The code appears as `answers.SENTINEL` (the database keeps codes only as hashes) and is put back
    from the address when served. Valid while `revision` is the certificate's and `stamp` the app's
    (templates, code, keys), and until `expires` (the certificate's expiry turns "valid" into "expired").
    """

    __tablename__ = "verification_answers"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(40), primary_key=True)  # "html:en", "json:en"
    revision: Mapped[int] = mapped_column(Integer)
    stamp: Mapped[str] = mapped_column(String(64))
    headers: Mapped[str] = mapped_column(Text)  # JSON list of [name, value]
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib
    stored_at: Mapped[float] = mapped_column(Float)
    expires: Mapped[float | None] = mapped_column(Float, nullable=True)
