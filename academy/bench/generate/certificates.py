"""Certificate records, and a sample sealed through the real issue path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from academy.bench import content
from academy.bench.generate.base import BASE, OUTCOMES_PER_COURSE
from academy.certificates import codes
from academy.certificates.models import Certificate, CertificateStatus, RevocationReason
from academy.courses.models import Enrolment
from academy.extensions import db


class CertificateParts:
    """Certificate records, and a sample sealed through the real issue path."""

    def certificates(self) -> int:
        """Certificate records with code hashes (codes recomputable from the seed), one in 100 revoked."""
        issuer = "Interreg Academy"
        base = self.ids["certificates"]
        outcome_snap = {
            cid: [{"code": f"LO{k}", "text": self.outcome_text(cid, k)} for k in range(1, OUTCOMES_PER_COURSE + 1)]
            for cid in self.course_rows
        }

        def rows() -> Iterator[dict[str, Any]]:
            for i, (_eid, uid, cid) in enumerate(self.certified):
                version = self.course_rows[cid]
                issued = BASE - timedelta(days=170) + timedelta(minutes=i)
                revoked = i % 100 == 99
                yield {
                    "id": base + 1 + i,
                    "code_hash": codes.digest(content.certificate_code(self.seed, i)),
                    "user_id": uid,
                    "course_id": cid,
                    "version_id": self.version_of[cid],
                    "status": CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
                    "holder_name": self.names[uid],
                    "course_title": version["title"],
                    "version_number": 1,
                    "hours": version["hours"],
                    "credits": version["credits"],
                    "outcomes": outcome_snap[cid],
                    "issuer": issuer,
                    "issued_at": issued,
                    "expires_at": issued + timedelta(days=3 * 365) if version["validity_months"] else None,
                    "pdf_path": "",
                    "pdf_sha256": None,
                    "pdf_size": 0,
                    "key_id": "",
                    "details_hidden": False,
                    "revoked_at": issued + timedelta(days=20) if revoked else None,
                    "revocation_reason": RevocationReason.ISSUED_IN_ERROR if revoked else None,
                    "revocation_note": "",
                }

        return self._insert(Certificate, rows())

    def sealed_certificates(self) -> int:
        """A sample through the real issue path: snapshot, PDF rendered, sealed and stored."""
        from academy.certificates import services as certificates

        for eid, _uid, _cid in self.to_seal:
            certificates.issue_for_enrolment(db.session.get(Enrolment, eid), force=True)
        return len(self.to_seal)

    # --- notifications ---------------------------------------------------------------------------
