"""Learner pages: catalogue, course page, enrolment, lessons, completion and My learning."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.auth.forms import EmptyForm
from academy.core import private_cache, public_cache
from academy.core.actions import request_action
from academy.courses import hooks, policy
from academy.courses.forms import CatalogueFilterForm
from academy.courses.models import Course, CourseStatus, EnrolmentStatus
from academy.courses.services import authoring, catalogue, progress
from academy.courses.views.common import bp
from academy.exceptions import ServiceError
from academy.home import HomePanel
from academy.inputs import page_arg


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _course_or_404(slug: str) -> Course:
    try:
        return catalogue.get_course_page(slug)
    except ServiceError:
        abort(404)


@bp.get("/courses", endpoint="catalogue")
@public_cache.cacheable()
@private_cache.cacheable()
def catalogue_page():  # noqa: ANN201
    """Published courses, searchable and filtered by topic, language and level."""
    form = CatalogueFilterForm(request.args)
    topics, languages = catalogue.facets()
    form.set_choices(topics, languages)
    filters = catalogue.Filters(
        q=(form.q.data or "").strip()[:100],
        topic=form.topic.data or "",
        language=form.language.data or "",
        level=form.level.data or "",
    )
    page = page_arg()
    pagination = catalogue.search(filters, page=page)
    enrolled = catalogue.enrolled_course_ids(_user(), [c.id for c in pagination.items])
    return render_template(
        "courses/catalogue.html",
        form=form,
        filters=filters,
        pagination=pagination,
        enrolled=enrolled,
        filtered=any((filters.q, filters.topic, filters.language, filters.level)),
    )


@bp.get("/courses/<slug>")
@public_cache.cacheable()
@private_cache.cacheable()
def course(slug: str):  # noqa: ANN201
    """A course's outcomes, modules, hours, credits and certificate requirements."""
    course = _course_or_404(slug)
    version = course.published_version
    enrolment = progress.get_enrolment(_user(), course)
    active = progress.is_active(enrolment)
    outline = progress.build_outline(version, progress.completed_keys(enrolment) if active else ())
    extras = hooks.course_page_extras(version, enrolment if active else None)
    # Progress counts every requirement: required lessons, and what other features add (quizzes, outcomes).
    done, total = outline.done_count + extras.done, outline.required_count + extras.total
    finished = active and outline.complete and not extras.next_steps
    return render_template(
        "courses/course.html",
        course=course,
        version=version,
        outline=outline,
        enrolment=enrolment,
        enrolled=active,
        continue_at=outline.continue_at(enrolment.last_lesson_key) if active else None,
        extras=extras,
        requirements_done=done,
        requirements_total=total,
        overall=progress.percent(done, total),
        notices=hooks.completion_notices(enrolment) if finished else [],
        can_edit=policy.can_manage_course(_user(), course),
        archived=course.status == CourseStatus.ARCHIVED,
        # Only signed-in visitors get forms: an anonymous page sets no CSRF cookie, so it can be cached.
        form=EmptyForm() if current_user.is_authenticated else None,
        preview=False,
    )


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str):  # noqa: ANN201
    """Enrol in a course (or come back to it)."""
    course = _course_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        progress.enrol(current_user._get_current_object(), course)
    if not done:
        return redirect(url_for(".course", slug=slug))
    flash(_("You are enrolled. Start with the first lesson whenever you are ready."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/courses/<slug>/unenrol")
@login_required
def unenrol(slug: str):  # noqa: ANN201
    """Leave a course; progress is kept."""
    course = _course_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        progress.unenrol(current_user._get_current_object(), course)
    if not done:
        return redirect(url_for(".course", slug=slug))
    flash(_("You left the course. Your progress is kept if you enrol again."), "success")
    return redirect(url_for(".course", slug=slug))


def _study(slug: str, key: str):
    """Course, enrolment, outline and lesson state for a lesson page, or an abort/redirect response."""
    course = _course_or_404(slug)
    enrolment = progress.get_enrolment(current_user._get_current_object(), course)
    outline = progress.build_outline(course.published_version, progress.completed_keys(enrolment))
    state = outline.find(key)
    if state is None:
        abort(404)
    return course, enrolment, outline, state


@bp.get("/courses/<slug>/lessons/<key>")
@login_required
@private_cache.cacheable()
def lesson(slug: str, key: str):  # noqa: ANN201
    """A lesson, with previous/next links and the button to mark it complete."""
    course, enrolment, outline, state = _study(slug, key)
    if not progress.is_active(enrolment) and not policy.can_manage_course(current_user, course):
        flash(_("Enrol in the course to read its lessons."), "info")
        return redirect(url_for(".course", slug=slug))
    if state.locked and progress.is_active(enrolment):
        return render_template("courses/locked.html", course=course, outline=outline, state=state), 403
    return render_template(
        "courses/lesson.html",
        course=course,
        version=course.published_version,
        outline=outline,
        state=state,
        previous=outline.previous(state),
        next=outline.next(state),
        enrolled=progress.is_active(enrolment),
        form=EmptyForm(),
        preview=False,
    )


@bp.post("/courses/<slug>/lessons/<key>/complete")
@login_required
def complete(slug: str, key: str):  # noqa: ANN201
    """Mark a lesson complete and go on to the next one."""
    course, enrolment, outline, _state = _study(slug, key)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        progress.complete_lesson(enrolment, outline, key)
    if not done:
        return redirect(url_for(".course", slug=slug))
    if outline.complete:
        flash(_("You have completed every lesson of this course."), "success")
        return redirect(url_for(".course", slug=slug))
    # Completing the last lesson of a module may open the next one: recompute the locks.
    outline = progress.build_outline(course.published_version, {s.key for s in outline.lessons if s.done})
    following = outline.next(outline.find(key))
    if following is not None and not following.locked:
        return redirect(url_for(".lesson", slug=slug, key=following.key))
    return redirect(url_for(".course", slug=slug))


@bp.get("/my-learning")
@login_required
@private_cache.cacheable()
def my_learning():  # noqa: ANN201
    """The learner's courses with progress and where to continue."""
    entries = progress.dashboard(current_user._get_current_object())

    return render_template(
        "courses/my_learning.html",
        in_progress=[e for e in entries if e.in_progress],
        completed=[e for e in entries if e.completed],
        left=[e for e in entries if e.enrolment.status == EnrolmentStatus.LEFT],
    )


# How many courses "Continue learning" on the start page shows.
HOME_COURSES = 3


def home_panel():  # noqa: ANN201
    """Start page: "Continue learning", the courses in progress most recently active first (None if none)."""
    if not current_user.is_authenticated:
        return None
    entries = [e for e in progress.dashboard(current_user._get_current_object(), active_only=True) if e.in_progress]
    if not entries:
        return None
    return HomePanel(
        title=_("Continue learning"),
        template="courses/_home_panel.html",
        context={"entries": entries[:HOME_COURSES], "more": max(len(entries) - HOME_COURSES, 0)},
        more_url=url_for("courses.my_learning"),
        more_label=_("All my learning"),
        wide=True,
        stylesheets=("css/courses.css",),
    )


# How many courses "Your teaching" on a trainer's start page shows.
HOME_TEACHING = 5


def teaching_panel():  # noqa: ANN201
    """Start page, for trainers: the courses they own with their active learners, or how to create one."""
    # Learners own no course: no query for them.
    if not current_user.is_authenticated or not current_user.has_role("trainer"):
        return None
    user = current_user._get_current_object()
    # Admins may edit every course; the start page lists only the ones they own themselves.
    rows = authoring.courses_of(user, owned_only=True)
    # A new trainer sees where to start (the first course is one click away); an admin owning nothing sees nothing.
    if not rows and not user.is_trainer:
        return None
    rows.sort(key=lambda row: (-row[2], row[1].title.lower()))
    return HomePanel(
        title=_("Your teaching"),
        template="courses/_teaching_panel.html",
        context={"rows": rows[:HOME_TEACHING], "more": max(len(rows) - HOME_TEACHING, 0)},
        more_url=url_for("courses.trainer_courses"),
        more_label=_("All the courses you teach"),
    )
