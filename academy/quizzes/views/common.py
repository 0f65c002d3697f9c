"""The quizzes blueprint and what its pages share (course look-ups, start-page panel, workspace tabs)."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user

from academy.courses.models import Course
from academy.courses.policy import can_manage_course
from academy.courses.workspace import Tab, register_tab
from academy.home import HomePanel, register_home_panel
from academy.quizzes import access, readiness
from academy.quizzes.services import attempts

bp = Blueprint("quizzes", __name__)


def course_or_404(slug: str) -> Course:
    """The course with this slug, or 404."""
    course = access.get_course(slug)
    if course is None:
        abort(404)
    return course


def managed_course_or_abort(slug: str) -> Course:
    """The course if the current user owns it (or is an admin); 404 if missing, 403 otherwise."""
    course = course_or_404(slug)
    if not can_manage_course(current_user, course):
        abort(403)
    return course


@bp.context_processor
def _helpers() -> dict:
    return {"course_title": course_title}


def course_title(course: Course) -> str:
    """The title learners see (the newest version's for a course not yet published)."""
    version = course.published_version or access.authoring_version(course)
    return version.title if version else course.slug


def home_panel():  # noqa: ANN201
    """Start page, for trainers: essays to grade and quizzes learners cannot start, per course (None when none)."""
    # Learners never own a course: no query for them.
    if not current_user.is_authenticated or not current_user.has_role("trainer"):
        return None
    user = current_user._get_current_object()
    waiting = attempts.waiting_counts(user)
    not_ready = readiness.not_ready_counts(user)
    if not waiting and not not_ready:
        return None
    return HomePanel(
        title=_("Waiting for you"),
        template="quizzes/_home_panel.html",
        context={
            "waiting": [(course, course_title(course), count) for course, count in waiting],
            "not_ready": [(course, course_title(course), count) for course, count in not_ready],
        },
        more_url=url_for("courses.trainer_courses"),
        more_label=_("Courses you teach"),
    )


@bp.record_once
def _setup(state) -> None:  # noqa: ANN001
    register_home_panel(state.app, "grading", home_panel, order=5)
    _register_tabs(state.app)


def _register_tabs(app) -> None:  # noqa: ANN001
    """The workspace tabs quizzes add to every course: Assessment, Grading, Learners, Analytics."""

    def endpoints(*names: str) -> frozenset[str]:
        return frozenset(f"quizzes.{name}" for name in names)

    assessment = endpoints(
        "question_preview", "question_edit", "question_new", "bank_import", "bank_import_confirm",
        "teach_quizzes", "quiz_new", "quiz_edit", "quiz_slots", "quiz_preview", "accommodations",
        "accommodation_grant",
    )  # fmt: skip
    register_tab(app, Tab("assessment", lazy_gettext("Assessment"), "quizzes.bank_index", 20, assessment))
    register_tab(app, Tab("grading", lazy_gettext("Grading"), "quizzes.grading_queue", 30, endpoints("grade_response")))
    register_tab(app, Tab("learners", lazy_gettext("Learners"), "quizzes.gradebook_page", 40))
    register_tab(app, Tab("analytics", lazy_gettext("Analytics"), "quizzes.mastery", 50, endpoints("quiz_analysis")))
