"""The Open Badges 3.0 OpenBadgeCredential (VC 2.0) of a certificate, before it is signed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from academy.certificates import completion
from academy.certificates import services as certificates
from academy.certificates.models import Certificate
from academy.credentials import keys
from academy.credentials.proofs.jsonld import OB_V3, VC_V2

OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second (`2026-11-21T19:58:51Z`)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: Decimal | float | int) -> float | int:
    """A JSON number: whole numbers without a fraction."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def email_identity(email: str, *, salt: str | None = None) -> dict[str, Any]:
    """The holder's e-mail as a salted SHA-256 IdentityObject; the address itself never appears."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def issuer_profile_ref(name: str) -> dict[str, Any]:
    """The issuer as embedded in credentials."""
    return {"id": keys.issuer_url(), "type": ["Profile"], "name": name, "url": keys.base_url()}


def credential_url(public_id: str) -> str:
    """The stable address of a credential."""
    return f"{keys.base_url()}/credentials/{public_id}"


def build(
    certificate: Certificate,
    *,
    public_id: str,
    email: str | None,
    status: dict[str, Any],
) -> dict[str, Any]:
    """The unsigned credential: holder by name and hashed e-mail, the course as an Achievement."""
    base = keys.base_url()
    version = certificate.version
    course_url = f"{base}{certificates.achievement_path(certificate)}"
    outcomes = certificate.outcomes or []
    if certificate.is_achievement:
        parts = "; ".join(f"{p['title']} ({p['detail']})" if p.get("detail") else p["title"] for p in certificate.parts)
        narrative = f"Completed every required part of the certified training programme: {parts}."
    else:
        rule = " ".join(str(r.description) for r in completion.requirements())
        narrative = (
            f"Completed version {certificate.version_number} of the course "
            f"({number(certificate.hours)} hours of study). {rule}"
        )
    if outcomes:
        narrative += " Learning outcomes achieved: " + "; ".join(f"{o['code']}: {o['text']}" for o in outcomes)
    kind = certificate.achievement_kind or "course"
    achievement: dict[str, Any] = {
        "id": f"{course_url}/v{certificate.version_number}",
        "type": ["Achievement"],
        "achievementType": "LearningProgram" if certificate.is_achievement else "Course",
        "name": certificate.course_title,
        "description": (getattr(version, "summary", "") or "").strip() or f"The {kind} {certificate.course_title}.",
        "criteria": {"id": course_url, "narrative": narrative},
        "creditsAvailable": number(certificate.credits),
        "inLanguage": getattr(version, "language", "") or "en",
        "version": str(certificate.version_number),
    }
    if outcomes:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetCode": o["code"],
                "targetName": o["text"],
                "targetType": "ext:LearningOutcome",
                "targetUrl": f"{course_url}#{o['code']}",
            }
            for o in outcomes
        ]
    identifiers = [
        {"type": "IdentityObject", "identityHash": certificate.holder_name, "identityType": "ext:name", "hashed": False}
    ]
    if email:
        identifiers.append(email_identity(email))
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile_ref(certificate.issuer),
        "validFrom": timestamp(certificate.issued_at),
        "name": f"{certificate.course_title}: certificate of completion",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
            "creditsEarned": number(certificate.credits),
        },
        "credentialStatus": status,
        # "JsonSchema" (VC JSON Schema, defined by the VC 2.0 context); 1EdTech's own type name,
        # 1EdTechJsonSchemaValidator2019, is defined by none of the credential's contexts.
        "credentialSchema": [{"id": OB_SCHEMA, "type": "JsonSchema"}],
    }
    if certificate.expires_at is not None:
        document["validUntil"] = timestamp(certificate.expires_at)
    return document
