"""What certificates add to the learner's pages of courses: links on My learning, the completion notice."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from academy.auth.models import User
from academy.certificates import completion, services
from academy.certificates.models import Certificate, CertificateStatus, State
from academy.courses import hooks
from academy.courses.models import Enrolment
from academy.extensions import db


def certificates_by_course(user: User, course_ids: list[int]) -> dict[int, Certificate]:
    """The user's newest valid or revoked (not superseded) certificate per course (one query)."""
    rows = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.user_id == user.id,
            Certificate.course_id.in_(course_ids),
            Certificate.status != CertificateStatus.SUPERSEDED,
        )
        .order_by(Certificate.issued_at, Certificate.id)
    )
    return {certificate.course_id: certificate for certificate in rows if certificate.course_id is not None}


def _link(certificate: Certificate) -> hooks.NextStep:
    state = certificate.state()
    url = url_for("certificates.detail", certificate_id=certificate.id)
    if state == State.REVOKED:
        return hooks.NextStep(_("Certificate revoked: see why"), url)
    if state == State.EXPIRED:
        return hooks.NextStep(_("Certificate expired"), url)
    return hooks.NextStep(_("See your certificate"), url)


def learning_extras(user: User, enrolments: list[Enrolment]) -> dict[int, hooks.LearningExtras]:
    """My learning: a link to each course's certificate."""
    held = certificates_by_course(user, [e.course_id for e in enrolments])
    return {e.id: hooks.LearningExtras(links=[_link(held[e.course_id])]) for e in enrolments if e.course_id in held}


def completion_notice(enrolment: Enrolment) -> hooks.Panel | None:
    """On a quiz result: the course is complete, and the certificate is issued or on its way."""
    if not completion.is_complete(enrolment):
        return None

    version_id = enrolment.course.published_version_id
    certificate = services.current_certificate(enrolment.user_id, version_id) if version_id else None
    return hooks.Panel("certificates/_completion_notice.html", {"certificate": certificate})


def init_app(app: Flask) -> None:
    """Register with the courses' extension points."""
    hooks.register_learning_extension(app, learning_extras)
    hooks.register_completion_notice(app, completion_notice)
