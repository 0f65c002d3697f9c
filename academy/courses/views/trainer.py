"""Trainer pages: create and edit courses, outcomes, modules and lessons; order; publish; co-owners.

Every route under /trainer/courses/<slug> answers 404 for an unknown course and 403 to anyone who
is not an owner (a trainer) or an admin. Content changes go to the draft of the next version.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.auth.forms import EmptyForm
from academy.courses.forms import CourseForm, LessonForm, ModuleForm, MoveForm, OutcomeForm, OwnerForm
from academy.courses.models import Course, CourseStatus, VersionStatus
from academy.courses.services import authoring, progress, versioning
from academy.courses.views import bp
from academy.exceptions import NotFound, PermissionDenied, ServiceError
from academy.extensions import db
from academy.markdown import render as render_markdown
from academy.security import trainer_required


def editable(view: Callable) -> Callable:
    """Load the course named by `slug` for a trainer who may edit it (404 / 403 otherwise)."""

    @wraps(view)
    @trainer_required
    def wrapped(slug: str, **kwargs):  # noqa: ANN003
        try:
            course = authoring.course_for_editing(slug, current_user._get_current_object())
        except NotFound:
            abort(404)
        except PermissionDenied:
            abort(403)
        return view(course, **kwargs)

    return wrapped


def _manage_url(course: Course, anchor: str | None = None) -> str:
    return url_for(".manage", slug=course.slug, _anchor=anchor)


def _apply_error(form, err: ServiceError) -> None:  # noqa: ANN001
    """Show a service's refusal on the field it names, or at the top of the form."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


def _invalid(template: str, status: int = 400, **context):  # noqa: ANN003
    db.session.rollback()
    return render_template(template, **context), status


def _done(course: Course, message: str, anchor: str | None = None):
    db.session.commit()
    flash(message, "success")
    return redirect(_manage_url(course, anchor))


def _refused(course: Course, err: ServiceError, anchor: str | None = None):
    db.session.rollback()
    flash(err.message, "error")
    return redirect(_manage_url(course, anchor))


# --- course list and course ----------------------------------------------------------------


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
    if request.method == "GET":
        return render_template("courses/trainer/course_form.html", form=form, course=None)
    if not form.validate_on_submit():
        return _invalid("courses/trainer/course_form.html", form=form, course=None)
    try:
        course = authoring.create_course(slug=form.slug.data, owner=current_user._get_current_object(), **form.values())
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid("courses/trainer/course_form.html", form=form, course=None)
    db.session.commit()
    flash(_("Course created as a draft. Add outcomes, modules and lessons, then publish it."), "success")
    return redirect(_manage_url(course))


@bp.get("/trainer/courses/<slug>")
@editable
def manage(course: Course):  # noqa: ANN201
    """The course's editing hub: status, outcomes, modules and lessons, owners, versions."""
    return _render_manage(course)


def _render_manage(course: Course, owner_form: OwnerForm | None = None, status: int = 200):
    version = versioning.working_version(course)
    return (
        render_template(
            "courses/trainer/manage.html",
            course=course,
            version=version,
            outline=progress.build_outline(version),
            is_draft=version.status == VersionStatus.DRAFT,
            problems=versioning.publish_problems(version) if version.status == VersionStatus.DRAFT else [],
            owner_form=owner_form or OwnerForm(),
            move_form=MoveForm(),
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
        return render_template("courses/trainer/course_form.html", form=form, course=course)
    if not form.validate_on_submit():
        return _invalid("courses/trainer/course_form.html", form=form, course=course)
    try:
        authoring.update_course(course, **form.values())
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid("courses/trainer/course_form.html", form=form, course=course)
    return _done(course, _("Course details saved."))


@bp.post("/trainer/courses/<slug>/publish")
@editable
def publish(course: Course):  # noqa: ANN201
    """Publish the draft as the version learners see."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        version = versioning.publish(course)
    except ServiceError as err:
        return _refused(course, err)
    return _done(course, _("Version %(number)d is published.", number=version.number))


@bp.post("/trainer/courses/<slug>/discard")
@editable
def discard_draft(course: Course):  # noqa: ANN201
    """Throw away the unpublished changes."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        versioning.discard_draft(course)
    except ServiceError as err:
        return _refused(course, err)
    return _done(course, _("The draft was discarded."))


@bp.post("/trainer/courses/<slug>/archive")
@editable
def archive(course: Course):  # noqa: ANN201
    """Take the course out of the catalogue, or bring it back."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    restore = course.status == CourseStatus.ARCHIVED
    try:
        authoring.set_archived(course, not restore)
    except ServiceError as err:
        return _refused(course, err)
    return _done(course, _("The course is back in the catalogue.") if restore else _("The course is archived."))


@bp.post("/trainer/courses/<slug>/owners")
@editable
def add_owner(course: Course):  # noqa: ANN201
    """Add a co-owner by e-mail address."""
    form = OwnerForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_manage(course, owner_form=form, status=400)
    try:
        user = authoring.add_owner(course, form.email.data)
    except ServiceError as err:
        db.session.rollback()
        _apply_error(form, err)
        return _render_manage(course, owner_form=form, status=400)
    return _done(course, _("%(name)s is now a co-owner.", name=user.name), "owners")


@bp.post("/trainer/courses/<slug>/owners/<int:user_id>/remove")
@editable
def remove_owner(course: Course, user_id: int):  # noqa: ANN201
    """Remove a co-owner."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        user = authoring.remove_owner(course, user_id)
    except ServiceError as err:
        return _refused(course, err, "owners")
    if user.id == current_user.id and not current_user.has_role("admin"):
        db.session.commit()
        flash(_("You no longer own this course."), "success")
        return redirect(url_for(".trainer_courses"))
    return _done(course, _("%(name)s no longer owns this course.", name=user.name), "owners")


# --- previews --------------------------------------------------------------------------------


@bp.get("/trainer/courses/<slug>/preview")
@editable
def preview_course(course: Course):  # noqa: ANN201
    """The course page as learners will see the working version."""
    from academy.courses import hooks

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
    return str(render_markdown(text)), 200, {"Content-Type": "text/html; charset=utf-8"}


# --- moving items ------------------------------------------------------------------------------


def _move(course: Course, mover: Callable, key: str, anchor: str):
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mover(course, key, form.direction.data)
    except ServiceError as err:
        return _refused(course, err, anchor)
    return _done(course, _("Order saved."), anchor)


@bp.post("/trainer/courses/<slug>/outcomes/<key>/move")
@editable
def move_outcome(course: Course, key: str):  # noqa: ANN201
    """Move an outcome up or down."""
    return _move(course, authoring.move_outcome, key, "outcomes")


@bp.post("/trainer/courses/<slug>/modules/<key>/move")
@editable
def move_module(course: Course, key: str):  # noqa: ANN201
    """Move a module up or down."""
    return _move(course, authoring.move_module, key, "modules")


@bp.post("/trainer/courses/<slug>/lessons/<key>/move")
@editable
def move_lesson(course: Course, key: str):  # noqa: ANN201
    """Move a lesson up or down within its module."""
    return _move(course, authoring.move_lesson, key, "modules")


# --- outcomes ----------------------------------------------------------------------------------

OUTCOME_TEMPLATE = "courses/trainer/outcome_form.html"


@bp.route("/trainer/courses/<slug>/outcomes/new", methods=["GET", "POST"])
@editable
def new_outcome(course: Course):  # noqa: ANN201
    """Add a learning outcome."""
    version = versioning.working_version(course)
    form = OutcomeForm()
    if request.method == "GET":
        form.code.data = f"LO{len(version.outcomes) + 1}"
        return render_template(OUTCOME_TEMPLATE, form=form, course=course, outcome=None)
    if not form.validate_on_submit():
        return _invalid(OUTCOME_TEMPLATE, form=form, course=course, outcome=None)
    try:
        authoring.add_outcome(course, code=form.code.data, text=form.text.data, threshold=form.threshold.data)
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid(OUTCOME_TEMPLATE, form=form, course=course, outcome=None)
    return _done(course, _("Learning outcome added."), "outcomes")


@bp.route("/trainer/courses/<slug>/outcomes/<key>/edit", methods=["GET", "POST"])
@editable
def edit_outcome(course: Course, key: str):  # noqa: ANN201
    """Edit a learning outcome."""
    version = versioning.working_version(course)
    try:
        outcome = authoring.find_outcome(version, key)
    except NotFound:
        abort(404)
    form = OutcomeForm(obj=outcome)
    context = {"form": form, "course": course, "outcome": outcome, "delete_form": EmptyForm()}
    if request.method == "GET":
        return render_template(OUTCOME_TEMPLATE, **context)
    if not form.validate_on_submit():
        return _invalid(OUTCOME_TEMPLATE, **context)
    try:
        authoring.update_outcome(course, key, code=form.code.data, text=form.text.data, threshold=form.threshold.data)
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid(OUTCOME_TEMPLATE, **context)
    return _done(course, _("Learning outcome saved."), "outcomes")


@bp.post("/trainer/courses/<slug>/outcomes/<key>/delete")
@editable
def delete_outcome(course: Course, key: str):  # noqa: ANN201
    """Remove a learning outcome from the draft."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        authoring.delete_outcome(course, key)
    except NotFound:
        abort(404)
    return _done(course, _("Learning outcome removed."), "outcomes")


# --- modules -----------------------------------------------------------------------------------

MODULE_TEMPLATE = "courses/trainer/module_form.html"


def _module_form(course: Course, module_key: str | None, obj=None) -> ModuleForm:  # noqa: ANN001
    version = versioning.working_version(course)
    form = ModuleForm(obj=obj)
    earlier = []
    for module in version.modules:
        if module.key == module_key:
            break
        earlier.append(module)
    form.prerequisites.choices = [(m.key, m.title) for m in earlier]
    if request.method == "GET" and obj is not None:
        form.prerequisites.data = [m.key for m in obj.prerequisites]
    return form


@bp.route("/trainer/courses/<slug>/modules/new", methods=["GET", "POST"])
@editable
def new_module(course: Course):  # noqa: ANN201
    """Add a module at the end."""
    form = _module_form(course, None)
    context = {"form": form, "course": course, "module": None}
    if request.method == "GET":
        return render_template(MODULE_TEMPLATE, **context)
    if not form.validate_on_submit():
        return _invalid(MODULE_TEMPLATE, **context)
    try:
        module = authoring.add_module(
            course, title=form.title.data, summary=form.summary.data or "", prerequisites=form.prerequisites.data
        )
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid(MODULE_TEMPLATE, **context)
    return _done(course, _("Module added. Now add its lessons."), f"module-{module.key}")


@bp.route("/trainer/courses/<slug>/modules/<key>/edit", methods=["GET", "POST"])
@editable
def edit_module(course: Course, key: str):  # noqa: ANN201
    """Edit a module."""
    try:
        module = authoring.find_module(versioning.working_version(course), key)
    except NotFound:
        abort(404)
    form = _module_form(course, key, obj=module)
    context = {"form": form, "course": course, "module": module, "delete_form": EmptyForm()}
    if request.method == "GET":
        return render_template(MODULE_TEMPLATE, **context)
    if not form.validate_on_submit():
        return _invalid(MODULE_TEMPLATE, **context)
    try:
        authoring.update_module(
            course, key, title=form.title.data, summary=form.summary.data or "", prerequisites=form.prerequisites.data
        )
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid(MODULE_TEMPLATE, **context)
    return _done(course, _("Module saved."), f"module-{key}")


@bp.post("/trainer/courses/<slug>/modules/<key>/delete")
@editable
def delete_module(course: Course, key: str):  # noqa: ANN201
    """Remove a module and its lessons from the draft."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        authoring.delete_module(course, key)
    except NotFound:
        abort(404)
    return _done(course, _("Module removed."), "modules")


# --- lessons -----------------------------------------------------------------------------------

LESSON_TEMPLATE = "courses/trainer/lesson_form.html"


def _lesson_form(course: Course, obj=None) -> LessonForm:  # noqa: ANN001
    version = versioning.working_version(course)
    form = LessonForm(obj=obj)
    form.module.choices = [(m.key, m.title) for m in version.modules]
    form.outcomes.choices = [(o.key, f"{o.code} — {o.text}") for o in version.outcomes]
    if request.method == "GET" and obj is not None:
        form.outcomes.data = [o.key for o in obj.outcomes]
        form.module.data = obj.module.key
    return form


def _lesson_values(form: LessonForm) -> dict:
    return {
        "title": form.title.data,
        "body": form.body.data.replace("\r\n", "\n"),
        "minutes": form.minutes.data,
        "required": bool(form.required.data),
        "outcomes": form.outcomes.data or [],
    }


@bp.route("/trainer/courses/<slug>/modules/<module_key>/lessons/new", methods=["GET", "POST"])
@editable
def new_lesson(course: Course, module_key: str):  # noqa: ANN201
    """Write a new lesson at the end of a module; "Preview" shows the rendered text without saving."""
    try:
        module = authoring.find_module(versioning.working_version(course), module_key)
    except NotFound:
        abort(404)
    form = _lesson_form(course)
    if request.method == "GET":
        form.module.data = module.key
    context = {"form": form, "course": course, "lesson": None, "module": module, "preview_html": None}
    if request.method == "GET":
        return render_template(LESSON_TEMPLATE, **context)
    if not form.validate_on_submit():
        return _invalid(LESSON_TEMPLATE, **context)
    if form.preview.data:
        context["preview_html"] = render_markdown(form.body.data)
        return render_template(LESSON_TEMPLATE, **context)
    try:
        lesson = authoring.add_lesson(course, form.module.data, **_lesson_values(form))
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid(LESSON_TEMPLATE, **context)
    return _done(course, _("Lesson “%(title)s” added.", title=lesson.title), f"module-{form.module.data}")


@bp.route("/trainer/courses/<slug>/lessons/<key>/edit", methods=["GET", "POST"])
@editable
def edit_lesson(course: Course, key: str):  # noqa: ANN201
    """Edit a lesson; "Preview" shows the rendered text without saving."""
    try:
        lesson = authoring.find_lesson(versioning.working_version(course), key)
    except NotFound:
        abort(404)
    form = _lesson_form(course, obj=lesson)
    context = {
        "form": form,
        "course": course,
        "lesson": lesson,
        "module": lesson.module,
        "preview_html": None,
        "delete_form": EmptyForm(),
    }
    if request.method == "GET":
        return render_template(LESSON_TEMPLATE, **context)
    if not form.validate_on_submit():
        return _invalid(LESSON_TEMPLATE, **context)
    if form.preview.data:
        context["preview_html"] = render_markdown(form.body.data)
        return render_template(LESSON_TEMPLATE, **context)
    try:
        authoring.update_lesson(course, key, module_key=form.module.data, **_lesson_values(form))
    except ServiceError as err:
        _apply_error(form, err)
        return _invalid(LESSON_TEMPLATE, **context)
    return _done(course, _("Lesson saved."), f"module-{form.module.data}")


@bp.post("/trainer/courses/<slug>/lessons/<key>/delete")
@editable
def delete_lesson(course: Course, key: str):  # noqa: ANN201
    """Remove a lesson from the draft."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        authoring.delete_lesson(course, key)
    except NotFound:
        abort(404)
    return _done(course, _("Lesson removed."), "modules")
