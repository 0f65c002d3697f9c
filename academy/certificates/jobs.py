"""Background work for certificates: issuing once the completion rule is met, and the bulk ZIP export."""

from __future__ import annotations

import logging
import os
import zipfile

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from academy.certificates import completion, services, storage
from academy.certificates.models import Certificate, CertificateExport, ExportStatus
from academy.certificates.policy import can_manage_course_certificates
from academy.courses.models import Enrolment
from academy.csvutil import rows_to_csv
from academy.db import utcnow
from academy.extensions import db

log = logging.getLogger(__name__)


def _entry_name(certificate: Certificate, used: set[str]) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in certificate.holder_name).strip("-") or "holder"
    name = f"{certificate.issued_at:%Y-%m-%d}-{safe[:60]}-v{certificate.version_number}-{certificate.status}.pdf"
    if name in used:
        name = f"{name[:-4]}-{certificate.id}.pdf"
    used.add(name)
    return name


def build_export(export_id: int) -> None:
    """Job: write the ZIP of a course's certificates; a second run finds the export claimed and stops."""
    claimed = db.session.execute(
        update(CertificateExport)
        .where(CertificateExport.id == export_id, CertificateExport.status == ExportStatus.PENDING)
        .values(status=ExportStatus.BUILDING)
    ).rowcount
    db.session.commit()
    if not claimed:
        return
    export = db.session.get(CertificateExport, export_id)
    # Checked again now: the requester may have lost the trainer role or the course since asking.
    if export.requested_by is None or not can_manage_course_certificates(export.requested_by, export.course):
        export.status = ExportStatus.FAILED
        export.error = "The person who asked for this export no longer manages the course."
        export.finished_at = utcnow()
        db.session.commit()
        return
    relative, path = storage.export_path(export.id)
    partial = path.with_suffix(".part")
    try:
        certificates = db.session.scalars(
            select(Certificate).where(Certificate.course_id == export.course_id).order_by(Certificate.issued_at)
        ).all()
        used: set[str] = set()
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            rows: list[list[object]] = []
            for certificate in certificates:
                if not certificate.pdf_path:
                    continue
                name = _entry_name(certificate, used)
                archive.write(storage.path_of(certificate.pdf_path), name)
                rows.append(
                    [
                        name,
                        certificate.holder_name,
                        certificate.course_title,
                        certificate.version_number,
                        certificate.issued_at.date().isoformat(),
                        certificate.expires_at.date().isoformat() if certificate.expires_at else "",
                        certificate.state().value,
                        certificate.pdf_sha256 or "",
                    ]
                )
            header = ["file", "holder", "course", "version", "issued", "expires", "status", "sha256"]
            archive.writestr("index.csv", rows_to_csv(header, rows))
        os.replace(partial, path)
    except Exception as err:
        log.exception("certificate export %s failed", export_id)
        db.session.rollback()
        export = db.session.get(CertificateExport, export_id)
        export.status = ExportStatus.FAILED
        export.error = str(err)[:500]
        export.finished_at = utcnow()
        db.session.commit()
        partial.unlink(missing_ok=True)
        return
    export.status = ExportStatus.READY
    export.file_path = relative
    export.count = len(used)
    export.finished_at = utcnow()
    db.session.commit()


def notify_progress(enrolment_id: int) -> None:
    """Job: if the enrolment now meets the rule, issue its certificate (a second run does nothing)."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not completion.is_complete(enrolment):
        return
    try:
        services.issue_for_enrolment(enrolment)
        db.session.commit()
    except IntegrityError:
        # A concurrent run claimed this learner and version first; its certificate stands.
        db.session.rollback()
