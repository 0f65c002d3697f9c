"""Issuing, revoking and re-issuing certificates, and the queries behind the pages.

Services flush and never commit; views, jobs and CLI commands own the transaction.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from academy.auth.models import User
from academy.certificates import codes, hooks, notify, pdf, policy, signing, storage
from academy.certificates.events import CertificateIssued
from academy.certificates.models import (
    Certificate,
    CertificateExport,
    CertificateStatus,
    ExportStatus,
    RevocationReason,
)
from academy.certificates.policy import can_manage_certificate, can_manage_course_certificates
from academy.core import events
from academy.courses.models import Course, CourseVersion, Enrolment
from academy.db import utcnow
from academy.exceptions import Conflict, NotFound, PermissionDenied, ServiceError
from academy.extensions import db
from academy.textcheck import clean_name


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months, clamped to the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def verify_url(code: str) -> str:
    """The public verification address printed on the certificate and in the QR code."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/verify/{code}"


def find_by_code(text: str) -> Certificate | None:
    """The certificate a typed code names, or None (also for a code failing its check character)."""
    compact = codes.parse(text)
    if compact is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code_hash == codes.digest(compact)))


def current_certificate(user_id: int, version_id: int) -> Certificate | None:
    """The learner's valid or revoked certificate for a course version (superseded ones step aside)."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.version_id == version_id,
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
    )


# Features issuing certificates without a course (programmes) say who manages them and where
# their list is: manager(user, certificate) -> bool, list_url(certificate) -> str.
_PROGRAMME_LIST_URL: list[Callable[[Certificate], str]] = []
_PROGRAMME_PATH: list[Callable[[Certificate], str]] = []


def register_programme_certificates(
    *,
    manager: Callable[[User, Certificate], bool],
    list_url: Callable[[Certificate], str],
    page_path: Callable[[Certificate], str] | None = None,
) -> None:
    """Let the programmes feature decide who manages its certificates, where they are listed and described."""
    policy.register_programme_manager(manager)
    _PROGRAMME_LIST_URL[:] = [list_url]
    _PROGRAMME_PATH[:] = [page_path] if page_path else []


def achievement_path(certificate: Certificate) -> str:
    """The public page (path) of what the certificate was earned for: its course, or its programme."""
    if certificate.course is not None:
        return f"/courses/{certificate.course.slug}"
    for build in _PROGRAMME_PATH:
        return build(certificate)
    return f"/programmes/{certificate.programme_id}"


def list_url(certificate: Certificate) -> str:
    """Where a manager goes back to after revoking or re-issuing this certificate."""
    if certificate.course is not None:
        return url_for("certificates.course_list", slug=certificate.course.slug)
    for build in _PROGRAMME_LIST_URL:
        return build(certificate)
    return url_for("certificates.mine")


# ---------------------------------------------------------------------------- issuing


@dataclass(frozen=True)
class _Snapshot:
    holder_name: str
    version: CourseVersion | None
    issued_at: datetime
    expires_at: datetime | None
    replaces_issued_at: datetime | None = None
    # A programme certificate has no version: its facts come from here instead.
    programme_id: int | None = None
    title: str = ""
    version_number: int = 1
    hours: Decimal = Decimal("0")
    credits: Decimal = Decimal("0")
    outcomes: tuple[tuple[str, str], ...] = ()
    parts: tuple[tuple[str, str, str], ...] = ()  # (kind, title, detail)


def _create(user: User | None, course: Course | None, snap: _Snapshot) -> Certificate:
    """Claim the row, then render, seal and store the PDF once; flushes."""
    version = snap.version
    code = codes.generate()
    if version is not None:
        outcomes = [{"code": o.code, "text": o.text} for o in version.outcomes]
        title, number, hours, credits = version.title, version.number, version.hours, version.credits
    else:
        outcomes = [{"code": code_, "text": text_} for code_, text_ in snap.outcomes]
        title, number, hours, credits = snap.title, snap.version_number, snap.hours, snap.credits
    parts = [{"kind": kind, "title": part_title, "detail": detail} for kind, part_title, detail in snap.parts]
    certificate = Certificate(
        code_hash=codes.digest(code),
        user=user,
        course=course,
        version=version,
        programme_id=snap.programme_id,
        status=CertificateStatus.VALID,
        holder_name=snap.holder_name,
        course_title=title,
        version_number=number,
        hours=hours,
        credits=credits,
        outcomes=outcomes,
        parts=parts,
        issuer=current_app.config["CERTIFICATE_ISSUER"],
        issued_at=snap.issued_at,
        expires_at=snap.expires_at,
    )
    db.session.add(certificate)
    # The insert claims (user, version) before the costly part: a concurrent run fails here.
    db.session.flush()
    extras = hooks.before_render(certificate, code)
    content = pdf.CertificateContent(
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        version_number=certificate.version_number,
        hours=certificate.hours,
        credits=certificate.credits,
        issued_on=snap.issued_at.date(),
        expires_on=snap.expires_at.date() if snap.expires_at else None,
        issuer=certificate.issuer,
        code=code,
        verify_url=verify_url(code),
        outcomes=[(o["code"], o["text"]) for o in outcomes],
        replaces_on=snap.replaces_issued_at.date() if snap.replaces_issued_at else None,
        qr_url=extras.qr_url,
        parts=[(p["title"], p["detail"]) for p in parts],
        programme=snap.programme_id is not None,
    )
    key = signing.seal_key()
    sealed = signing.seal(
        pdf.render(content),
        box=pdf.SEAL_BOX,
        reason=f"Certificate {code} issued by {certificate.issuer}",
        attachments=extras.attachments,
    )
    certificate.pdf_path, certificate.pdf_sha256 = storage.store_pdf(sealed)
    certificate.pdf_size = len(sealed)
    certificate.key_id = key.key_id
    db.session.flush()
    notify.issued(certificate)
    # Programmes listen: a course certificate may complete a programme.
    events.emit(CertificateIssued(certificate.id, user_id=certificate.user_id, course_id=certificate.course_id))
    return certificate


def current_programme_certificate(user_id: int, programme_id: int) -> Certificate | None:
    """The learner's valid or revoked certificate for a programme (superseded ones step aside)."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.programme_id == programme_id,
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
    )


def current_programme_certificates(user_id: int, programme_ids: list[int]) -> dict[int, Certificate]:
    """`current_programme_certificate()` for several programmes in one query: programme id -> certificate."""
    if not programme_ids:
        return {}
    return {
        c.programme_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.user_id == user_id,
                Certificate.programme_id.in_(programme_ids),
                Certificate.status != CertificateStatus.SUPERSEDED,
            )
        )
    }


@dataclass(frozen=True)
class ProgrammeAchievement:
    """What a programme certificate says, computed by the programmes feature."""

    programme_id: int
    title: str
    hours: Decimal
    credits: Decimal
    validity_months: int | None
    outcomes: tuple[tuple[str, str], ...]
    parts: tuple[tuple[str, str, str], ...]  # (kind, title, detail) of every part that counted


def issue_for_programme(user: User, achievement: ProgrammeAchievement) -> Certificate:
    """Issue a programme certificate, or return the learner's current one (idempotent, like courses).

    The caller (the programmes feature) has checked that every required part is complete.
    """
    existing = current_programme_certificate(user.id, achievement.programme_id)
    if existing is not None:
        return existing
    now = utcnow()
    expires = add_months(now, achievement.validity_months) if achievement.validity_months else None
    return _create(user, None, _programme_snapshot(user.name, achievement, issued_at=now, expires_at=expires))


def _programme_snapshot(
    holder_name: str,
    achievement: ProgrammeAchievement,
    *,
    issued_at: datetime,
    expires_at: datetime | None,
    replaces_issued_at: datetime | None = None,
) -> _Snapshot:
    return _Snapshot(
        holder_name=holder_name,
        version=None,
        issued_at=issued_at,
        expires_at=expires_at,
        replaces_issued_at=replaces_issued_at,
        programme_id=achievement.programme_id,
        title=achievement.title,
        hours=achievement.hours,
        credits=achievement.credits,
        outcomes=achievement.outcomes,
        parts=achievement.parts,
    )


def achievement_of(certificate: Certificate) -> ProgrammeAchievement:
    """The programme facts a certificate was issued with (to re-issue it unchanged but for the name)."""
    return ProgrammeAchievement(
        programme_id=certificate.programme_id or 0,
        title=certificate.course_title,
        hours=certificate.hours,
        credits=certificate.credits,
        validity_months=None,
        outcomes=tuple((o.get("code", ""), o.get("text", "")) for o in certificate.outcomes or []),
        parts=tuple((p.get("kind", ""), p.get("title", ""), p.get("detail", "")) for p in certificate.parts or []),
    )


def issue_for_enrolment(enrolment: Enrolment, *, force: bool = False) -> Certificate:
    """Issue the certificate for the enrolment's current course version, or return the one it has.

    Idempotent: a learner holds at most one valid (or revoked) certificate per course version, and
    a revoked one is not replaced by running this again. `force` skips the completion rule
    (admins issuing by hand); the caller checks it otherwise.
    """
    from academy.certificates import completion

    course = enrolment.course
    version = course.published_version
    if version is None:
        raise ServiceError(_("This course has no published version to certify."))
    existing = current_certificate(enrolment.user_id, version.id)
    if existing is not None:
        return existing
    if not force and not completion.is_complete(enrolment):
        raise ServiceError(_("The learner has not completed the course yet."))
    now = utcnow()
    expires = add_months(now, version.validity_months) if version.validity_months else None
    if enrolment.completed_at is None:
        enrolment.completed_at = now
    snap = _Snapshot(holder_name=enrolment.user.name, version=version, issued_at=now, expires_at=expires)
    return _create(enrolment.user, course, snap)


def revoke(certificate: Certificate, *, actor: User | None, reason: RevocationReason | str, note: str = "") -> None:
    """Revoke a valid certificate with a public reason category and a private note.

    `actor` None means the command line (trusted); otherwise a course trainer or an admin.
    """
    if actor is not None and not can_manage_certificate(actor, certificate):
        raise PermissionDenied
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(_("Only a valid certificate can be revoked."))
    try:
        certificate.revocation_reason = RevocationReason(reason)
    except ValueError:
        raise ServiceError(_("Choose a reason."), field="reason") from None
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoked_by = actor
    certificate.revocation_note = (note or "").strip()[:2000]
    db.session.flush()
    hooks.status_changed(certificate)
    notify.revoked(certificate)


def suspend(certificate: Certificate, *, actor: User | None) -> None:
    """Suspend a valid certificate: verifiers see it as suspended until the suspension is lifted."""
    if actor is not None and not can_manage_certificate(actor, certificate):
        raise PermissionDenied
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(_("Only a valid certificate can be suspended."))
    if certificate.suspended_at is not None:
        raise Conflict(_("This certificate is already suspended."))
    certificate.suspended_at = utcnow()
    db.session.flush()
    hooks.status_changed(certificate)


def lift_suspension(certificate: Certificate, *, actor: User | None) -> None:
    """Lift a suspension: the certificate is valid again (unless it expired meanwhile)."""
    if actor is not None and not can_manage_certificate(actor, certificate):
        raise PermissionDenied
    if certificate.suspended_at is None:
        raise Conflict(_("This certificate is not suspended."))
    certificate.suspended_at = None
    db.session.flush()
    hooks.status_changed(certificate)


def reissue(
    certificate: Certificate,
    *,
    actor: User | None,
    holder_name: str | None = None,
    achievement: ProgrammeAchievement | None = None,
    replace_revoked: bool = False,
) -> Certificate:
    """Issue a corrected certificate for the same course version and mark this one superseded.

    The new one carries today's date, the old one's expiry, and the holder's current name unless
    `holder_name` is given. A programme certificate keeps its snapshot unless `achievement` (the
    programme's corrected parts, e.g. after an attendance correction) is given. `replace_revoked`
    (the command line and jobs only) lets a revoked certificate be replaced, for a revocation that a
    later correction undid.
    """
    if actor is not None and not can_manage_certificate(actor, certificate):
        raise PermissionDenied
    allowed = (CertificateStatus.VALID, CertificateStatus.REVOKED) if replace_revoked and actor is None else ()
    if certificate.status != CertificateStatus.VALID and certificate.status not in allowed:
        raise Conflict(_("Only a valid certificate can be re-issued."))
    name = (holder_name or "").strip() or (certificate.user.name if certificate.user else certificate.holder_name)
    if len(name) > 120:
        raise ServiceError(_("The name is too long."), field="holder_name")
    name = clean_name(name, field="holder_name")
    # Step aside first: the partial unique index allows one current certificate per version.
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_at = utcnow()
    db.session.flush()
    hooks.status_changed(certificate)
    if certificate.is_programme:
        snap = _programme_snapshot(
            name,
            achievement or achievement_of(certificate),
            issued_at=certificate.superseded_at,
            expires_at=certificate.expires_at,
            replaces_issued_at=certificate.issued_at,
        )
    else:
        snap = _Snapshot(
            holder_name=name,
            version=certificate.version,
            issued_at=certificate.superseded_at,
            expires_at=certificate.expires_at,
            replaces_issued_at=certificate.issued_at,
        )
    replacement = _create(certificate.user, certificate.course, snap)
    replacement.reissued_by = actor
    certificate.superseded_by = replacement
    db.session.flush()
    return replacement


def set_details_hidden(certificate: Certificate, *, actor: User, hidden: bool) -> None:
    """The holder chooses whether the public page shows the details or the status only."""
    if certificate.user_id != actor.id:
        raise PermissionDenied
    certificate.details_hidden = hidden
    db.session.flush()


# ---------------------------------------------------------------------------- reading


def stored_code(certificate: Certificate) -> str:
    """The certificate's code, read back from its sealed PDF (the database keeps only a hash)."""
    if not certificate.pdf_path:
        return ""
    try:
        code = signing.read_embedded_code(storage.read(certificate.pdf_path))
    except (OSError, ValueError):
        return ""
    # Trust the file only if it still matches the record.
    if code and codes.normalise(code) and codes.digest(code) == certificate.code_hash:
        return code
    return ""


def certificates_of(user: User) -> list[Certificate]:
    """A holder's certificates, newest first, in one query."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def valid_certificates_summary(user: User) -> tuple[int, Certificate | None]:
    """How many valid (not revoked, superseded or expired) certificates the user holds, and the latest (1 query)."""
    now = utcnow()
    valid = (
        Certificate.user_id == user.id,
        Certificate.status == CertificateStatus.VALID,
        or_(Certificate.expires_at.is_(None), Certificate.expires_at > now),
    )
    # The newest row with the count of all of them beside it (a window over the whole result).
    row = db.session.execute(
        select(Certificate, func.count().over())
        .where(*valid)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(1)
    ).first()
    return (row[1], row[0]) if row else (0, None)


def course_certificates(course: Course, *, page: int = 1, per_page: int = 50):  # noqa: ANN201
    """A page of a course's certificates with their holders, newest first."""
    query = (
        select(Certificate)
        .where(Certificate.course_id == course.id)
        .options(selectinload(Certificate.user))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_course(slug: str) -> Course:
    """The course with this slug and its owners, or NotFound."""
    course = db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.owners)))
    if course is None:
        raise NotFound(_("No such course."))
    return course


def request_export(course: Course, *, actor: User) -> CertificateExport:
    """Ask for a ZIP of the course's certificates; a job builds it after the commit."""
    if not can_manage_course_certificates(actor, course):
        raise PermissionDenied
    export = CertificateExport(course=course, requested_by=actor, status=ExportStatus.PENDING)
    db.session.add(export)
    db.session.flush()
    return export


def recent_exports(course: Course, *, limit: int = 5) -> list[CertificateExport]:
    """The latest export requests for a course."""
    return list(
        db.session.scalars(
            select(CertificateExport)
            .where(CertificateExport.course_id == course.id)
            .order_by(CertificateExport.created_at.desc(), CertificateExport.id.desc())
            .limit(limit)
        )
    )
