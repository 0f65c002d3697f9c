"""Programme certification: what the certificate says, and keeping it in line with the learner's standing.

Services flush, never commit; the jobs in academy/programmes/jobs.py run `certify` and commit."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from academy import formats
from academy.auth.models import User
from academy.certificates import achievements
from academy.certificates import services as certificates
from academy.certificates.achievements import Achievement
from academy.certificates.models import Certificate, CertificateStatus, RevocationReason
from academy.db import utcnow
from academy.extensions import db
from academy.programmes.models import (
    CERTIFICATE_KIND,
    PartKind,
    Programme,
    ProgrammeEnrolment,
    SessionMode,
    SessionRegistration,
)
from academy.programmes.services.progress import PartStanding, Standing, standing


def _session_detail(registration: SessionRegistration) -> str:
    session = registration.session
    where = session.place if session.mode == SessionMode.IN_PERSON else "live online"
    # English, like the rest of the certificate; the day is the session's local day.
    day = formats.english_date(session.starts_at.astimezone(ZoneInfo(session.timezone)))
    return f"Session attended on {day}, {where}" if where else f"Session attended on {day}"


def achievement(result: Standing) -> Achievement:
    """What the certificate says: the programme, its outcomes and every part done (in order)."""
    programme = result.programme
    parts: list[tuple[str, str, str]] = []
    hours = Decimal("0")
    for item in result.parts:
        if not item.done:
            continue
        if item.part.kind == PartKind.COURSE:
            version = item.part.course.published_version
            hours += version.hours
            parts.append(("course", version.title, f"Online course, {version.hours.normalize():f} hours, certified"))
        else:
            session = item.registration.session  # the date attended
            hours += Decimal((session.ends_at - session.starts_at).total_seconds() / 3600).quantize(Decimal("0.1"))
            parts.append(("session", item.part.session.title, _session_detail(item.registration)))
    return Achievement(
        kind=CERTIFICATE_KIND,
        id=programme.id,
        title=programme.title,
        hours=hours,
        credits=programme.credits,
        validity_months=programme.validity_months,
        outcomes=tuple((o.code, o.text) for o in programme.outcomes),
        parts=tuple(parts),
    )


REVOKE_NOTE = "Automatic: a required part of the programme is no longer complete after a correction."


def certify(programme: Programme, user: User) -> Certificate | None:
    """Bring the user's programme certificate in line with their standing; flushes.

    Issue when complete and none is held; re-issue (old one superseded) when the parts that made
    it up changed, e.g. an attendance correction; revoke when a required part is no longer done,
    and replace that automatic revocation if a later correction completes the programme again.
    Parts added after the learner completed are not required of them (rules do not change after
    the fact). Running it again changes nothing.
    """
    enrolment = db.session.scalar(
        select(ProgrammeEnrolment).where(
            ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.user_id == user.id
        )
    )
    result = standing(programme, user, completed_at=enrolment.completed_at if enrolment is not None else None)
    current = achievements.current_achievement_certificate(user.id, CERTIFICATE_KIND, programme.id)
    if current is None:
        if not result.complete:
            return None
        if enrolment is not None and enrolment.completed_at is None:
            enrolment.completed_at = utcnow()
        return certificates.issue_for_achievement(user, achievement(result))
    if current.status == CertificateStatus.REVOKED:
        if result.complete and current.revocation_note == REVOKE_NOTE:
            # Our own automatic revocation, undone by a later correction: a new certificate replaces it.
            return certificates.reissue(
                current,
                actor=None,
                holder_name=current.holder_name,
                achievement=achievement(result),
                replace_revoked=True,
            )
        return current  # a trainer's revocation stands
    if current.status != CertificateStatus.VALID:
        return current
    if not result.complete:
        certificates.revoke(current, actor=None, reason=RevocationReason.ISSUED_IN_ERROR, note=REVOKE_NOTE)
        return current
    fresh = achievement(result)
    held = achievements.achievement_of(current).parts
    parts = _parts_to_certify(result, held, fresh.parts)
    if set(parts) != set(held):
        fresh = dataclasses.replace(fresh, parts=parts)
        return certificates.reissue(current, actor=None, holder_name=current.holder_name, achievement=fresh)
    return current


def _part_key(item: PartStanding) -> tuple[str, str]:
    part = item.part
    if part.kind == PartKind.COURSE:
        version = part.course.published_version if part.course is not None else None
        return ("course", version.title if version is not None else "")
    return ("session", part.session.title if part.session is not None else "")


def _parts_to_certify(
    result: Standing, held: tuple[tuple[str, str, str], ...], done: tuple[tuple[str, str, str], ...]
) -> tuple[tuple[str, str, str], ...]:
    """What a re-issued certificate lists: the parts done now, plus held parts no longer in the programme.

    A part the trainer took out of the programme stays on the certificates it was earned for; only
    the learner's own record (an attendance correction, a course certificate) changes the list.
    """
    in_programme = {_part_key(item) for item in result.parts}
    carried = tuple(p for p in held if (p[0], p[1]) not in in_programme)
    return tuple(tuple(p) for p in done) + carried


def completed_count(programme: Programme) -> int:
    """How many participants have completed the programme."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ProgrammeEnrolment)
            .where(ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.completed_at.is_not(None))
        )
        or 0
    )
