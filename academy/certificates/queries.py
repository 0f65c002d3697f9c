"""The queries behind the certificate pages: a holder's certificates, a course's list and exports."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from academy.auth.models import User
from academy.certificates.models import Certificate, CertificateExport, CertificateStatus
from academy.courses.models import Course
from academy.db import utcnow
from academy.exceptions import NotFound
from academy.extensions import db


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
