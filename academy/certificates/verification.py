"""What a verifier is told: by code (page and JSON) or by uploading a PDF."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from academy.certificates import achievements, codes, pdfguard, sandbox, services, signing
from academy.certificates import keys as seal_keys
from academy.certificates.models import Certificate, State
from academy.extensions import db

log = logging.getLogger(__name__)


@dataclass
class PublicRecord:
    """The public face of a certificate: its state, and the holder and achievement unless hidden."""

    state: State
    code: str = ""
    issuer: str = ""
    details_hidden: bool = False
    holder_name: str = ""
    course_title: str = ""
    version_number: int | None = None
    hours: str = ""
    credits: str = ""
    outcomes: list[dict] = field(default_factory=list)
    # An achievement certificate (not a course's): its kind, what to call it, and the parts that made it up.
    achievement_kind: str = ""
    achievement_label: str = ""
    parts_heading: str = ""
    parts: list[dict] = field(default_factory=list)
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    revocation_label: str = ""
    superseded_at: datetime | None = None
    suspended_at: datetime | None = None
    replacement_url: str = ""

    @property
    def found(self) -> bool:
        """False for the uniform not-found answer."""
        return self.state != State.NOT_FOUND


NOT_FOUND = PublicRecord(state=State.NOT_FOUND)


def _number(value) -> str:  # noqa: ANN001
    return f"{value.normalize():f}" if value is not None else ""


def public_record(certificate: Certificate, code: str) -> PublicRecord:
    """Describe a certificate for verifiers; `code` is the grouped code they used."""
    state = certificate.state()
    record = PublicRecord(
        state=state,
        code=code,
        issuer=certificate.issuer,
        details_hidden=certificate.details_hidden,
    )
    if not certificate.details_hidden:
        record.holder_name = certificate.holder_name
        record.course_title = certificate.course_title
        record.version_number = certificate.version_number
        record.hours = _number(certificate.hours)
        record.credits = _number(certificate.credits)
        record.outcomes = [{"code": o.get("code", ""), "text": o.get("text", "")} for o in certificate.outcomes or []]
        if certificate.is_achievement:
            kind = achievements.kind_of(certificate)
            record.achievement_kind = certificate.achievement_kind or ""
            record.achievement_label = str(kind.label) if kind is not None else record.achievement_kind
            record.parts_heading = str(kind.parts_heading) if kind is not None else ""
        record.parts = [{"title": p.get("title", ""), "detail": p.get("detail", "")} for p in certificate.parts or []]
        record.issued_at = certificate.issued_at
        record.expires_at = certificate.expires_at
    if state == State.REVOKED:
        record.revoked_at = certificate.revoked_at
        record.revocation_reason = str(certificate.revocation_reason or "")
        record.revocation_label = certificate.reason_label
    if state == State.SUSPENDED:
        record.suspended_at = certificate.suspended_at
    if state == State.SUPERSEDED:
        record.superseded_at = certificate.superseded_at
        replacement = certificate.superseded_by
        replacement_code = services.stored_code(replacement) if replacement is not None else ""
        if replacement_code:
            record.replacement_url = services.verify_url(replacement_code)
    return record


def lookup(text: str, *, certificate_id: int | None = None) -> PublicRecord:
    """The public record for a typed code; NOT_FOUND alike for unknown codes and bad check characters.

    `certificate_id` (only from inside the process: academy.certificates.answers) names the
    certificate instead of the code, which is then only shown.
    """
    if certificate_id is not None:
        certificate = db.session.get(Certificate, certificate_id)
        return NOT_FOUND if certificate is None else public_record(certificate, text)
    certificate = services.find_by_code(text)
    if certificate is None:
        return NOT_FOUND
    return public_record(certificate, codes.group(codes.normalise(text) or ""))


# ---------------------------------------------------------------------------- PDF upload

VERDICTS = {
    "authentic": _l("This file is an authentic certificate: its seal is intact and it matches our record."),
    "modified": _l(
        "This file has been changed after it was sealed. It is not a valid certificate; "
        "ask the holder for the original file or check the code on the certificate instead."
    ),
    "unknown": _l(
        "This file carries a valid seal, but it is not a file we issued. Check its certificate code instead."
    ),
    "not_ours": _l("This file does not carry our seal, so we cannot vouch for it."),
    "unreadable": _l("This file is not a PDF we can read."),
    "uncheckable": _l(
        "This file could not be checked: it is not shaped like a certificate we issue, or checking it "
        "would take more time or memory than a certificate needs. Check the code printed on the certificate instead."
    ),
    "record_only": _l(
        "This file matches our record, but its seal could not be checked against our current root certificate."
    ),
}


# A certificate that is no longer valid is named as such before anything about the file's seal.
STATE_LEADS = {
    State.REVOKED: _l("This certificate has been revoked: it is no longer valid."),
    State.EXPIRED: _l("This certificate has expired: it is no longer valid."),
    State.SUPERSEDED: _l("This certificate has been replaced by a newer one: this file is no longer the valid one."),
}


@dataclass(frozen=True)
class UploadResult:
    """The verdict on an uploaded PDF and, for an authentic file, the certificate's record."""

    verdict: str
    seal: signing.SealCheck
    record: PublicRecord | None = None

    @property
    def message(self) -> str:
        """The sentence shown first: a revoked, expired or superseded certificate says so before the seal."""
        state = self.record.state if self.record is not None else None
        lead = STATE_LEADS.get(state) if state is not None else None
        if lead is not None:
            reason = self.record.revocation_label if state == State.REVOKED and self.record.revocation_label else ""
            text = str(lead)
            if reason:
                text += " " + str(_l("Reason: %(reason)s.", reason=reason))
            return text + " " + str(_l("The file itself is the one we issued."))
        return str(VERDICTS[self.verdict])

    @property
    def tone(self) -> str:
        """ "success" only for an authentic file of a valid certificate; "warning" or "error" otherwise."""
        state = self.record.state if self.record is not None else None
        if state in (State.REVOKED, State.SUSPENDED):
            return "error"
        if state in (State.EXPIRED, State.SUPERSEDED):
            return "warning"
        return "success" if self.verdict == "authentic" else "error"

    @property
    def checked(self) -> bool:
        """False when the file could not be read or checked within the limits (a 422 answer)."""
        return self.verdict not in ("unreadable", "uncheckable")


def check_upload(data: bytes) -> UploadResult:
    """Check an uploaded PDF: our seal against the pinned root, and its SHA-256 against our records.

    The seal is checked in a limited child process (`sandbox`); nothing of the upload is kept.
    """
    sha = hashlib.sha256(data).hexdigest()
    certificate = db.session.scalar(select(Certificate).where(Certificate.pdf_sha256 == sha))
    if pdfguard.header_offset(data) is None:
        return UploadResult("unreadable", signing.SealCheck(ok=False, reason="unreadable", sha256=sha))
    key = seal_keys.seal_key()
    try:
        seal = sandbox.check_seal_bounded(
            data, roots=key.roots, chain=key.chain, limits=sandbox.limits_from_config(current_app.config)
        )
    except sandbox.Uncheckable as err:
        log.info("uploaded PDF not checked: %s", err.reason)
        seal = signing.SealCheck(ok=False, reason="uncheckable", sha256=sha)
        if certificate is None:
            return UploadResult("uncheckable", seal)
    if seal.ok and certificate is not None:
        code = services.stored_code(certificate) or seal.embedded_code
        return UploadResult("authentic", seal, public_record(certificate, code))
    if certificate is not None:
        code = services.stored_code(certificate) or seal.embedded_code
        return UploadResult("record_only", seal, public_record(certificate, code))
    if seal.reason == "unreadable":
        return UploadResult("unreadable", seal)
    if seal.reason in ("no_signature", "not_trusted"):
        return UploadResult("not_ours", seal)
    if seal.ok:
        return UploadResult("unknown", seal)
    return UploadResult("modified", seal)
