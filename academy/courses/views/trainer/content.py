"""Trainer pages for a course's parts on the draft: learning outcomes, modules, lessons, and their order."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from academy.auth.forms import EmptyForm
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.courses.forms import LessonForm, ModuleForm, MoveForm, OutcomeForm
from academy.courses.models import Course
from academy.courses.services import content, versioning
from academy.courses.views.common import bp
from academy.courses.views.trainer.common import action, done, editable, form_page, found, manage_url
from academy.courses.views.trainer.uploads import lesson_page

OUTCOME_TEMPLATE = "courses/trainer/outcome_form.html"
MODULE_TEMPLATE = "courses/trainer/module_form.html"
LESSON_TEMPLATE = "courses/trainer/lesson_form.html"


def _delete(course: Course, remover: Callable[[Course, str], object], key: str, message: str, anchor: str):
    def do() -> str:
        remover(course, key)
        return message

    return action(course, do, anchor)


# --- moving items ------------------------------------------------------------------------------


def _move(course: Course, mover: Callable, key: str, anchor: str):
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    with request_action() as outcome:
        mover(course, key, form.direction.data)
    if outcome:
        flash(_("Order saved."), "success")
    return redirect(manage_url(course, anchor))


@bp.post("/trainer/courses/<slug>/outcomes/<key>/move")
@editable
def move_outcome(course: Course, key: str):  # noqa: ANN201
    """Move an outcome up or down."""
    return _move(course, content.move_outcome, key, "outcomes")


@bp.post("/trainer/courses/<slug>/modules/<key>/move")
@editable
def move_module(course: Course, key: str):  # noqa: ANN201
    """Move a module up or down."""
    return _move(course, content.move_module, key, "modules")


@bp.post("/trainer/courses/<slug>/lessons/<key>/move")
@editable
def move_lesson(course: Course, key: str):  # noqa: ANN201
    """Move a lesson up or down within its module."""
    return _move(course, content.move_lesson, key, "modules")


# --- outcomes ----------------------------------------------------------------------------------


@bp.route("/trainer/courses/<slug>/outcomes/new", methods=["GET", "POST"])
@editable
def new_outcome(course: Course):  # noqa: ANN201
    """Add a learning outcome."""
    form = OutcomeForm()
    if request.method == "GET":
        form.code.data = f"LO{len(versioning.working_version(course).outcomes) + 1}"

    def save() -> Response:
        content.add_outcome(course, code=form.code.data, text=form.text.data, threshold=form.threshold.data)
        return done(course, _("Learning outcome added."), "outcomes")

    return form_page(OUTCOME_TEMPLATE, {"form": form, "course": course, "outcome": None}, save)


@bp.route("/trainer/courses/<slug>/outcomes/<key>/edit", methods=["GET", "POST"])
@editable
def edit_outcome(course: Course, key: str):  # noqa: ANN201
    """Edit a learning outcome."""
    outcome = found(content.find_outcome, versioning.working_version(course), key)
    form = OutcomeForm(obj=outcome)

    def save() -> Response:
        content.update_outcome(course, key, code=form.code.data, text=form.text.data, threshold=form.threshold.data)
        return done(course, _("Learning outcome saved."), "outcomes")

    context = {"form": form, "course": course, "outcome": outcome, "delete_form": EmptyForm()}
    return form_page(OUTCOME_TEMPLATE, context, save)


@bp.post("/trainer/courses/<slug>/outcomes/<key>/delete")
@editable
@confirm_first(
    _l("Remove this learning outcome?"),
    _l("It leaves the draft, and lessons and questions no longer count for it."),
    _l("Remove the outcome"),
)
def delete_outcome(course: Course, key: str):  # noqa: ANN201
    """Remove a learning outcome from the draft."""
    return _delete(course, content.delete_outcome, key, _("Learning outcome removed."), "outcomes")


# --- modules -----------------------------------------------------------------------------------


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


def _module_values(form: ModuleForm) -> dict:
    return {"title": form.title.data, "summary": form.summary.data or "", "prerequisites": form.prerequisites.data}


@bp.route("/trainer/courses/<slug>/modules/new", methods=["GET", "POST"])
@editable
def new_module(course: Course):  # noqa: ANN201
    """Add a module at the end."""
    form = _module_form(course, None)

    def save() -> Response:
        module = content.add_module(course, **_module_values(form))
        return done(course, _("Module added. Now add its lessons."), f"module-{module.key}")

    return form_page(MODULE_TEMPLATE, {"form": form, "course": course, "module": None}, save)


@bp.route("/trainer/courses/<slug>/modules/<key>/edit", methods=["GET", "POST"])
@editable
def edit_module(course: Course, key: str):  # noqa: ANN201
    """Edit a module."""
    module = found(content.find_module, versioning.working_version(course), key)
    form = _module_form(course, key, obj=module)

    def save() -> Response:
        content.update_module(course, key, **_module_values(form))
        return done(course, _("Module saved."), f"module-{key}")

    context = {"form": form, "course": course, "module": module, "delete_form": EmptyForm()}
    return form_page(MODULE_TEMPLATE, context, save)


@bp.post("/trainer/courses/<slug>/modules/<key>/delete")
@editable
@confirm_first(
    _l("Remove this module and its lessons?"),
    _l("The module and every lesson in it leave the draft. Published versions keep them until you publish."),
    _l("Remove the module"),
)
def delete_module(course: Course, key: str):  # noqa: ANN201
    """Remove a module and its lessons from the draft."""
    return _delete(course, content.delete_module, key, _("Module removed."), "modules")


# --- lessons -----------------------------------------------------------------------------------


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
    module = found(content.find_module, versioning.working_version(course), module_key)
    form = _lesson_form(course)
    if request.method == "GET":
        form.module.data = module.key

    def save() -> Response:
        lesson = content.add_lesson(course, form.module.data, **_lesson_values(form))
        return done(course, _("Lesson “%(title)s” added.", title=lesson.title), f"module-{form.module.data}")

    context = {"form": form, "course": course, "lesson": None, "module": module, "preview_html": None}
    return lesson_page(LESSON_TEMPLATE, context, save)


@bp.route("/trainer/courses/<slug>/lessons/<key>/edit", methods=["GET", "POST"])
@editable
def edit_lesson(course: Course, key: str):  # noqa: ANN201
    """Edit a lesson; "Preview" shows the rendered text without saving."""
    lesson = found(content.find_lesson, versioning.working_version(course), key)
    form = _lesson_form(course, obj=lesson)

    def save() -> Response:
        content.update_lesson(course, key, module_key=form.module.data, **_lesson_values(form))
        return done(course, _("Lesson saved."), f"module-{form.module.data}")

    context = {
        "form": form,
        "course": course,
        "lesson": lesson,
        "module": lesson.module,
        "preview_html": None,
        "delete_form": EmptyForm(),
    }
    return lesson_page(LESSON_TEMPLATE, context, save)


@bp.post("/trainer/courses/<slug>/lessons/<key>/delete")
@editable
@confirm_first(
    _l("Delete this lesson?"),
    _l("The lesson leaves the draft. Published versions keep it until you publish."),
    _l("Delete the lesson"),
)
def delete_lesson(course: Course, key: str):  # noqa: ANN201
    """Remove a lesson from the draft."""
    return _delete(course, content.delete_lesson, key, _("Lesson removed."), "modules")
