"""Course factories: keyword-only, a test names only what matters to it."""

from __future__ import annotations

import itertools
from decimal import Decimal

from academy.auth.models import User
from academy.courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    LearningOutcome,
    Lesson,
    LessonProgress,
    Level,
    Module,
    VersionStatus,
)
from academy.db import utcnow
from academy.extensions import db
from tests.factories import create_user

_seq = itertools.count(1)


def create_course(
    *,
    slug: str | None = None,
    title: str | None = None,
    owner: User | None = None,
    owners: list[User] | None = None,
    modules: int = 2,
    lessons: int = 2,
    outcomes: int = 3,
    published: bool = True,
    archived: bool = False,
    sequential: bool = False,
    topic: str = "Programme management",
    language: str = "en",
    level: Level = Level.INTRODUCTORY,
    summary: str = "What a joint secretariat needs to know.",
    hours: Decimal = Decimal("2"),
    credits: Decimal = Decimal("0.5"),
    commit: bool = True,
) -> Course:
    """A course with one version of `modules` modules of `lessons` lessons each."""
    n = next(_seq)
    slug = slug or f"course-{n}"
    if owners is None:
        owners = [owner or create_user(trainer=True, commit=False)]
    course = Course(slug=slug, status=CourseStatus.DRAFT, owners=owners)
    version = CourseVersion(
        number=1,
        status=VersionStatus.DRAFT,
        title=title or f"Course {n}",
        summary=summary,
        description="Who this is for.",
        topic=topic,
        language=language,
        level=level,
        hours=hours,
        credits=credits,
        sequential=sequential,
    )
    course.versions.append(version)
    made_outcomes = []
    for i in range(1, outcomes + 1):
        outcome = LearningOutcome(key=f"lo{i}", code=f"LO{i}", text=f"Explain point {i}.", threshold=70, position=i - 1)
        version.outcomes.append(outcome)
        made_outcomes.append(outcome)
    for m in range(1, modules + 1):
        module = Module(key=f"m{m}", title=f"Module {m}", summary=f"About part {m}.", position=m - 1)
        version.modules.append(module)
        for i in range(1, lessons + 1):
            module.lessons.append(
                Lesson(
                    key=f"m{m}-l{i}",
                    title=f"Lesson {m}.{i}",
                    body=f"# Part {m}.{i}\n\nSome **text** for lesson {m}.{i}.",
                    minutes=10,
                    position=i - 1,
                    outcomes=made_outcomes[:1],
                )
            )
    db.session.add(course)
    db.session.flush()
    if published:
        version.status = VersionStatus.PUBLISHED
        version.published_at = utcnow()
        course.published_version = version
        course.status = CourseStatus.ARCHIVED if archived else CourseStatus.PUBLISHED
        db.session.flush()
    if commit:
        db.session.commit()
    return course


def enrol(
    user: User, course: Course, *, done: list[str] = (), status: EnrolmentStatus = EnrolmentStatus.ACTIVE
) -> Enrolment:
    """Enrol a user, with the lessons whose keys are in `done` completed."""
    enrolment = Enrolment(user=user, course=course, status=status)
    for key in done:
        enrolment.progress.append(LessonProgress(lesson_key=key))
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


def assert_same_queries(client, count_queries, small_url: str, large_url: str) -> None:
    """Both pages run as many statements: with the outlines kept (warm) and on a fresh worker (cold)."""
    from academy.courses.services import outlines

    client.get(small_url)  # first request of the session (its one-off writes)
    counts = {}
    for name, url in (("small", small_url), ("large", large_url)):
        outlines.clear()
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts["cold", name] = q.count
    client.get(small_url)  # both outlines kept now
    for name, url in (("small", small_url), ("large", large_url)):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts["warm", name] = q.count
    assert counts["cold", "small"] == counts["cold", "large"], counts
    assert counts["warm", "small"] == counts["warm", "large"], counts
    # A kept outline costs nothing: the cold page reads the version's rows, the warm one does not.
    assert counts["warm", "small"] < counts["cold", "small"], counts
