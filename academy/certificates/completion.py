"""The completion rule: what a learner must do to earn a course's certificate.

The rule is a small registry of named requirements. Each is a function taking an enrolment and
returning a `RequirementStatus`; a course is complete when every registered requirement is met.
The registry is kept per app (`app.extensions`): `init_app(app)` registers the built-in
requirements (every required lesson done, every required quiz passed, every learning outcome at
or above its mastery threshold); a higher feature may add its own with `register_requirement(app, ...)`.

The job `certificates.jobs.notify_progress(enrolment_id)` (queued after a commit whenever progress
may have completed a course) checks the rule and issues the certificate once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from academy.courses.models import Course, Enrolment, Lesson, LessonProgress, Module
from academy.courses.services import progress
from academy.extensions import db
from academy.quizzes import completion as quiz_completion

if TYPE_CHECKING:
    from academy.certificates.models import Certificate


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement's standing for one learner."""

    met: bool
    label: str
    detail: str = ""


Check = Callable[[Enrolment], RequirementStatus]


@dataclass(frozen=True)
class Requirement:
    """A named requirement with the sentence shown before a learner enrols."""

    name: str
    check: Check
    description: str


_KEY = "academy_completion_requirements"


def register_requirement(app: Flask, name: str, check: Check, *, description: str | None = None) -> None:
    """Add (or replace) a requirement; `description` explains it to people who have not enrolled."""
    app.extensions.setdefault(_KEY, {})[name] = Requirement(name=name, check=check, description=description or name)


def requirements() -> list[Requirement]:
    """The registered requirements in registration order."""
    return list(current_app.extensions.get(_KEY, {}).values())


def status(enrolment: Enrolment) -> list[RequirementStatus]:
    """Every requirement's standing for this enrolment, in registration order."""
    return [requirement.check(enrolment) for requirement in requirements()]


def is_complete(enrolment: Enrolment) -> bool:
    """True when the course has a published version and every requirement is met."""
    if enrolment.course.published_version_id is None:
        return False
    return all(item.met for item in status(enrolment))


def required_lesson_keys(course: Course) -> list[str]:
    """Keys of the required lessons of the course's published version, in course order."""
    if course.published_version_id is None:
        return []
    loaded = progress.remembered_required_keys(course.published_version_id)
    if loaded is not None:
        return loaded
    rows = db.session.execute(
        select(Lesson.key)
        .join(Module, Lesson.module_id == Module.id)
        .where(Module.version_id == course.published_version_id, Lesson.required.is_(True))
        .order_by(Module.position, Lesson.position)
    )
    return list(rows.scalars())


def _lessons_done(enrolment: Enrolment) -> RequirementStatus:
    required = required_lesson_keys(enrolment.course)
    done = progress.remembered_completed_keys(enrolment)
    if done is None:
        done = set(
            db.session.execute(select(LessonProgress.lesson_key).where(LessonProgress.enrolment_id == enrolment.id))
            .scalars()
            .all()
        )
    count = sum(1 for key in required if key in done)
    label = _("Every required lesson done")
    if not required:
        return RequirementStatus(met=True, label=label, detail=_("This course has no required lessons."))
    return RequirementStatus(
        met=count == len(required),
        label=label,
        detail=_("%(done)d of %(total)d required lessons done.", done=count, total=len(required)),
    )


def _quizzes_passed(enrolment: Enrolment) -> RequirementStatus:
    return RequirementStatus(
        met=quiz_completion.quiz_requirements_met(enrolment), label=_("Every required quiz passed")
    )


def _outcomes_mastered(enrolment: Enrolment) -> RequirementStatus:
    label = _("Every learning outcome at or above its mastery threshold")
    if not quiz_completion.has_published_quiz(enrolment.course):
        # Nothing assesses the outcomes: lessons are the only evidence there is.
        return RequirementStatus(met=True, label=label, detail=_("This course has no quiz."))
    report = quiz_completion.outcome_report(enrolment)
    mastered = [row for row in report if row.mastered]
    return RequirementStatus(
        met=len(mastered) == len(report),
        label=label,
        detail=_("%(done)d of %(total)d outcomes mastered.", done=len(mastered), total=len(report)),
    )


def init_app(app: Flask) -> None:
    """Register the built-in requirements of the completion rule in this app."""
    register_requirement(
        app, "lessons", _lessons_done, description=_l("Complete every required lesson of the current version.")
    )
    register_requirement(app, "quizzes", _quizzes_passed, description=_l("Pass every required quiz."))
    register_requirement(
        app,
        "outcomes",
        _outcomes_mastered,
        description=_l("Reach the mastery threshold of every learning outcome in the quizzes."),
    )


@dataclass(frozen=True)
class Standing:
    """What the course page shows: the rule, the learner's standing, and any certificate held."""

    items: list[RequirementStatus]
    enrolled: bool
    complete: bool
    certificate: Certificate | None
    validity_months: int | None


def standing(course: Course, enrolment: Enrolment | None) -> Standing:
    """The rule for `course` and, when `enrolment` is given, the learner's standing against it."""
    from academy.certificates import services

    version = course.published_version
    validity = version.validity_months if version is not None else None
    if enrolment is None:
        items = [RequirementStatus(met=False, label=str(r.description)) for r in requirements()]
        return Standing(items=items, enrolled=False, complete=False, certificate=None, validity_months=validity)
    items = status(enrolment)
    certificate = services.current_certificate(enrolment.user_id, version.id) if version is not None else None
    return Standing(
        items=items,
        enrolled=True,
        complete=version is not None and all(item.met for item in items),
        certificate=certificate,
        validity_months=validity,
    )
