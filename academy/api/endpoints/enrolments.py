"""My enrolments with progress per module and per learning outcome; enrol, complete lessons, leave.

Progress is computed as on My learning and the course page: lessons done per module (with the
module locks), and per learning outcome the required lessons teaching it plus the quiz mastery
(academy.quizzes.completion's rule). The list loads in a fixed number of queries.
"""

from __future__ import annotations

import enum
from typing import Any

from flask import url_for
from marshmallow import fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import defer, joinedload, selectinload

from academy.api.core import api_route, api_user
from academy.api.fields import Text
from academy.api.pagination import Page, page_from_list
from academy.api.problems import ApiProblem
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.core.actions import api_action
from academy.courses.models import Course, CourseVersion, EnrolmentStatus, Lesson, Module
from academy.courses.models import Enrolment as EnrolmentRow
from academy.courses.services import catalogue, progress
from academy.db import utcnow
from academy.exceptions import NotFound
from academy.extensions import db
from academy.quizzes.completion import mastery_by_course

describe_tag("Learning", "Your enrolments, with progress per module and per learning outcome.")


class EnrolmentState(enum.StrEnum):
    """The groups of the My learning page."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    LEFT = "left"


class EnrolmentQuery(PageQuery):
    """Filters of my enrolments."""

    state = fields.Enum(
        EnrolmentState,
        by_value=True,
        metadata={"description": "`in_progress`, `completed` (every required lesson done) or `left`."},
    )


class EnrolmentCreate(ApiSchema):
    """The course to enrol in."""

    course = Text(
        required=True, validate=validate.Length(min=1, max=80), metadata={"description": "The course's slug."}
    )


class CourseRef(ApiSchema):
    """A course by slug and title (of the version learners see)."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.Integer(required=True, allow_none=True, metadata={"description": "Published version number."})


class LessonCount(ApiSchema):
    """Required lessons done out of those to do."""

    done = fields.Integer(required=True)
    required = fields.Integer(required=True)
    percent = fields.Integer(required=True, metadata={"description": "Whole percent; 100 when nothing is required."})


class ModuleProgress(ApiSchema):
    """One module with my progress through it."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    lessons = fields.Nested(LessonCount, required=True)
    complete = fields.Boolean(required=True)
    locked = fields.Boolean(required=True, metadata={"description": "Modules to finish first are not finished."})
    requires = fields.List(fields.String(), required=True, metadata={"description": "Keys of modules to finish first."})


class OutcomeProgress(ApiSchema):
    """One learning outcome with the lessons teaching it and my quiz mastery of it."""

    key = fields.String(required=True)
    code = fields.String(required=True)
    text = fields.String(required=True)
    threshold = fields.Integer(required=True, metadata={"description": "Mastery threshold in %."})
    lessons = fields.Nested(LessonCount, required=True)
    mastery = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "Quiz mastery in % (best result per question, points-weighted); null without evidence."
        },
    )
    mastered = fields.Boolean(required=True, metadata={"description": "Mastery reaches the threshold."})


class Enrolment(ApiSchema):
    """One of my enrolments with my progress."""

    course = fields.Nested(CourseRef, required=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "left"]))
    state = fields.Enum(EnrolmentState, by_value=True, required=True)
    enrolled_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True, allow_none=True)
    completed_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "When the whole completion rule was met."}
    )
    progress = fields.Nested(LessonCount, required=True, metadata={"description": "Required lessons of the course."})
    continue_at = fields.String(
        required=True, allow_none=True, metadata={"description": "Key of the lesson to study next."}
    )
    modules = fields.List(fields.Nested(ModuleProgress), required=True)
    outcomes = fields.List(fields.Nested(OutcomeProgress), required=True)


EnrolmentPage = page_of(Enrolment, "EnrolmentPage")


def _mine() -> Select:
    """My enrolments with the published outline, its outcomes and my progress (a fixed number of queries)."""
    version = joinedload(EnrolmentRow.course).joinedload(Course.published_version)
    return (
        select(EnrolmentRow)
        .where(EnrolmentRow.user_id == api_user().id)
        .options(
            version.selectinload(CourseVersion.outcomes),
            version.selectinload(CourseVersion.modules).options(
                selectinload(Module.lessons).options(defer(Lesson.body), selectinload(Lesson.outcomes)),
                selectinload(Module.prerequisites),
            ),
            selectinload(EnrolmentRow.progress),
        )
    )


def _count(done: int, required: int) -> dict[str, int]:
    return {"done": done, "required": required, "percent": progress.percent(done, required)}


def _state(enrolment: EnrolmentRow, outline: progress.Outline | None) -> EnrolmentState:
    if enrolment.status == EnrolmentStatus.LEFT:
        return EnrolmentState.LEFT
    if outline is not None and outline.complete:
        return EnrolmentState.COMPLETED
    return EnrolmentState.IN_PROGRESS


def _outline(enrolment: EnrolmentRow) -> progress.Outline | None:
    version = enrolment.course.published_version
    return progress.build_outline(version, progress.completed_keys(enrolment)) if version else None


def _describe(enrolment: EnrolmentRow, outline: progress.Outline | None, mastery: dict[str, float]) -> dict[str, Any]:
    version = enrolment.course.published_version
    modules, outcomes = [], []
    if outline is not None:
        for m in outline.modules:
            modules.append(
                {
                    "key": m.module.key,
                    "title": m.module.title,
                    "lessons": _count(m.done_count, m.required_count),
                    "complete": m.complete,
                    "locked": m.locked,
                    "requires": [r.key for r in m.requires],
                }
            )
        for outcome in version.outcomes:
            teaching = [s for s in outline.lessons if s.lesson.required and outcome in s.lesson.outcomes]
            pct = mastery.get(outcome.key)
            outcomes.append(
                {
                    "key": outcome.key,
                    "code": outcome.code,
                    "text": outcome.text,
                    "threshold": outcome.threshold,
                    "lessons": _count(sum(1 for s in teaching if s.done), len(teaching)),
                    "mastery": pct,
                    "mastered": pct is not None and pct >= outcome.threshold,
                }
            )
    following = outline.continue_at(enrolment.last_lesson_key) if outline is not None else None
    return {
        "course": {
            "slug": enrolment.course.slug,
            "title": version.title if version else enrolment.course.slug,
            "version": version.number if version else None,
        },
        "status": str(enrolment.status),
        "state": _state(enrolment, outline),
        "enrolled_at": enrolment.enrolled_at,
        "last_activity_at": enrolment.last_activity_at,
        "completed_at": enrolment.completed_at,
        "progress": _count(outline.done_count, outline.required_count) if outline else _count(0, 0),
        "continue_at": following.key if following is not None else None,
        "modules": modules,
        "outcomes": outcomes,
    }


def _describe_all(enrolments: list[tuple[EnrolmentRow, progress.Outline | None]]) -> list[dict[str, Any]]:
    mastery = mastery_by_course(api_user().id, [e.course_id for e, _outline in enrolments])
    return [_describe(e, outline, mastery.get(e.course_id, {})) for e, outline in enrolments]


def _one(slug: str) -> EnrolmentRow:
    enrolment = db.session.scalar(_mine().join(Course, Course.id == EnrolmentRow.course_id).where(Course.slug == slug))
    if enrolment is None:
        raise NotFound("You have never enrolled in a course with this address.")
    return enrolment


@api_route("/enrolments", query=EnrolmentQuery, response=EnrolmentPage, scope="read", tags=["Learning"])
def list_enrolments(query: dict[str, Any]) -> Page:
    """My enrolments, with progress per module and per learning outcome.

    Most recently active first, as on *My learning*; filter by `state` like its three groups.
    """
    entries = [(e, _outline(e)) for e in db.session.scalars(_mine()).unique()]
    if query.get("state"):
        entries = [(e, o) for e, o in entries if _state(e, o) == query["state"]]
    epoch = utcnow().replace(year=1970)
    entries.sort(key=lambda pair: pair[0].last_activity_at or pair[0].enrolled_at or epoch, reverse=True)
    page = page_from_list(entries, limit=query["limit"], offset=query["offset"])
    page.items = _describe_all(page.items)
    return page


@api_route("/enrolments/<slug>", response=Enrolment, scope="read", tags=["Learning"])
def get_enrolment(slug: str) -> dict[str, Any]:
    """My enrolment in one course (also after leaving it), with progress.

    404 if you have never enrolled in it: nobody else's enrolment can be addressed.
    """
    enrolment = _one(slug)
    return _describe_all([(enrolment, _outline(enrolment))])[0]


@api_route(
    "/enrolments",
    method="POST",
    body=EnrolmentCreate,
    response=Enrolment,
    status=201,
    scope="write",
    tags=["Learning"],
    errors=[409],
)
def create_enrolment(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Enrol in a published course, or come back to one you left (your progress is kept).

    409 if you are already enrolled or the course is archived; 422 naming `course` if there is no
    published course with that slug.
    """
    try:
        course = catalogue.get_course_page(body["course"])
    except NotFound:
        raise ApiProblem(
            422,
            kind="validation-error",
            errors=[{"location": "body", "field": "course", "message": "There is no published course with this slug."}],
        ) from None
    with api_action():
        progress.enrol(api_user(), course)
    enrolment = _one(course.slug)
    return (
        _describe_all([(enrolment, _outline(enrolment))])[0],
        201,
        {"Location": url_for("api.get_enrolment", slug=course.slug)},
    )


@api_route("/enrolments/<slug>", method="DELETE", response=Enrolment, scope="write", tags=["Learning"], errors=[409])
def delete_enrolment(slug: str) -> dict[str, Any]:
    """Leave a course; your progress is kept in case you enrol again.

    Answers the enrolment, now with status `left`. 409 if you are not enrolled in it.
    """
    try:
        course = catalogue.get_course_page(slug)
    except NotFound:
        raise NotFound("There is no course with this address.") from None
    with api_action():
        progress.unenrol(api_user(), course)
    enrolment = _one(slug)
    return _describe_all([(enrolment, _outline(enrolment))])[0]


@api_route(
    "/enrolments/<slug>/lessons/<key>/complete",
    method="POST",
    response=Enrolment,
    scope="write",
    tags=["Learning"],
    errors=[409],
)
def complete_lesson(slug: str, key: str) -> dict[str, Any]:
    """Mark a lesson of a course I am enrolled in complete; answers the enrolment with its progress.

    The rules are the lesson page's: 404 for a course I never enrolled in or a lesson it does not
    have; 409 if I left the course or the lesson's module is still locked. Completing a lesson again
    is harmless. When every lesson is done, the certificate check runs as it does on the site.
    """
    try:
        course = catalogue.get_course_page(slug)
    except NotFound:
        raise NotFound("You have never enrolled in a course with this address.") from None
    enrolment = progress.get_enrolment(api_user(), course)
    if enrolment is None:
        raise NotFound("You have never enrolled in a course with this address.")
    outline = progress.build_outline(course.published_version, progress.completed_keys(enrolment))
    if outline.find(key) is None:
        raise NotFound("This course has no lesson with this key.")
    with api_action():
        progress.complete_lesson(enrolment, outline, key)  # announces LessonsCompleted: certificates check
    enrolment = _one(slug)
    return _describe_all([(enrolment, _outline(enrolment))])[0]
