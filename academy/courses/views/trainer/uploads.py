"""Lesson images and files: upload from the lesson editor, serve to readers, remove with confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from academy.auth.forms import EmptyForm
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.core.files import Upload, blob_path
from academy.courses import policy
from academy.courses.models import Course
from academy.courses.services import files as course_files
from academy.courses.services import progress
from academy.courses.views.common import bp
from academy.courses.views.trainer.common import editable, form_page
from academy.exceptions import NotFound
from academy.extensions import db
from academy.lesson_markdown import render_lesson


def lesson_markdown(text: str, course: Course) -> Any:
    """A lesson's Markdown as safe HTML, with the course's uploaded images and allow-listed videos."""
    return render_lesson(
        text,
        files=course_files.resolver(course),
        table_label=_("Table (scrolls sideways)"),
        watch_label=_("Watch on %(provider)s", provider="%s"),
    )


bp.add_app_template_filter(lesson_markdown, "lesson_markdown")


def _upload_from(form) -> Upload:  # noqa: ANN001
    storage = request.files.get(form.upload.name)
    if storage is None or not storage.filename:
        return Upload("", b"")
    return Upload(storage.filename, storage.read())


def lesson_page(template: str, context: dict[str, Any], save: Callable[[], Response]) -> Any:
    """The lesson editor's round trip: "Upload and insert" stores a file and adds it to the text typed
    (nothing else is saved, nothing typed is lost); "Preview" renders with the course's files; else save."""
    form, course = context["form"], context["course"]
    context.setdefault("files", course_files.list_files(course))
    if request.method == "POST" and form.insert.data:
        if not EmptyForm().validate_on_submit():
            abort(400)
        form.body.errors = []  # the text is kept as typed, and not checked before it is saved
        with request_action(form) as done:
            stored = course_files.upload_file(
                course, uploader=current_user, upload=_upload_from(form), alt_text=form.upload_alt.data or ""
            )
        if not done:
            return render_template(template, **context), 400
        body = (form.body.data or "").rstrip()
        form.body.data = f"{body}\n\n{course_files.reference(stored)}\n" if body else course_files.reference(stored)
        form.upload_alt.data = ""
        context["files"] = course_files.list_files(course)
        flash(
            _(
                "%(name)s is uploaded and added at the end of the text; save the lesson to keep it.",
                name=stored.filename,
            ),
            "success",
        )
        return render_template(template, **context)
    if request.method == "POST" and form.preview.data and form.validate_on_submit():
        context["preview_html"] = lesson_markdown(form.body.data, course)
        return render_template(template, **context)
    return form_page(template, context, save)


@bp.post("/trainer/courses/<slug>/files/<int:file_id>/delete")
@editable
@confirm_first(
    _l("Remove this file from the course?"),
    _l("Lessons that show it will show only its text alternative. This cannot be undone."),
    _l("Remove the file"),
)
def delete_file(course: Course, file_id: int):  # noqa: ANN201
    """Remove an uploaded file (after confirmation) and go back to the page the button was on."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("courses.manage", slug=course.slug)
    with request_action() as done:
        stored = course_files.delete_file(course, file_id)
    if done:
        flash(_("%(name)s is removed.", name=stored.filename), "success")
    elif done.error is not None and done.error.status == 404:
        abort(404)
    return redirect(back)


@bp.get("/courses/<slug>/files/<int:file_id>/<path:name>")
@login_required
def course_file(slug: str, file_id: int, name: str):  # noqa: ANN201
    """A lesson's image (shown inline) or file (downloaded), for the course's learners and owners."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    if not policy.can_manage_course(current_user, course) and not progress.is_active(
        progress.get_enrolment(current_user, course)
    ):
        abort(403)
    try:
        stored = course_files.get_file(course, file_id)
        path = blob_path(stored.sha256)
    except NotFound:
        abort(404)
    if name != stored.filename:
        return redirect(course_files.file_url(course, stored), 301)
    if not path.is_file():
        abort(404)
    image = course_files.is_image(stored)
    response = send_file(
        path,
        mimetype=course_files.COURSE_FILE_TYPES[stored.file_type],
        as_attachment=not image,
        download_name=stored.filename,
        max_age=0,
        etag=stored.sha256,
    )
    # Images inline, everything else a download; never sniffed, never run as a document.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
