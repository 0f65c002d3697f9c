"""Essays waiting for a trainer: per course on the start page, and the course's grading queue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from academy.auth.models import User
from academy.courses.models import Course
from academy.courses.policy import managed_courses
from academy.extensions import db
from academy.quizzes.models import Attempt, AttemptState, Quiz, Response


def waiting_counts(user: User) -> list[tuple[Course, int]]:
    """Courses the user owns with essay responses waiting for a grade, and how many (one query)."""
    waiting = (
        select(Quiz.course_id, func.count(Response.id).label("essays"))
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .join(Response, Response.attempt_id == Attempt.id)
        .where(Attempt.state == AttemptState.SUBMITTED, Response.fraction.is_(None))
        .group_by(Quiz.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Course, waiting.c.essays)
        .join(waiting, waiting.c.course_id == Course.id)
        .where(managed_courses(user, owned_only=True))
        .order_by(waiting.c.essays.desc(), Course.slug)
        .options(joinedload(Course.published_version))
    ).all()
    return [(course, essays) for course, essays in rows]


def waiting_responses(course: Course) -> list[Response]:
    """Essay responses of submitted attempts that wait for a trainer, oldest first."""
    return list(
        db.session.scalars(
            select(Response)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .where(Quiz.course_id == course.id, Attempt.state == AttemptState.SUBMITTED, Response.fraction.is_(None))
            .options(
                selectinload(Response.attempt).joinedload(Attempt.user),
                selectinload(Response.attempt).joinedload(Attempt.quiz),
                selectinload(Response.version),
            )
            .order_by(Attempt.submitted_at, Response.position)
        )
    )
