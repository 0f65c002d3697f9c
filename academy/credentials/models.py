"""Issuer keys, status lists and the verifiable credential of each certificate."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.certificates.models import Certificate
from academy.db import UTCDateTime, string_enum, utcnow
from academy.extensions import db


class KeyAlgorithm(enum.StrEnum):
    """Ed25519 signs credentials (eddsa-rdfc-2022); P-256 signs the QR token (ES256)."""

    ED25519 = "Ed25519"
    ES256 = "ES256"


class KeyStatus(enum.StrEnum):
    """Active keys sign; retired keys stay published so what they signed still verifies."""

    ACTIVE = "active"
    RETIRED = "retired"


class StatusPurpose(enum.StrEnum):
    """What a set bit means in a status list."""

    REVOCATION = "revocation"


class IssuerKey(db.Model):
    """A public key of the issuer; the private half is a file under CREDENTIAL_KEYS_DIR."""

    __tablename__ = "credential_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), unique=True)
    algorithm: Mapped[KeyAlgorithm] = mapped_column(string_enum(KeyAlgorithm, "credential_key_algorithm"))
    public_jwk: Mapped[dict] = mapped_column(JSON)
    public_multibase: Mapped[str] = mapped_column(String(100))
    status: Mapped[KeyStatus] = mapped_column(string_enum(KeyStatus, "credential_key_status"), default=KeyStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<IssuerKey {self.kid} {self.algorithm} {self.status}>"


class StatusList(db.Model):
    """One Bitstring Status List; its bits are derived from the credentials pointing at it."""

    __tablename__ = "credential_status_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[StatusPurpose] = mapped_column(
        string_enum(StatusPurpose, "credential_status_purpose"), default=StatusPurpose.REVOCATION
    )
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Credential(db.Model):
    """The signed OpenBadgeCredential of a certificate, stored as served, and its status bit."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    document: Mapped[str] = mapped_column(Text)  # the exact JSON text served and embedded in the PDF
    key_id: Mapped[str] = mapped_column(String(100))
    status_list_id: Mapped[int] = mapped_column(ForeignKey("credential_status_lists.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)  # the credential's bit in its list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certificate: Mapped[Certificate] = relationship()
    status_list: Mapped[StatusList] = relationship()
