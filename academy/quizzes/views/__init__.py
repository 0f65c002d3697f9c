"""The quizzes blueprint: learners under /courses/<slug>/quiz/..., trainers under /teach/<slug>/..."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from academy.courses.models import Course
from academy.courses.policy import can_manage_course
from academy.quizzes import access

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
    """Start page, for trainers: essays waiting for a grade in the courses they own (None when none)."""
    from flask import url_for
    from flask_babel import gettext as _

    from academy.home import HomePanel
    from academy.quizzes.services import attempts

    # Learners never own a course: no query for them.
    if not current_user.is_authenticated or not current_user.has_role("trainer"):
        return None
    waiting = attempts.waiting_counts(current_user._get_current_object())
    if not waiting:
        return None
    return HomePanel(
        title=_("Waiting for you"),
        template="quizzes/_home_panel.html",
        context={"waiting": [(course, course_title(course), count) for course, count in waiting]},
        more_url=url_for("courses.trainer_courses"),
        more_label=_("Courses you teach"),
    )


@bp.record_once
def _setup(state) -> None:  # noqa: ANN001
    from academy.home import register_home_panel

    register_home_panel(state.app, "grading", home_panel, order=5)


from academy.quizzes.views import bank, learner, teach  # noqa: E402,F401  (routes register on bp)
