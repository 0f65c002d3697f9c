"""The owner takes a quiz in preview mode: nothing is recorded, analytics never see it."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required

from academy.auth.forms import EmptyForm
from academy.quizzes import preview, readiness
from academy.quizzes.models import Quiz
from academy.quizzes.services import bank
from academy.quizzes.services.results import Review
from academy.quizzes.views.common import bp, managed_course_or_abort
from academy.quizzes.views.present import for_answering, for_review
from academy.quizzes.views.teach import _quiz_or_404


@bp.route("/teach/<slug>/quizzes/<int:quiz_id>/preview", methods=["GET", "POST"])
@login_required
def quiz_preview(slug: str, quiz_id: int):  # noqa: ANN201
    """GET: the questions a learner could draw; POST: the same questions graded, with every feedback."""
    course = managed_course_or_abort(slug)
    quiz: Quiz = _quiz_or_404(course, quiz_id)
    form = EmptyForm()
    questions = bank.list_questions(course)
    problems = readiness.quiz_problems(quiz, questions)
    if problems:
        return render_template(
            "quizzes/teach/preview.html", course=course, quiz=quiz, problems=problems, questions=[], result=None
        )
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        seed = request.form.get("seed", type=int)
        if seed is None or not 0 <= seed < preview.MAX_SEED:
            abort(400)
        responses = preview.build(quiz, seed, questions)
        result = preview.grade(responses, request.form.getlist)
        everything = Review(score=True, answers=True, feedback=True)
        return render_template(
            "quizzes/teach/preview.html",
            course=course,
            quiz=quiz,
            seed=seed,
            result=result,
            questions=[for_review(r, everything) for r in responses],
            form=form,
        )
    seed = preview.new_seed()
    responses = preview.build(quiz, seed, questions)
    return render_template(
        "quizzes/teach/preview.html",
        course=course,
        quiz=quiz,
        seed=seed,
        result=None,
        questions=[for_answering(r) for r in responses],
        form=form,
    )
