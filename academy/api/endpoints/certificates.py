"""My certificates, and public verification by code with the same states as the verification page."""

from __future__ import annotations

import enum
from typing import Any

from flask import current_app
from marshmallow import fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from academy.api.core import api_route, api_user
from academy.api.pagination import Page, page_from_list
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.certificates import schemas as certificate_schemas
from academy.certificates import services, verification
from academy.certificates.models import Certificate, RevocationReason, State
from academy.exceptions import NotFound
from academy.extensions import db, limiter
from academy.programmes.models import CERTIFICATE_KIND, Programme

describe_tag(
    "Certificates",
    "Your certificates, and verification of any certificate by its code (public: no token needed).",
)


class HeldState(enum.StrEnum):
    """What a verifier is told about a certificate that exists."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    SUSPENDED = "suspended"


class CertificateQuery(PageQuery):
    """Filters of my certificates."""

    state = fields.Enum(HeldState, by_value=True, metadata={"description": "Only certificates in this state."})


class CertificateOutcome(ApiSchema):
    """A learning outcome as printed on the certificate."""

    code = fields.String(required=True)
    text = fields.String(required=True)


class CertificateSummary(ApiSchema):
    """One of my certificates: the snapshot taken at issue and its state now."""

    id = fields.Integer(required=True)
    state = fields.Enum(HeldState, by_value=True, required=True)
    course = fields.String(
        required=True, allow_none=True, metadata={"description": "The course's slug; null for a programme certificate."}
    )
    programme = fields.String(
        required=True, allow_none=True, metadata={"description": "The programme's slug, for a programme certificate."}
    )
    course_title = fields.String(
        required=True, metadata={"description": "As printed on the certificate (the programme's title for one)."}
    )
    version = fields.Integer(required=True, metadata={"description": "Course version certified."})
    holder_name = fields.String(required=True)
    hours = fields.Float(required=True)
    credits = fields.Float(required=True, metadata={"description": "ECTS credits."})
    outcomes = fields.List(fields.Nested(CertificateOutcome), required=True)
    issuer = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True, allow_none=True)
    revoked_at = fields.DateTime(required=True, allow_none=True)
    revocation_reason = fields.Enum(RevocationReason, by_value=True, required=True, allow_none=True)
    superseded_at = fields.DateTime(required=True, allow_none=True)
    details_hidden = fields.Boolean(
        required=True, metadata={"description": "The public verification shows the state only."}
    )


class CertificateDetail(CertificateSummary):
    """One of my certificates with the code to share and its public verification address."""

    code = fields.String(required=True, allow_none=True, metadata={"description": "Null if the PDF is unreadable."})
    verify_url = fields.String(required=True, allow_none=True)


CertificatePage = page_of(CertificateSummary, "CertificatePage")


# --- public verification: the shape of /verify/<code>.json ------------------------------------


class VerifiedHolder(ApiSchema):
    """The holder, as printed."""

    name = fields.String(required=True)


class VerifiedAchievement(ApiSchema):
    """What the certificate attests."""

    course = fields.String(required=True)
    version = fields.Integer(required=True)
    hours = fields.String(required=True, metadata={"description": "A decimal number, e.g. `6` or `2.5`."})
    ects_credits = fields.String(required=True, metadata={"description": "A decimal number, e.g. `0.5`."})
    learning_outcomes = fields.List(fields.Nested(CertificateOutcome), required=True)


class VerifiedRevocation(ApiSchema):
    """When and why the certificate was revoked."""

    revoked_on = fields.String(required=True, metadata={"format": "date"})
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in RevocationReason]))
    reason_label = fields.String(required=True)


class VerifiedSupersession(ApiSchema):
    """When a corrected certificate replaced this one."""

    superseded_on = fields.String(required=True, metadata={"format": "date"})
    replacement_url = fields.String(required=True, allow_none=True)


class Verification(ApiSchema):
    """What anyone holding the code is told; holder and achievement are null when the holder hid them."""

    state = fields.String(required=True, validate=validate.OneOf([s.value for s in HeldState]))
    code = fields.String(required=True, metadata={"description": "The code, grouped as printed."})
    issuer = fields.String(required=True)
    details_hidden = fields.Boolean(required=True)
    holder = fields.Nested(VerifiedHolder, required=True, allow_none=True)
    achievement = fields.Nested(VerifiedAchievement, required=True, allow_none=True)
    issued_on = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    expires_on = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    revocation = fields.Nested(VerifiedRevocation, required=True, allow_none=True)
    superseded = fields.Nested(VerifiedSupersession, required=True, allow_none=True)


def _programme_slugs(certificates: list[Certificate]) -> dict[int, str]:
    """Slugs of the programmes of programme certificates (one query, none without them)."""
    ids = {c.achievement_id for c in certificates if c.achievement_kind == CERTIFICATE_KIND}
    if not ids:
        return {}
    return dict(db.session.execute(select(Programme.id, Programme.slug).where(Programme.id.in_(ids))).tuples().all())


def _summary(certificate: Certificate, programmes: dict[int, str], now: Any = None) -> dict[str, Any]:
    return {
        "id": certificate.id,
        "state": HeldState(certificate.state(now)),
        "course": certificate.course.slug if certificate.course is not None else None,
        "programme": programmes.get(certificate.achievement_id)
        if certificate.achievement_kind == CERTIFICATE_KIND
        else None,
        "course_title": certificate.course_title,
        "version": certificate.version_number,
        "holder_name": certificate.holder_name,
        "hours": certificate.hours,
        "credits": certificate.credits,
        "outcomes": [{"code": o.get("code", ""), "text": o.get("text", "")} for o in certificate.outcomes or []],
        "issuer": certificate.issuer,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "revoked_at": certificate.revoked_at,
        "revocation_reason": certificate.revocation_reason,
        "superseded_at": certificate.superseded_at,
        "details_hidden": certificate.details_hidden,
    }


def _mine() -> Select:
    # services.certificates_of(), with the course loaded for its slug in the same query.
    return (
        select(Certificate)
        .where(Certificate.user_id == api_user().id)
        .options(joinedload(Certificate.course))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )


@api_route("/certificates", query=CertificateQuery, response=CertificatePage, scope="read", tags=["Certificates"])
def list_certificates(query: dict[str, Any]) -> Page:
    """My certificates, newest first, with their state now.

    Revoked and superseded certificates stay listed, as on *My certificates*.
    """
    items = list(db.session.scalars(_mine()))
    if query.get("state"):
        items = [c for c in items if c.state() == query["state"]]
    page = page_from_list(items, limit=query["limit"], offset=query["offset"])
    programmes = _programme_slugs(page.items)
    page.items = [_summary(c, programmes) for c in page.items]
    return page


@api_route("/certificates/<int:certificate_id>", response=CertificateDetail, scope="read", tags=["Certificates"])
def get_certificate(certificate_id: int) -> dict[str, Any]:
    """One of my certificates, with the code to share and its verification address.

    404 for certificates of other people.
    """
    certificate = db.session.scalar(_mine().where(Certificate.id == certificate_id))
    if certificate is None:
        raise NotFound("You hold no certificate with this id.")
    code = services.stored_code(certificate)
    out = _summary(certificate, _programme_slugs([certificate]))
    out["code"] = code or None
    out["verify_url"] = services.verify_url(code) if code else None
    return out


def _verify_limit() -> str:
    return current_app.config["CERTIFICATE_VERIFY_RATE_LIMIT"]


@api_route("/verify/<code>", response=Verification, tags=["Certificates"])
@limiter.shared_limit(_verify_limit, scope="certificate-verify", override_defaults=False)
def verify_certificate(code: str) -> dict[str, Any]:
    """Verify a certificate by its code: `valid`, `expired`, `revoked`, `superseded` or `suspended`.

    Public. The answer is the one the verification page gives (`/verify/<code>.json`), sharing its
    rate limit. An unknown code, or one whose check character is wrong, is a 404 problem
    (the page's `not_found` state); nothing tells the two apart.
    """
    record = verification.lookup(code)
    if record.state == State.NOT_FOUND:
        raise NotFound("No certificate has this code. Check it character by character.")
    return certificate_schemas.dump(record)
