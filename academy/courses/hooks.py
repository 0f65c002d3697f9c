"""Extension points for features built on courses (quizzes, certificates).

Courses do not know about quizzes; they expose:

- signals (blinker) sent inside the caller's transaction, so receivers add rows that commit or
  roll back with the change that caused them:
  `version_copied(source, copy=...)` when a draft of the next version is made from a published
  one (copy per-version rows such as quizzes, matching by stable keys);
  `version_published(version, previous=...)`; `lesson_completed(enrolment, lesson_key=...)`.
- `register_publish_check(app, check)`: `check(version) -> list[str]` of reasons that block
  publishing; `register_publish_warning(app, check)`: the same for warnings the trainer must
  confirm before publishing.
- `register_course_page_extension(app, provider)`: `provider(version, enrolment) ->
  CoursePageExtras` adds certificate requirements, per-outcome mastery and extra panels to the
  course page. Providers must run a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from blinker import Namespace
from flask import Flask, current_app

if TYPE_CHECKING:
    from academy.courses.models import CourseVersion, Enrolment

_signals = Namespace()

version_copied = _signals.signal("courses.version-copied")
version_published = _signals.signal("courses.version-published")
lesson_completed = _signals.signal("courses.lesson-completed")

_PUBLISH_CHECKS = "academy_course_publish_checks"
_PUBLISH_WARNINGS = "academy_course_publish_warnings"
_PAGE_EXTENSIONS = "academy_course_page_extensions"


@dataclass
class Panel:
    """A template included on the course page after the module list, with its own context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class CoursePageExtras:
    """What other features add to a course page."""

    # Sentences listed under "What the certificate requires", after the lesson requirement.
    requirements: list[str] = field(default_factory=list)
    # Mastery in % per learning outcome key, for the enrolled learner.
    outcome_mastery: dict[str, int] = field(default_factory=dict)
    panels: list[Panel] = field(default_factory=list)

    def merge(self, other: CoursePageExtras) -> None:
        """Add another provider's extras to these."""
        self.requirements.extend(other.requirements)
        self.outcome_mastery.update(other.outcome_mastery)
        self.panels.extend(other.panels)


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
