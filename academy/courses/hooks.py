"""Extension points for features built on courses (quizzes, certificates).

Courses do not know about quizzes; they expose:

- events (academy.courses.events, emitted through academy.core.events inside the caller's
  transaction): `LessonsCompleted` once every required lesson of an enrolment is read.
- `register_publish_check(app, check)`: `check(version) -> list[str]` of reasons that block
  publishing; `register_publish_warning(app, check)`: the same for warnings the trainer must
  confirm before publishing.
- `register_course_page_extension(app, provider)`: `provider(version, enrolment) ->
  CoursePageExtras` adds certificate requirements, per-outcome mastery and extra panels to the
  course page. Providers must run a constant number of queries.
- `register_learning_extension(app, provider)`: `provider(user, enrolments) -> {enrolment id:
  LearningExtras}` adds requirements beyond lessons and links (the certificate) to My learning,
  in a constant number of queries for all the learner's courses.
- `register_completion_notice(app, provider)`: `provider(enrolment) -> Panel | None`, a notice
  shown on pages where a learner may just have completed the course (a quiz result).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from academy.courses.models import CourseVersion, Enrolment

_PUBLISH_CHECKS = "academy_course_publish_checks"
_PUBLISH_WARNINGS = "academy_course_publish_warnings"
_PAGE_EXTENSIONS = "academy_course_page_extensions"
_LEARNING_EXTENSIONS = "academy_learning_extensions"
_COMPLETION_NOTICES = "academy_completion_notices"


@dataclass
class Panel:
    """A template included on the course page after the module list, with its own context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NextStep:
    """Something the learner still has to do (or may open), as a labelled link."""

    label: str
    url: str


@dataclass
class CoursePageExtras:
    """What other features add to a course page."""

    # Sentences listed under "What the certificate requires", after the lesson requirement.
    requirements: list[str] = field(default_factory=list)
    # Mastery in % per learning outcome key, for the enrolled learner.
    outcome_mastery: dict[str, int] = field(default_factory=dict)
    panels: list[Panel] = field(default_factory=list)
    # Required steps after the lessons, in order; the first is the page's primary action once
    # every lesson is read.
    next_steps: list[NextStep] = field(default_factory=list)
    # Requirements beyond the lessons (a quiz passed, an outcome mastered): met, of how many.
    done: int = 0
    total: int = 0

    def merge(self, other: CoursePageExtras) -> None:
        """Add another provider's extras to these."""
        self.requirements.extend(other.requirements)
        self.outcome_mastery.update(other.outcome_mastery)
        self.panels.extend(other.panels)
        self.next_steps.extend(other.next_steps)
        self.done += other.done
        self.total += other.total


@dataclass
class LearningExtras:
    """What other features add to one course on My learning."""

    done: int = 0
    total: int = 0
    links: list[NextStep] = field(default_factory=list)

    def merge(self, other: LearningExtras) -> None:
        """Add another provider's extras to these."""
        self.done += other.done
        self.total += other.total
        self.links.extend(other.links)


def register_publish_check(app: Flask, check: Callable[[CourseVersion], list[str]]) -> None:
    """Add a check run before a version is published; any message it returns blocks publishing."""
    app.extensions.setdefault(_PUBLISH_CHECKS, []).append(check)


def publish_checks() -> list[Callable[[CourseVersion], list[str]]]:
    """Checks registered by other features."""
    return list(current_app.extensions.get(_PUBLISH_CHECKS, []))


def register_publish_warning(app: Flask, check: Callable[[CourseVersion], list[str]]) -> None:
    """Add a check whose messages the trainer must confirm before the version is published."""
    app.extensions.setdefault(_PUBLISH_WARNINGS, []).append(check)


def publish_warning_checks() -> list[Callable[[CourseVersion], list[str]]]:
    """Warning checks registered by other features."""
    return list(current_app.extensions.get(_PUBLISH_WARNINGS, []))


def register_course_page_extension(
    app: Flask, provider: Callable[[CourseVersion, Enrolment | None], CoursePageExtras]
) -> None:
    """Let a feature add requirements, outcome mastery or panels to the course page."""
    app.extensions.setdefault(_PAGE_EXTENSIONS, []).append(provider)


def course_page_extras(version: CourseVersion, enrolment: Enrolment | None) -> CoursePageExtras:
    """Everything registered providers add to this course page."""
    extras = CoursePageExtras()
    for provider in current_app.extensions.get(_PAGE_EXTENSIONS, []):
        extras.merge(provider(version, enrolment))
    return extras


def register_learning_extension(
    app: Flask, provider: Callable[[Any, list[Enrolment]], dict[int, LearningExtras]]
) -> None:
    """Let a feature add requirements and links to the courses on My learning."""
    app.extensions.setdefault(_LEARNING_EXTENSIONS, []).append(provider)


def learning_extras(user: Any, enrolments: list[Enrolment]) -> dict[int, LearningExtras]:
    """Per enrolment id, everything registered providers add to My learning."""
    out: dict[int, LearningExtras] = {e.id: LearningExtras() for e in enrolments}
    if not enrolments:
        return out
    for provider in current_app.extensions.get(_LEARNING_EXTENSIONS, []):
        for enrolment_id, extra in provider(user, enrolments).items():
            out.setdefault(enrolment_id, LearningExtras()).merge(extra)
    return out


def register_completion_notice(app: Flask, provider: Callable[[Enrolment], Panel | None]) -> None:
    """Let a feature say something where a learner may just have completed a course."""
    app.extensions.setdefault(_COMPLETION_NOTICES, []).append(provider)


def completion_notices(enrolment: Enrolment | None) -> list[Panel]:
    """Panels registered features show for this enrolment (none when not enrolled)."""
    if enrolment is None:
        return []
    found = (provider(enrolment) for provider in current_app.extensions.get(_COMPLETION_NOTICES, []))
    return [panel for panel in found if panel is not None]
