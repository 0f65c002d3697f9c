"""What every trainer page shares: loading an editable course, the form round trip, the redirect back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from academy.auth.forms import EmptyForm
from academy.core.actions import commit, request_action
from academy.courses.models import Course
from academy.courses.services import authoring
from academy.exceptions import NotFound, PermissionDenied
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


def found(finder: Callable[..., Any], *args: Any) -> Any:
    """finder(*args), or a 404 page when it raises NotFound."""
    try:
        return finder(*args)
    except NotFound:
        abort(404)


def manage_url(course: Course, anchor: str | None = None, *, endpoint: str = "courses.manage") -> str:
    """The course's editing hub (or another workspace page, e.g. courses.settings), at an anchor."""
    return url_for(endpoint, slug=course.slug, _anchor=anchor)


def invalid(template: str, status: int = 400, **context: Any) -> tuple[str, int]:
    """Roll back and show the form again with its errors."""
    db.session.rollback()
    return render_template(template, **context), status


def done(course: Course, message: str, anchor: str | None = None, *, endpoint: str = "courses.manage") -> Response:
    """Commit (through core.actions), say so, and go back to the course's editing hub (or the workspace page named)."""
    commit()
    flash(message, "success")
    return redirect(manage_url(course, anchor, endpoint=endpoint))


def form_page(template: str, context: dict[str, Any], save: Callable[[], Response]) -> Any:
    """GET shows the form; POST validates, previews Markdown if asked, else saves (errors shown on the form)."""
    form = context["form"]
    if request.method == "GET":
        return render_template(template, **context)
    if not form.validate_on_submit():
        return invalid(template, **context)
    preview = getattr(form, "preview", None)
    if preview is not None and preview.data:
        context["preview_html"] = render_markdown(form.body.data)
        return render_template(template, **context)
    with request_action(form, on_form=True) as outcome:
        response = save()
    return response if outcome else invalid(template, **context)


def action(
    course: Course, do: Callable[[], str], anchor: str | None = None, *, endpoint: str = "courses.manage"
) -> Response:
    """A one-button POST: check the CSRF token, run `do` (which returns the message), report back."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action(abort_on=(404,)) as outcome:  # a refusal is flashed on the page we go back to
        message = do()
    if outcome:
        flash(message, "success")
    return redirect(manage_url(course, anchor, endpoint=endpoint))
