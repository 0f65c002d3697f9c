"""Who may do what with a course's quizzes.

Who manages a course is decided in one place, `academy.courses.policy.can_manage_course`;
this module only finds courses, enrolments and outcomes for the quizzes pages.
"""

from __future__ import annotations

from sqlalchemy import select

from academy import request_memo
from academy.auth.models import User
from academy.courses.models import Course, CourseVersion, Enrolment, EnrolmentStatus, LearningOutcome
from academy.courses.services import progress
from academy.extensions import db


def get_course(slug: str) -> Course | None:
    """The course with this slug, or None."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


def enrolment_for(user: User | None, course: Course) -> Enrolment | None:
    """The user's active enrolment in the course, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    known, enrolment = progress.known_enrolment(user, course)
    if known:
        # The course page looked it up already (any status): no second query.
        return enrolment if progress.is_active(enrolment) else None
    query = select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE
    )
    # Asked again by the service the view calls (start an attempt): once per request, forgotten on writes.
    return request_memo.remember("quizzes.enrolment", (user.id, course.id), lambda: db.session.scalar(query))


def remember_enrolment(user: User, course: Course, enrolment: Enrolment | None) -> None:
    """Tell `enrolment_for` the user's active enrolment (or None), loaded with something else in this request."""
    request_memo.put("quizzes.enrolment", (user.id, course.id), enrolment)


def is_live(course: Course) -> bool:
    """True once the course has a published version learners can see."""
    return course.published_version_id is not None


def authoring_version(course: Course) -> CourseVersion | None:
    """The version trainers write questions against: the newest one, draft or published."""
    return db.session.scalar(
        select(CourseVersion).where(CourseVersion.course_id == course.id).order_by(CourseVersion.number.desc()).limit(1)
    )


def outcomes_for_authoring(course: Course) -> list[LearningOutcome]:
    """Outcomes of the newest version, in order."""
    version = authoring_version(course)
    if version is None:
        return []
    return list(
        db.session.scalars(
            select(LearningOutcome).where(LearningOutcome.version_id == version.id).order_by(LearningOutcome.position)
        )
    )


def outcomes_for_learners(course: Course) -> list[LearningOutcome]:
    """Outcomes of the published version (the newest version when nothing is published yet)."""
    version_id = course.published_version_id
    if version_id is None:
        return outcomes_for_authoring(course)
    loaded = progress.remembered_outcomes(version_id)
    if loaded is not None:
        return loaded

    def load() -> list[LearningOutcome]:
        return list(
            db.session.scalars(
                select(LearningOutcome)
                .where(LearningOutcome.version_id == version_id)
                .order_by(LearningOutcome.position)
            )
        )

    return list(request_memo.remember("quizzes.learner-outcomes", version_id, load))
