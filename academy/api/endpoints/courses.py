"""The public course catalogue: published courses and their published version."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from academy.api.core import api_route
from academy.api.fields import Text
from academy.api.pagination import Page, paginate
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.core import public_cache
from academy.courses.models import Course, CourseStatus, CourseVersion, Lesson, Level, Module
from academy.exceptions import NotFound
from academy.extensions import db

describe_tag("Courses", "The catalogue of published courses. Public: no token needed.")

_V = "published_version."


class CourseQuery(PageQuery):
    """Filters of the catalogue."""

    q = Text(
        validate=validate.Length(max=200),
        metadata={"description": "Words to find in the title or summary (case-insensitive)."},
    )
    topic = Text(validate=validate.Length(max=80), metadata={"description": "Exact topic, e.g. `jems`."})
    language = Text(validate=validate.Length(max=8), metadata={"description": "Language code, e.g. `en`."})
    level = fields.Enum(Level, by_value=True, metadata={"description": "How much a learner should know before."})


class CourseSummary(ApiSchema):
    """A published course as listed in the catalogue."""

    slug = fields.String(required=True)
    title = fields.String(required=True, attribute=_V + "title")
    summary = fields.String(required=True, attribute=_V + "summary")
    topic = fields.String(required=True, attribute=_V + "topic")
    language = fields.String(required=True, attribute=_V + "language")
    level = fields.Enum(Level, by_value=True, required=True, attribute=_V + "level")
    hours = fields.Float(required=True, attribute=_V + "hours", metadata={"description": "Expected study time."})
    credits = fields.Float(required=True, attribute=_V + "credits", metadata={"description": "ECTS credits."})
    version = fields.Integer(required=True, attribute=_V + "number", metadata={"description": "Version number."})
    published_at = fields.DateTime(required=True, allow_none=True, attribute=_V + "published_at")


class LearningOutcome(ApiSchema):
    """A learning outcome: what a learner can do after the course."""

    key = fields.String(required=True, metadata={"description": "Stable across versions."})
    code = fields.String(required=True, metadata={"description": "Short label, e.g. LO1."})
    text = fields.String(required=True)
    threshold = fields.Integer(required=True, metadata={"description": "Mastery threshold in %."})


class LessonOutline(ApiSchema):
    """A lesson's outline (its text is for enrolled learners)."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    required = fields.Boolean(required=True)
    outcomes = fields.Pluck(
        LearningOutcome, "code", many=True, required=True, metadata={"description": "Outcome codes."}
    )


class ModuleKey(ApiSchema):
    """A reference to a module by its key."""

    key = fields.String(required=True)


class ModuleOutline(ApiSchema):
    """A module of the course, in order."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    prerequisites = fields.Pluck(
        ModuleKey, "key", many=True, required=True, metadata={"description": "Keys of modules to finish first."}
    )
    lessons = fields.List(fields.Nested(LessonOutline), required=True)


class Trainer(ApiSchema):
    """A trainer, by name."""

    name = fields.String(required=True)


class CourseDetail(CourseSummary):
    """A published course with its outcomes and outline."""

    description = fields.String(required=True, attribute=_V + "description", metadata={"description": "Markdown."})
    sequential = fields.Boolean(
        required=True, attribute=_V + "sequential", metadata={"description": "Lessons must be taken in order."}
    )
    validity_months = fields.Integer(
        required=True,
        allow_none=True,
        attribute=_V + "validity_months",
        metadata={"description": "How long a certificate stays valid; null for no expiry."},
    )
    trainers = fields.Pluck(Trainer, "name", many=True, attribute="owners", required=True)
    outcomes = fields.List(fields.Nested(LearningOutcome), required=True, attribute=_V + "outcomes")
    modules = fields.List(fields.Nested(ModuleOutline), required=True, attribute=_V + "modules")


CoursePage = page_of(CourseSummary, "CoursePage")


def published_courses() -> Select:
    """Published courses joined to the version learners see."""
    return (
        select(Course)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.status == CourseStatus.PUBLISHED)
        .options(contains_eager(Course.published_version))
    )


@api_route("/courses", query=CourseQuery, response=CoursePage, tags=["Courses"])
@public_cache.cacheable()
def list_courses(query: dict[str, Any]) -> Page:
    """List published courses.

    Filter by topic, language and level, or search titles and summaries with `q`; sorted by title.
    """
    stmt = published_courses()
    for name in ("topic", "language"):
        if query.get(name):
            stmt = stmt.where(getattr(CourseVersion, name) == query[name])
    if query.get("level"):
        stmt = stmt.where(CourseVersion.level == query["level"])
    if query.get("q"):
        needle = query["q"].lower()
        stmt = stmt.where(
            or_(
                func.lower(CourseVersion.title).contains(needle, autoescape=True),
                func.lower(CourseVersion.summary).contains(needle, autoescape=True),
            )
        )
    stmt = stmt.order_by(CourseVersion.title, Course.id)
    return paginate(stmt, limit=query["limit"], offset=query["offset"])


@api_route("/courses/<slug>", response=CourseDetail, tags=["Courses"])
def get_course(slug: str) -> Course:
    """A published course with its learning outcomes, modules and lessons."""
    course = db.session.scalar(
        published_courses()
        .where(Course.slug == slug)
        .options(
            selectinload(Course.owners),
            contains_eager(Course.published_version).selectinload(CourseVersion.outcomes),
            contains_eager(Course.published_version)
            .selectinload(CourseVersion.modules)
            .options(
                selectinload(Module.prerequisites),
                selectinload(Module.lessons).selectinload(Lesson.outcomes),
            ),
        )
    )
    if course is None:
        raise NotFound("There is no published course with this address.")
    return course
