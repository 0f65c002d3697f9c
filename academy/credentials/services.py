"""Credentials for certificates: issued with the certificate, revoked with it, verified for anyone.

`prepare(certificate, code)` and `status_changed(certificate)` are the certificates feature's
hooks (registered in integration.py). Services flush; their callers commit.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.certificates import codes
from academy.certificates.hooks import Attachment, IssueExtras
from academy.certificates.models import Certificate, CertificateStatus
from academy.credentials import builder, jws, keys, statuslist
from academy.credentials.models import Credential, IssuerKey, KeyAlgorithm, StatusList
from academy.credentials.proofs import eddsa, jsonld
from academy.db import utcnow
from academy.extensions import db

MEDIA_TYPE = "application/ld+json"


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def qr_url(code: str) -> str:
    """What the QR code carries: the verification address of the compact code, its signature after `#`.

    About 140 characters with a production host (a QR code of 49 modules a side), against ~370
    for the earlier token with the holder's name and course: that one did not scan from paper.
    """
    compact = codes.normalise(code) or code
    key = keys.signing_key(KeyAlgorithm.ES256)
    return f"{keys.base_url()}/verify/{compact}#{jws.sign_code(compact, private_key=keys.private_key(key))}"


INDEX_ATTEMPTS = 3


def issue(certificate: Certificate) -> Credential:
    """Create, sign and store the certificate's credential with a random status index; flushes.

    Two issues at once may draw the same free index; the loser's savepoint fails on the unique
    (list, index) pair and it draws again, so the surrounding transaction survives.
    """
    status_list = statuslist.current_list()
    for attempt in range(INDEX_ATTEMPTS):
        credential = _signed_credential(certificate, status_list, statuslist.free_index(status_list))
        try:
            with db.session.begin_nested():
                db.session.add(credential)
        except IntegrityError:
            if attempt == INDEX_ATTEMPTS - 1:
                raise
            continue
        return credential
    raise AssertionError("unreachable")


def _signed_credential(certificate: Certificate, status_list: StatusList, index: int) -> Credential:
    public_id = str(uuid.uuid4())
    email = certificate.user.email if certificate.user is not None else None
    document = builder.build(certificate, public_id=public_id, email=email, status=statuslist.entry(status_list, index))
    key = keys.signing_key(KeyAlgorithm.ED25519)
    signed = eddsa.sign(
        document,
        private_key=keys.private_key(key),
        verification_method=keys.verification_method(key),
        created=builder.timestamp(utcnow()),
        as_list=True,
    )
    return Credential(
        public_id=public_id,
        certificate_id=certificate.id,
        document=_dumps(signed),
        key_id=key.kid,
        status_list_id=status_list.id,
        status_index=index,
        revoked=False,
    )


def backfill(*, limit: int = 500) -> int:
    """Issue credentials for certificates issued before this feature (their PDFs stay as sealed).

    Revoked and superseded certificates get their bit set at once. Returns how many were made; flushes.
    """
    missing = db.session.scalars(
        select(Certificate)
        .outerjoin(Credential, Credential.certificate_id == Certificate.id)
        .where(Credential.id.is_(None))
        .order_by(Certificate.id)
        .limit(limit)
    ).all()
    for certificate in missing:
        credential = issue(certificate)
        credential.revoked = certificate.status != CertificateStatus.VALID
    db.session.flush()
    return len(missing)


def prepare(certificate: Certificate, code: str) -> IssueExtras:
    """Issue hook: the credential to embed in the PDF and the QR address with its signed token."""
    credential = issue(certificate)
    attachment = Attachment(
        name="credential.jsonld",
        data=credential.document.encode("utf-8"),
        mime_type=MEDIA_TYPE,
        description="Open Badges 3.0 verifiable credential of this certificate",
    )
    return IssueExtras(attachments=[attachment], qr_url=qr_url(code))


def status_changed(certificate: Certificate) -> None:
    """Status hook: a revoked or superseded certificate sets its credential's bit; flushes."""
    credential = of_certificate(certificate)
    if credential is not None and certificate.status != CertificateStatus.VALID and not credential.revoked:
        credential.revoked = True
        db.session.flush()


def of_certificate(certificate: Certificate) -> Credential | None:
    """The certificate's credential, if it has one."""
    return db.session.scalar(select(Credential).where(Credential.certificate_id == certificate.id))


def by_public_id(public_id: str) -> Credential | None:
    """The credential with this public id, or None."""
    return db.session.scalar(select(Credential).where(Credential.public_id == public_id))


def issuer_name() -> str:
    """The issuer's display name."""
    return current_app.config["CERTIFICATE_ISSUER"]


def issuer_profile() -> dict[str, Any]:
    """The issuer Profile with every key (active and retired) as a Multikey verification method."""
    every = keys.all_keys()
    methods = [
        {
            "id": keys.verification_method(key),
            "type": "Multikey",
            "controller": keys.issuer_url(),
            "publicKeyMultibase": key.public_multibase,
        }
        for key in every
    ]
    ed25519 = [keys.verification_method(key) for key in every if key.algorithm == KeyAlgorithm.ED25519]
    return {
        # DID v1 defines the controller-document terms (verificationMethod, assertionMethod,
        # controller) for any controller document, not only DIDs; Multikey v1 the key's terms.
        "@context": [jsonld.VC_V2, jsonld.OB_V3, jsonld.DID_V1, jsonld.MULTIKEY_V1],
        "id": keys.issuer_url(),
        "type": ["Profile"],
        "name": issuer_name(),
        "url": keys.base_url(),
        "verificationMethod": methods,
        "assertionMethod": ed25519,
    }


# ---------------------------------------------------------------------------- verification


@dataclass
class Verdict:
    """valid, invalid (with the reasons), revoked, suspended or expired."""

    verdict: str
    reasons: list[str] = field(default_factory=list)
    credential_id: str = ""
    key_id: str = ""
    valid_from: str = ""
    valid_until: str = ""


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _key_for(method: str) -> IssuerKey | None:
    prefix = keys.issuer_url() + "#"
    if not method.startswith(prefix):
        return None
    return keys.find(method[len(prefix) :])


def _status_bit(entry: Any) -> tuple[Credential | None, str]:
    """(the credential whose bit it is, problem) of a credentialStatus entry pointing at one of our lists."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None, "The credential has no BitstringStatusListEntry status."
    url = entry.get("statusListCredential")
    prefix = statuslist.list_url(0)[:-1]
    if not isinstance(url, str) or not url.startswith(prefix) or not url[len(prefix) :].isdigit():
        return None, "The credential's status list is not one of ours."
    status_list = db.session.get(StatusList, int(url[len(prefix) :]))
    try:
        index = int(entry.get("statusListIndex", ""))
    except (TypeError, ValueError):
        return None, "The status list index is not a number."
    if status_list is None or not 0 <= index < status_list.size:
        return None, "The status list entry does not exist."
    # The list is made from these rows; asking for the bit directly is the same answer, offline.
    row = db.session.scalar(
        select(Credential).where(Credential.status_list_id == status_list.id, Credential.status_index == index)
    )
    if row is None:
        return None, "The status list entry does not exist."
    return row, ""


def verify(document: Any, *, now: datetime | None = None) -> Verdict:
    """Check a credential: its proof by one of our keys, its validity period and its status bit."""
    if not isinstance(document, dict):
        return Verdict("invalid", ["The credential is not a JSON object."])
    result = Verdict("valid", credential_id=str(document.get("id", ""))[:500])
    types = document.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return Verdict("invalid", ["The document is not a VerifiableCredential."], result.credential_id)
    method = eddsa.verification_method_of(document)
    key = _key_for(method) if method else None
    if key is None or key.algorithm != KeyAlgorithm.ED25519:
        result.verdict = "invalid"
        reason = "The proof does not name a key of this issuer." if method else "The credential has no proof."
        result.reasons.append(reason)
        return result
    result.key_id = key.kid
    problem = jsonld.check_shape(document)
    if problem:
        result.verdict = "invalid"
        result.reasons.append(problem)
        return result
    check = eddsa.verify(document, public_key=keys.ed25519_public(key))
    if not check.ok:
        result.verdict = "invalid"
        result.reasons.append(check.reason)
        return result
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != keys.issuer_url():
        return Verdict("invalid", ["The issuer is not this issuer."], result.credential_id, key.kid)
    now = now or datetime.now(UTC)
    valid_from, valid_until = _parse_time(document.get("validFrom")), _parse_time(document.get("validUntil"))
    result.valid_from = document.get("validFrom", "") if valid_from else ""
    result.valid_until = document.get("validUntil", "") if valid_until else ""
    if valid_from is None or valid_from > now:
        result.verdict = "invalid"
        result.reasons.append("The credential is not valid yet.")
        return result
    row, problem = _status_bit(document.get("credentialStatus"))
    if row is None:
        result.verdict = "invalid"
        result.reasons.append(problem)
        return result
    if row.revoked:
        result.verdict = "revoked"
        if row.certificate.status == CertificateStatus.SUPERSEDED:
            result.reasons.append("The issuer has replaced this credential with a corrected one.")
        else:
            result.reasons.append("The issuer has revoked this credential.")
        return result
    if row.certificate.suspended_at is not None:
        result.verdict = "suspended"
        result.reasons.append("The issuer has suspended this credential for now.")
        return result
    if valid_until is not None and valid_until <= now:
        result.verdict = "expired"
        result.reasons.append("The credential's validity period has ended.")
    return result
