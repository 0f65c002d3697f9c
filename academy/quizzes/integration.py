"""What quizzes add to the course page: the quizzes panel and the learner's mastery per outcome."""

from __future__ import annotations

from flask import Flask

from academy.courses import hooks
from academy.courses.models import CourseVersion, Enrolment


def _course_page(version: CourseVersion, enrolment: Enrolment | None) -> hooks.CoursePageExtras:
    from academy.quizzes.completion import mastery_for

    mastery = {key: round(pct) for key, pct in mastery_for(enrolment).items()} if enrolment else {}
    return hooks.CoursePageExtras(
        panels=[hooks.Panel("quizzes/_course_panel.html", {"course": version.course})],
        outcome_mastery=mastery,
    )


def init_app(app: Flask) -> None:
    """Register the course page extension."""
    hooks.register_course_page_extension(app, _course_page)
