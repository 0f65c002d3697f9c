"""Versions: the draft a trainer edits, copies with stable keys, and publication."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from academy.courses import hooks
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    LearningOutcome,
    Lesson,
    Module,
    VersionStatus,
)
from academy.courses.services import outlines
from academy.db import utcnow
from academy.exceptions import Conflict, ServiceError
from academy.extensions import db

# Content columns copied from one version to the next (everything but identity and dates).
VERSION_FIELDS = (
    "title",
    "summary",
    "description",
    "topic",
    "language",
    "level",
    "hours",
    "credits",
    "sequential",
    "validity_months",
)


def latest_version(course: Course) -> CourseVersion | None:
    """The highest-numbered version (a draft when one is being edited)."""
    return course.versions[-1] if course.versions else None


def draft_of(course: Course) -> CourseVersion | None:
    """The draft being edited, if any."""
    latest = latest_version(course)
    return latest if latest is not None and latest.status == VersionStatus.DRAFT else None


def working_version(course: Course) -> CourseVersion:
    """What a trainer sees in the editor: the draft, or else the newest version."""
    latest = latest_version(course)
    if latest is None:  # a course is always created with its first version
        raise ServiceError(_("This course has no content yet."))
    return latest


def ensure_draft(course: Course) -> CourseVersion:
    """The draft to edit: the existing one, or a copy of the newest version as the next number."""
    draft = draft_of(course)
    if draft is not None:
        return draft
    return copy_version(working_version(course))


def copy_version(source: CourseVersion) -> CourseVersion:
    """A new draft numbered after the newest version, with the same content and the same keys."""
    course = source.course
    number = max(v.number for v in course.versions) + 1
    copy = CourseVersion(course=course, number=number, status=VersionStatus.DRAFT)
    db.session.add(copy)
    for name in VERSION_FIELDS:
        setattr(copy, name, getattr(source, name))
    outcomes: dict[str, LearningOutcome] = {}
    for outcome in source.outcomes:
        outcomes[outcome.key] = LearningOutcome(
            key=outcome.key,
            code=outcome.code,
            text=outcome.text,
            threshold=outcome.threshold,
            position=outcome.position,
        )
        copy.outcomes.append(outcomes[outcome.key])
    modules: dict[str, Module] = {}
    for module in source.modules:
        new_module = Module(key=module.key, position=module.position, title=module.title, summary=module.summary)
        modules[module.key] = new_module
        copy.modules.append(new_module)
        for lesson in module.lessons:
            new_module.lessons.append(
                Lesson(
                    key=lesson.key,
                    position=lesson.position,
                    title=lesson.title,
                    body=lesson.body,
                    minutes=lesson.minutes,
                    required=lesson.required,
                    outcomes=[outcomes[o.key] for o in lesson.outcomes],
                )
            )
    for module in source.modules:
        modules[module.key].prerequisites = [modules[p.key] for p in module.prerequisites]
    db.session.flush()
    return copy


def publish_problems(version: CourseVersion) -> list[str]:
    """Reasons this version cannot be published yet (empty when it can)."""
    outlines.load_content(version)  # modules and lessons in one go, not a statement per module
    problems = []
    if not version.modules:
        problems.append(_("Add at least one module."))
    for module in version.modules:
        if not module.lessons:
            problems.append(_("Module “%(title)s” has no lessons.", title=module.title))
    for check in hooks.publish_checks():
        problems.extend(check(version))
    return problems


def publish_warnings(version: CourseVersion) -> list[str]:
    """What a trainer should know before publishing this version (publishing needs their confirmation)."""
    warnings = []
    for check in hooks.publish_warning_checks():
        warnings.extend(check(version))
    return warnings


def publish(course: Course, *, warnings_confirmed: bool = False) -> CourseVersion:
    """Publish the draft: learners see it from now on and the previous version retires.

    Problems always refuse; warnings refuse unless the trainer confirmed them.
    """
    draft = draft_of(course)
    if draft is None:
        raise Conflict(_("There is no draft to publish: the newest version is already published."))
    problems = publish_problems(draft)
    if problems:
        raise ServiceError(" ".join(problems))
    if not warnings_confirmed:
        warnings = publish_warnings(draft)
        if warnings:
            raise ServiceError(
                _(
                    "Please confirm that you want to publish despite these warnings: %(warnings)s",
                    warnings=" ".join(warnings),
                )
            )
    for version in course.versions:
        if version.status == VersionStatus.PUBLISHED:
            version.status = VersionStatus.RETIRED
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = utcnow()
    course.published_version = draft
    if course.status == CourseStatus.DRAFT:
        course.status = CourseStatus.PUBLISHED
    db.session.flush()
    return draft


def discard_draft(course: Course) -> None:
    """Drop the draft of the next version; refuse when it is the only version."""
    draft = draft_of(course)
    if draft is None:
        raise Conflict(_("There is no draft to discard."))
    if course.published_version is None:
        raise Conflict(_("A course that was never published keeps its first draft."))
    course.versions.remove(draft)  # delete-orphan deletes it (an explicit delete as well upsets the flush)
    db.session.flush()


def used_keys(course: Course, kind: type[Module] | type[Lesson] | type[LearningOutcome]) -> set[str]:
    """Keys of this kind used in any version of the course, so a new item never inherits old progress."""
    if course.id is None:
        return set()
    if kind is Lesson:
        stmt = select(Lesson.key).join(Module).join(CourseVersion).where(CourseVersion.course_id == course.id)
    else:
        stmt = select(kind.key).join(CourseVersion).where(CourseVersion.course_id == course.id)
    return set(db.session.scalars(stmt))
