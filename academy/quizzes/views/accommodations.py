"""Time accommodations on a quiz, for trainers: grant, change or remove them per learner, with their history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.auth.forms import EmptyForm
from academy.auth.models import User
from academy.core.actions import request_action
from academy.exceptions import NotFound
from academy.extensions import db
from academy.quizzes.forms import AccommodationForm
from academy.quizzes.models import Quiz
from academy.quizzes.services import accommodations as services
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.views.common import bp, managed_course_or_abort


def _quiz_or_404(slug: str, quiz_id: int) -> Quiz:
    course = managed_course_or_abort(slug)
    try:
        return quiz_services.get_quiz(course, quiz_id)
    except NotFound:
        abort(404)


def _page(quiz: Quiz, form: AccommodationForm, status: int = 200):
    rows = services.accommodations_of(quiz)
    return (
        render_template(
            "quizzes/teach/accommodations.html",
            course=quiz.course,
            quiz=quiz,
            form=form,
            rows=[(a, services.describe(a.kind, a.amount), services.time_limit(quiz, a)) for a in rows],
            changes=[(c, services.describe(c.kind, c.amount)) for c in services.changes_of(quiz)],
            remove_form=EmptyForm(),
        ),
        status,
    )


def _form(quiz: Quiz) -> AccommodationForm:
    form = AccommodationForm()
    form.learner.choices = [("", "—")] + [(str(u.id), f"{u.name} ({u.email})") for u in services.learners(quiz)]
    return form


@bp.get("/teach/<slug>/quizzes/<int:quiz_id>/accommodations")
@login_required
def accommodations(slug: str, quiz_id: int):  # noqa: ANN201
    """The quiz's accommodations, a form to grant one, and the history of changes."""
    quiz = _quiz_or_404(slug, quiz_id)
    return _page(quiz, _form(quiz))


@bp.post("/teach/<slug>/quizzes/<int:quiz_id>/accommodations")
@login_required
def accommodation_grant(slug: str, quiz_id: int):  # noqa: ANN201
    """Grant or change one learner's accommodation."""
    quiz = _quiz_or_404(slug, quiz_id)
    form = _form(quiz)
    if not form.validate_on_submit():
        return _page(quiz, form, 400)
    learner = db.session.get(User, int(form.learner.data))
    if learner is None:
        abort(404)
    with request_action(form) as done:
        services.grant(quiz, learner, kind=form.kind.data, amount=form.amount.data, by=current_user)
    if not done:
        return _page(quiz, form, 400)
    flash(
        _(
            "%(name)s now has: %(what)s.",
            name=learner.name,
            what=services.describe(form.kind.data, form.amount.data or 0),
        ),
        "success",
    )
    return redirect(url_for(".accommodations", slug=slug, quiz_id=quiz.id))


@bp.post("/teach/<slug>/quizzes/<int:quiz_id>/accommodations/<int:user_id>/remove")
@login_required
def accommodation_remove(slug: str, quiz_id: int, user_id: int):  # noqa: ANN201
    """Remove one learner's accommodation (an attempt in progress keeps its deadline)."""
    quiz = _quiz_or_404(slug, quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    learner = db.session.get(User, user_id)
    if learner is None:
        abort(404)
    with request_action() as done:
        removed = services.remove(quiz, learner, by=current_user)
    if done and removed:
        flash(_("The accommodation of %(name)s is removed.", name=learner.name), "success")
    return redirect(url_for(".accommodations", slug=slug, quiz_id=quiz.id))
