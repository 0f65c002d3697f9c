"""Trainer pages for a course as a whole: list, create, details, publish, archive, owners, previews."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from academy.auth import throttle
from academy.auth.forms import EmptyForm
from academy.core import private_cache
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.courses import hooks
from academy.courses import jobs as course_jobs
from academy.courses.forms import CourseForm, MoveForm, OwnerForm
from academy.courses.models import Course, CourseStatus, VersionStatus
from academy.courses.services import authoring, owner_invitations, progress, versioning
from academy.courses.views.common import bp
from academy.courses.views.trainer.common import (
    action,
    done,
    editable,
    form_page,
    manage_url,
)
from academy.courses.views.trainer.uploads import lesson_markdown
from academy.exceptions import NotFound, PermissionDenied, ServiceError
from academy.extensions import db
from academy.jobs import enqueue_after_commit
from academy.markdown import render as render_markdown
from academy.security import trainer_required

COURSE_TEMPLATE = "courses/trainer/course_form.html"
SETTINGS = "courses.settings"


@bp.get("/trainer/courses")
@trainer_required
def trainer_courses():  # noqa: ANN201
    """Courses the trainer owns (every course for admins)."""
    rows = authoring.courses_of(current_user._get_current_object())
    return render_template("courses/trainer/index.html", rows=rows)


@bp.route("/trainer/courses/new", methods=["GET", "POST"])
@trainer_required
def new_course():  # noqa: ANN201
    """Create a course; it starts as a draft of version 1."""
    form = CourseForm()

    def save() -> Response:
        slug = form.slug.data or authoring.slugify(form.title.data)
        course = authoring.create_course(slug=slug, owner=current_user._get_current_object(), **form.values())
        return done(course, _("Course created as a draft. Add outcomes, modules and lessons, then publish it."))

    return form_page(COURSE_TEMPLATE, {"form": form, "course": None}, save)


@bp.get("/trainer/courses/<slug>")
# Outside `editable`: a stored page was rendered for a trainer who passed its checks, and ownership
# and roles live in rows the key follows. The tabs count other people's work (essays to grade).
@private_cache.cacheable(others=True)
@editable
def manage(course: Course):  # noqa: ANN201
    """The workspace's Content tab: status, outcomes, modules and lessons."""
    version = versioning.working_version(course)
    return render_template(
        "courses/trainer/manage.html",
        course=course,
        version=version,
        outline=progress.build_outline(version),
        is_draft=version.status == VersionStatus.DRAFT,
        problems=versioning.publish_problems(version) if version.status == VersionStatus.DRAFT else [],
        move_form=MoveForm(),
        form=EmptyForm(),
    )


@bp.get("/trainer/courses/<slug>/settings")
@editable
def settings(course: Course):  # noqa: ANN201
    """The workspace's Settings tab: publish, discard, archive, details, owners, versions."""
    return _render_settings(course)


def _render_settings(course: Course, owner_form: OwnerForm | None = None, status: int = 200):
    version = versioning.working_version(course)
    return (
        render_template(
            "courses/trainer/settings.html",
            course=course,
            version=version,
            is_draft=version.status == VersionStatus.DRAFT,
            problems=versioning.publish_problems(version) if version.status == VersionStatus.DRAFT else [],
            warnings=versioning.publish_warnings(version) if version.status == VersionStatus.DRAFT else [],
            owner_form=owner_form or OwnerForm(),
            form=EmptyForm(),
        ),
        status,
    )


@bp.route("/trainer/courses/<slug>/edit", methods=["GET", "POST"])
@editable
def edit_course(course: Course):  # noqa: ANN201
    """Edit the course's details (on the draft)."""
    version = versioning.working_version(course)
    form = CourseForm(obj=version)
    del form.slug
    if version.language not in dict(form.language.choices):
        # A package may use a language the menu does not list; keep it choosable.
        form.language.choices = [*form.language.choices, (version.language, version.language)]
    if request.method == "GET":
        form.level.data = version.level.value

    def save() -> Response:
        authoring.update_course(course, **form.values())
        return done(course, _("Course details saved."), endpoint=SETTINGS)

    return form_page(COURSE_TEMPLATE, {"form": form, "course": course}, save)


@bp.post("/trainer/courses/<slug>/publish")
@editable
def publish(course: Course):  # noqa: ANN201
    """Publish the draft as the version learners see."""

    confirmed = request.form.get("confirm_warnings") == "yes"

    def do() -> str:
        version = versioning.publish(course, warnings_confirmed=confirmed)
        return _("Version %(number)d is published.", number=version.number)

    return action(course, do, endpoint=SETTINGS)


@bp.post("/trainer/courses/<slug>/discard")
@editable
@confirm_first(
    _l("Discard the draft?"),
    _l("Every change since the last published version is lost. This cannot be undone."),
    _l("Discard the draft"),
)
def discard_draft(course: Course):  # noqa: ANN201
    """Throw away the unpublished changes."""

    def do() -> str:
        versioning.discard_draft(course)
        return _("The draft was discarded.")

    return action(course, do, endpoint=SETTINGS)


@bp.post("/trainer/courses/<slug>/archive")
@editable
@confirm_first(
    _l("Archive or restore the course?"),
    _l("An archived course leaves the catalogue: nobody new can enrol; enrolled learners keep access."),
    _l("Yes, go ahead"),
)
def archive(course: Course):  # noqa: ANN201
    """Take the course out of the catalogue, or bring it back."""

    def do() -> str:
        restore = course.status == CourseStatus.ARCHIVED
        authoring.set_archived(course, not restore)
        return _("The course is back in the catalogue.") if restore else _("The course is archived.")

    return action(course, do, endpoint=SETTINGS)


@bp.post("/trainer/courses/<slug>/owners")
@editable
def add_owner(course: Course):  # noqa: ANN201
    """Invite a co-owner by e-mail; the answer never says whether the address has a (trainer) account."""
    form = OwnerForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_settings(course, owner_form=form, status=400)
    with request_action(form, on_form=True) as outcome:
        invitation = owner_invitations.invite(course, form.email.data, actor=current_user)
        if invitation is not None and throttle.allow_mail_to(form.email.data):
            enqueue_after_commit(
                course_jobs.send_owner_invitation, invitation.course_id, invitation.user_id, invitation.inviter_id
            )
    if not outcome:
        return _render_settings(course, owner_form=form, status=400)
    message = _(
        "If a trainer account uses %(email)s, we have e-mailed an invitation; "
        "they become a co-owner when they accept it.",
        email=form.email.data,
    )
    return done(course, message, "owners", endpoint=SETTINGS)


@bp.route("/trainer/courses/<slug>/ownership/<token>", methods=["GET", "POST"])
@trainer_required
def accept_ownership(slug: str, token: str):  # noqa: ANN201
    """Accept an e-mailed invitation to co-own a course (GET only shows it: mail scanners open links)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    user = current_user._get_current_object()
    if course is None:
        abort(404)
    try:
        owner_invitations.invitation_for(token, user=user, course=course)
    except ServiceError:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        with request_action(abort_on=(404,)):  # the service's only refusal
            owner_invitations.accept(token, user=user, course=course)
        return done(course, _("You now co-own this course."), "owners", endpoint=SETTINGS)
    title = versioning.working_version(course).title
    return render_template("courses/trainer/owner_invitation.html", course=course, title=title, form=form)


@bp.post("/trainer/courses/<slug>/owners/<int:user_id>/remove")
@editable
@confirm_first(
    _l("Remove this co-owner?"),
    _l("They can no longer edit the course, its quizzes or its certificates."),
    _l("Remove the co-owner"),
)
def remove_owner(course: Course, user_id: int):  # noqa: ANN201
    """Remove a co-owner."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as outcome:
        user = authoring.remove_owner(course, user_id)
    if not outcome:
        return redirect(manage_url(course, "owners", endpoint=SETTINGS))
    if user.id == current_user.id and not current_user.has_role("admin"):
        flash(_("You no longer own this course."), "success")
        return redirect(url_for(".trainer_courses"))
    return done(course, _("%(name)s no longer owns this course.", name=user.name), "owners", endpoint=SETTINGS)


# --- previews --------------------------------------------------------------------------------


@bp.get("/trainer/courses/<slug>/preview")
@editable
def preview_course(course: Course):  # noqa: ANN201
    """The course page as learners will see the working version."""
    version = versioning.working_version(course)
    outline = progress.build_outline(version)
    return render_template(
        "courses/course.html",
        course=course,
        version=version,
        outline=outline,
        enrolment=None,
        enrolled=False,
        continue_at=None,
        extras=hooks.course_page_extras(version, None),
        can_edit=True,
        archived=course.status == CourseStatus.ARCHIVED,
        form=EmptyForm(),
        preview=True,
    )


@bp.get("/trainer/courses/<slug>/preview/lessons/<key>")
@editable
def preview_lesson(course: Course, key: str):  # noqa: ANN201
    """A lesson of the working version as learners will see it."""
    version = versioning.working_version(course)
    outline = progress.build_outline(version)
    state = outline.find(key)
    if state is None:
        abort(404)
    return render_template(
        "courses/lesson.html",
        course=course,
        version=version,
        outline=outline,
        state=state,
        previous=outline.previous(state),
        next=outline.next(state),
        enrolled=False,
        form=EmptyForm(),
        preview=True,
    )


@bp.post("/trainer/markdown-preview")
@trainer_required
def markdown_preview():  # noqa: ANN201
    """Sanitised HTML for the editor's live preview (progressive enhancement; CSRF-checked)."""
    text = request.form.get("body", "")
    if len(text) > 100000:
        abort(413)
    html = render_markdown(text)
    slug = request.form.get("course")
    if slug:
        # A lesson's preview shows the course's uploaded images, for a course the trainer edits.
        try:
            course = authoring.course_for_editing(slug, current_user._get_current_object())
        except (NotFound, PermissionDenied):
            abort(404)
        html = lesson_markdown(text, course)
    return str(html), 200, {"Content-Type": "text/html; charset=utf-8"}
