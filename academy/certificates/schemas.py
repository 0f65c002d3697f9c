"""The JSON a machine gets from /verify/<code>.json (or with Accept: application/json)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from academy.certificates.verification import PublicRecord


class OutcomeSchema(Schema):
    """A learning outcome as printed on the certificate."""

    code = fields.String()
    text = fields.String()


class VerificationSchema(Schema):
    """The public record; holder and achievement are null when the holder hid them."""

    state = fields.Function(lambda r: str(r.state))
    code = fields.String()
    issuer = fields.String()
    details_hidden = fields.Boolean()
    holder = fields.Method("_holder")
    achievement = fields.Method("_achievement")
    issued_on = fields.Function(lambda r: r.issued_at.date().isoformat() if r.issued_at else None)
    expires_on = fields.Function(lambda r: r.expires_at.date().isoformat() if r.expires_at else None)
    revocation = fields.Method("_revocation")
    superseded = fields.Method("_superseded")

    def _holder(self, record: PublicRecord) -> dict[str, Any] | None:
        return None if record.details_hidden else {"name": record.holder_name}

    def _achievement(self, record: PublicRecord) -> dict[str, Any] | None:
        if record.details_hidden:
            return None
        achievement = {
            "course": record.course_title,
            "version": record.version_number,
            "hours": record.hours,
            "ects_credits": record.credits,
            "learning_outcomes": OutcomeSchema(many=True).dump(record.outcomes),
        }
        if record.achievement_kind:
            # An achievement certificate: its title under its kind's name, and the parts that made it up.
            achievement = {
                record.achievement_kind: achievement.pop("course"),
                **achievement,
                "parts": list(record.parts),
            }
            achievement.pop("version")
        return achievement

    def _revocation(self, record: PublicRecord) -> dict[str, Any] | None:
        if record.revoked_at is None:
            return None
        return {
            "revoked_on": record.revoked_at.date().isoformat(),
            "reason": record.revocation_reason,
            "reason_label": record.revocation_label,
        }

    def _superseded(self, record: PublicRecord) -> dict[str, Any] | None:
        if record.superseded_at is None:
            return None
        return {
            "superseded_on": record.superseded_at.date().isoformat(),
            "replacement_url": record.replacement_url or None,
        }


def dump(record: PublicRecord) -> dict[str, Any]:
    """The JSON body for a record; a bare state for the uniform not-found answer."""
    if not record.found:
        return {"state": str(record.state)}
    return VerificationSchema().dump(record)
