"""Factories for API tests: tokens, and published courses built straight on the course models."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from academy.api import services
from academy.api.models import ApiToken
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    LearningOutcome,
    Lesson,
    Level,
    Module,
    VersionStatus,
)
from academy.db import utcnow
from academy.extensions import db

_seq = itertools.count(1)


def create_token(
    *,
    user,
    name: str = "Script",
    scopes: tuple[str, ...] = ("read",),
    expires_in_days: int | None = None,
    revoked: bool = False,
    expired: bool = False,
) -> tuple[ApiToken, str]:
    """A committed token for `user`; returns the row and the clear token."""
    token = services.create_token(user, name=name, scopes=list(scopes), expires_in_days=expires_in_days)
    raw = token.token
    if revoked:
        token.revoked_at = utcnow()
    if expired:
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return token, raw


def bearer(raw: str) -> dict[str, str]:
    """The Authorization header for a clear token."""
    return {"Authorization": f"Bearer {raw}"}


def create_course(
    *,
    title: str | None = None,
    slug: str | None = None,
    summary: str = "How Interreg programmes report progress.",
    topic: str = "monitoring",
    language: str = "en",
    level: Level = Level.INTRODUCTORY,
    status: CourseStatus = CourseStatus.PUBLISHED,
    modules: int = 2,
    lessons_per_module: int = 2,
    outcomes: int = 2,
    owners: tuple = (),
    commit: bool = True,
) -> Course:
    """A course with one version (published unless `status` says otherwise) and a small outline."""
    n = next(_seq)
    course = Course(slug=slug or f"course-{n}", status=status, owners=list(owners))
    published = status != CourseStatus.DRAFT
    version = CourseVersion(
        course=course,
        number=1,
        status=VersionStatus.PUBLISHED if published else VersionStatus.DRAFT,
        title=title or f"Course {n}",
        summary=summary,
        description="## About\n\nWhat you will learn.",
        topic=topic,
        language=language,
        level=level,
        hours=Decimal("2.5"),
        credits=Decimal("0.5"),
        published_at=utcnow() if published else None,
    )
    los = [
        LearningOutcome(key=f"lo{i}", code=f"LO{i}", text=f"Explain point {i}.", position=i, threshold=70)
        for i in range(1, outcomes + 1)
    ]
    version.outcomes = los
    previous = None
    for m in range(1, modules + 1):
        module = Module(key=f"m{m}", position=m, title=f"Module {m}", summary="A part of the course.")
        if previous is not None:
            module.prerequisites = [previous]
        for lesson_no in range(1, lessons_per_module + 1):
            module.lessons.append(
                Lesson(
                    key=f"m{m}-l{lesson_no}",
                    position=lesson_no,
                    title=f"Lesson {m}.{lesson_no}",
                    body="Text.",
                    outcomes=los[:1],
                )
            )
        version.modules.append(module)
        previous = module
    db.session.add(course)
    db.session.flush()
    if published:
        course.published_version = version
    db.session.flush()
    if commit:
        db.session.commit()
    return course
