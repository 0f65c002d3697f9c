"""What learners can find: published courses only, searched and filtered."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from academy.auth.models import User
from academy.courses.models import Course, CourseStatus, CourseVersion, Enrolment, EnrolmentStatus, Level
from academy.courses.services import outlines
from academy.courses.services.progress import remember_outline
from academy.exceptions import NotFound
from academy.extensions import db

PER_PAGE = 12


@dataclass
class Filters:
    """A catalogue search: free text plus topic, language and level."""

    q: str = ""
    topic: str = ""
    language: str = ""
    level: str = ""


def _listed():
    # Courses with a published version that are not archived; their content is that version.
    return (
        select(Course)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.status == CourseStatus.PUBLISHED)
    )


def search(filters: Filters, *, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """Published courses matching the filters, by title, one page at a time."""
    stmt = _listed().options(contains_eager(Course.published_version))
    if filters.q:
        words = filters.q.split()[:8]
        for word in words:
            stmt = stmt.where(
                or_(
                    CourseVersion.title.icontains(word, autoescape=True),
                    CourseVersion.summary.icontains(word, autoescape=True),
                    CourseVersion.topic.icontains(word, autoescape=True),
                )
            )
    if filters.topic:
        stmt = stmt.where(CourseVersion.topic == filters.topic)
    if filters.language:
        stmt = stmt.where(CourseVersion.language == filters.language)
    if filters.level and filters.level in {lvl.value for lvl in Level}:
        stmt = stmt.where(CourseVersion.level == Level(filters.level))
    stmt = stmt.order_by(CourseVersion.title, Course.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def facets() -> tuple[list[str], list[str]]:
    """Topics and languages used by listed courses, for the filter menus (one query)."""
    rows = db.session.execute(
        select(CourseVersion.topic, CourseVersion.language)
        .join(Course, Course.published_version_id == CourseVersion.id)
        .where(Course.status == CourseStatus.PUBLISHED)
        .distinct()
    ).all()
    topics = sorted({t for t, _ in rows if t})
    languages = sorted({lang for _, lang in rows if lang})
    return topics, languages


def enrolled_course_ids(user: User | None, course_ids: list[int]) -> set[int]:
    """Which of these courses the user is actively enrolled in (one query)."""
    if user is None or not user.is_authenticated or not course_ids:
        return set()

    return set(
        db.session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user.id,
                Enrolment.course_id.in_(course_ids),
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
        )
    )


def get_course_page(slug: str) -> Course:
    """A course learners may open (published or archived, never a never-published draft), fully loaded."""
    course = db.session.scalar(
        select(Course)
        .where(Course.slug == slug, Course.published_version_id.is_not(None))
        .options(joinedload(Course.published_version), selectinload(Course.owners))
    )
    if course is None or course.published_version is None:
        raise NotFound(_("No such course."))
    # The outline of a published version is kept per process (outlines.py): no query once known.
    remember_outline(outlines.version_data(course.published_version))
    return course
