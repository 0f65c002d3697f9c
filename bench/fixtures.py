"""What bench/pages.py adds to a generated data set before measuring: a programme, and learners' sessions.

The generator writes no programmes, so the benchmark publishes one ("bench-programme": three of the
generated courses and one future session, through the programmes' own services) and enrols the
measured learners in it. Idempotent: a second run finds it and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

PROGRAMME_SLUG = "bench-programme"


def ensure_programme(learners: int) -> str:
    """The bench programme's slug; created, published and joined by learners 0..learners-1 when missing."""
    from academy.auth.models import User
    from academy.bench.targets import targets
    from academy.courses.models import Course
    from academy.db import utcnow
    from academy.extensions import db
    from academy.programmes.models import Programme
    from academy.programmes.services import authoring, enrolment, scheduling

    programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG))
    if programme is None:
        first = db.session.scalar(select(Course).where(Course.slug == targets(0).course_slug))
        others = db.session.scalars(select(Course).where(Course.id != first.id).order_by(Course.id).limit(2)).all()
        owner = first.owners[0] if first.owners else db.session.scalar(select(User).order_by(User.id).limit(1))
        programme = authoring.create_programme(
            slug=PROGRAMME_SLUG,
            title="Bench programme: cooperation in practice",
            owner=owner,
            summary="Three generated courses and a day of practice, for the page benchmark.",
            credits="3",
        )
        for course in (first, *others):
            authoring.add_course(programme, course, required=True)
        starts = utcnow().replace(microsecond=0) + timedelta(days=60)
        scheduling.add_session(
            programme,
            title="Practice day",
            description="Case work in small groups.",
            place="Interact Office Vienna",
            timezone="Europe/Vienna",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            capacity=500,
            registration_deadline=starts - timedelta(days=2),
        )
        authoring.publish(programme)
        db.session.commit()
    for index in range(learners):
        user = targets(index).user
        if not enrolment.is_enrolled(user, programme):
            enrolment.enrol(user, programme)
    db.session.commit()
    return PROGRAMME_SLUG


def course_owner_id(course_slug: str) -> int:
    """The first owner of a course: who opens its trainer workspace in the benchmark."""
    from academy.courses.models import Course, course_owners
    from academy.extensions import db

    return db.session.scalar(
        select(course_owners.c.user_id)
        .join(Course, Course.id == course_owners.c.course_id)
        .where(Course.slug == course_slug)
        .order_by(course_owners.c.user_id)
        .limit(1)
    )


def session_cookie(app, user) -> str:  # noqa: ANN001
    """A signed session cookie value for `user`, made the way the login view makes it (without argon2)."""
    from academy.auth import services as auth_services
    from academy.extensions import db

    token = auth_services.start_session(user).token
    db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": token, "_fresh": True})
