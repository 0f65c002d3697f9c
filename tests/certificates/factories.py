"""Keyword-only factories for certificate tests, built straight from the course models."""

from __future__ import annotations

import itertools
from decimal import Decimal

from academy.auth.models import User
from academy.certificates import services
from academy.certificates.models import Certificate
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    LearningOutcome,
    Lesson,
    LessonProgress,
    Module,
    VersionStatus,
)
from academy.db import utcnow
from academy.extensions import db
from tests.factories import create_user

_seq = itertools.count(1)

OUTCOMES = (
    "Explain which simplified cost options the Interreg regulation allows for a cooperation project.",
    "Calculate the flat rate for office and administrative costs from a partner's staff costs.",
    "Check that a unit cost claimed by a partner is backed by the agreed methodology.",
)


def create_course(
    *,
    title: str = "Simplified cost options in Interreg",
    slug: str | None = None,
    owners: tuple[User, ...] | list[User] = (),
    lessons: int = 2,
    optional_lessons: int = 0,
    outcomes: int = 2,
    hours: str = "6",
    credits: str = "0.5",
    validity_months: int | None = None,
    published: bool = True,
    number: int = 1,
    commit: bool = True,
) -> Course:
    """A course with one version of one module holding `lessons` required and `optional_lessons` optional lessons."""
    n = next(_seq)
    course = Course(slug=slug or f"course-{n}", status=CourseStatus.PUBLISHED if published else CourseStatus.DRAFT)
    course.owners = list(owners)
    db.session.add(course)
    version = add_version(
        course,
        title=title,
        lessons=lessons,
        optional_lessons=optional_lessons,
        outcomes=outcomes,
        hours=hours,
        credits=credits,
        validity_months=validity_months,
        number=number,
        publish=published,
    )
    db.session.flush()
    if published:
        course.published_version = version
    db.session.flush()
    if commit:
        db.session.commit()
    return course


def add_version(
    course: Course,
    *,
    title: str,
    lessons: int = 2,
    optional_lessons: int = 0,
    outcomes: int = 2,
    hours: str = "6",
    credits: str = "0.5",
    validity_months: int | None = None,
    number: int = 1,
    publish: bool = True,
    lesson_keys: list[str] | None = None,
) -> CourseVersion:
    """Add a version to a course; lesson keys default to lesson-1, lesson-2, ... (stable across versions)."""
    version = CourseVersion(
        course=course,
        number=number,
        status=VersionStatus.PUBLISHED if publish else VersionStatus.DRAFT,
        title=title,
        hours=Decimal(hours),
        credits=Decimal(credits),
        validity_months=validity_months,
        published_at=utcnow() if publish else None,
    )
    for i in range(outcomes):
        version.outcomes.append(
            LearningOutcome(key=f"lo-{i + 1}", code=f"LO{i + 1}", text=OUTCOMES[i % len(OUTCOMES)], position=i)
        )
    module = Module(key="module-1", title="Getting started", position=0)
    version.modules.append(module)
    keys = lesson_keys or [f"lesson-{i + 1}" for i in range(lessons)]
    for i, key in enumerate(keys):
        module.lessons.append(Lesson(key=key, title=f"Lesson {i + 1}", position=i, required=True))
    for i in range(optional_lessons):
        module.lessons.append(
            Lesson(key=f"extra-{i + 1}", title=f"Extra {i + 1}", position=len(keys) + i, required=False)
        )
    db.session.add(version)
    db.session.flush()
    return version


def create_enrolment(
    *, user: User | None = None, course: Course | None = None, done: list[str] | None = None, commit: bool = True
) -> Enrolment:
    """An active enrolment with the lessons in `done` completed."""
    enrolment = Enrolment(user=user or create_user(), course=course or create_course())
    db.session.add(enrolment)
    db.session.flush()
    for key in done or []:
        db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=key))
    db.session.flush()
    if commit:
        db.session.commit()
    return enrolment


def complete_lessons(enrolment: Enrolment, *, commit: bool = True) -> None:
    """Mark every required lesson of the published version done."""
    from academy.certificates import completion

    done = {p.lesson_key for p in enrolment.progress}
    for key in completion.required_lesson_keys(enrolment.course):
        if key not in done:
            db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=key))
    db.session.flush()
    if commit:
        db.session.commit()


def create_certificate(
    *,
    user: User | None = None,
    course: Course | None = None,
    name: str | None = None,
    commit: bool = True,
) -> Certificate:
    """A certificate issued through the real service for a learner who completed the course."""
    user = user or create_user(name=name)
    enrolment = create_enrolment(user=user, course=course or create_course(), commit=False)
    complete_lessons(enrolment, commit=False)
    certificate = services.issue_for_enrolment(enrolment)
    if commit:
        db.session.commit()
    return certificate
