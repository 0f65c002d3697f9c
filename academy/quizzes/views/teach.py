"""Quizzes for trainers: settings, slots, item analysis, essay grading, outcome mastery."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from academy.auth.forms import EmptyForm
from academy.core.actions import request_action
from academy.core.confirm import confirm_first
from academy.core.timezones import to_local, to_utc, user_zone
from academy.courses.models import Course, Module
from academy.exceptions import NotFound
from academy.extensions import db
from academy.quizzes import access, analysis, clock, qtypes
from academy.quizzes.completion import mastery_table
from academy.quizzes.forms import GradeForm, QuizForm, SlotForm
from academy.quizzes.models import Attempt, AttemptState, Quiz, Response, SlotKind
from academy.quizzes.rendering import render
from academy.quizzes.services import attempts as attempt_services
from academy.quizzes.services import bank
from academy.quizzes.services import marking as queue
from academy.quizzes.services import quizzes as services
from academy.quizzes.views.common import bp, managed_course_or_abort

REVIEW_FIELDS = (
    "review_score_after",
    "review_answers_after",
    "review_feedback_after",
    "review_score_closed",
    "review_answers_closed",
    "review_feedback_closed",
)


def _quiz_or_404(course: Course, quiz_id: int) -> Quiz:
    try:
        return services.get_quiz(course, quiz_id)
    except NotFound:
        abort(404)


def _module_choices(course: Course) -> list[tuple[str, str]]:
    version = access.authoring_version(course)
    modules = (
        db.session.scalars(select(Module).where(Module.version_id == version.id).order_by(Module.position))
        if version
        else []
    )
    return [("", _("Whole course")), *((m.key, m.title) for m in modules)]


@bp.get("/teach/<slug>/quizzes")
@login_required
def teach_quizzes(slug: str):  # noqa: ANN201
    """Quizzes of the course with their state, attempts and essays waiting."""
    course = managed_course_or_abort(slug)
    quizzes = services.course_quizzes(course)
    questions = bank.list_questions(course)
    attempts = db.session.execute(
        select(Attempt.quiz_id, Attempt.state).join(Quiz, Quiz.id == Attempt.quiz_id).where(Quiz.course_id == course.id)
    ).all()
    counts: dict[int, dict[str, int]] = {q.id: {"all": 0, "waiting": 0} for q in quizzes}
    for quiz_id, state in attempts:
        counts[quiz_id]["all"] += 1
        if state == AttemptState.SUBMITTED:
            counts[quiz_id]["waiting"] += 1
    return render_template(
        "quizzes/teach/quizzes.html",
        course=course,
        quizzes=quizzes,
        counts=counts,
        ready={q.id: all(s.ok for s in services.slot_status(q, questions)) and bool(q.slots) for q in quizzes},
        question_total=len(questions),
    )


def _settings(form: QuizForm) -> dict:
    tz = user_zone(current_user)

    def utc(value):  # noqa: ANN001
        return to_utc(value, tz)  # typed in the trainer's time zone, stored in UTC

    values = {
        "title": form.title.data.strip(),
        "description": (form.description.data or "").strip(),
        "module_key": form.module_key.data or None,
        "published": bool(form.published.data),
        "required": bool(form.required.data),
        "pass_mark": form.pass_mark.data,
        "max_attempts": form.max_attempts.data,
        "grading_method": form.grading_method.data,
        "time_limit_minutes": form.time_limit_minutes.data,
        "per_page": form.per_page.data,
        "shuffle_questions": bool(form.shuffle_questions.data),
        "shuffle_answers": bool(form.shuffle_answers.data),
        "opens_at": utc(form.opens_at.data),
        "closes_at": utc(form.closes_at.data),
    }
    values.update({name: bool(getattr(form, name).data) for name in REVIEW_FIELDS})
    return values


def _quiz_form_page(course: Course, form: QuizForm, quiz: Quiz | None, status: int = 200):
    zone_name = user_zone(current_user).key.replace("_", " ")
    for name in ("opens_at", "closes_at"):
        getattr(form, name).description = _("In your time zone, %(zone)s (change it on your profile).", zone=zone_name)
    return render_template("quizzes/teach/quiz_form.html", course=course, form=form, quiz=quiz), status


@bp.route("/teach/<slug>/quizzes/new", methods=["GET", "POST"])
@login_required
def quiz_new(slug: str):  # noqa: ANN201
    """Create a quiz."""
    course = managed_course_or_abort(slug)
    form = QuizForm()
    form.module_key.choices = _module_choices(course)
    if request.method == "GET":
        return _quiz_form_page(course, form, None)
    if not form.validate_on_submit():
        return _quiz_form_page(course, form, None, 400)
    with request_action(form, on_form=True) as done:
        quiz = services.create_quiz(course, **_settings(form))
    if not done:
        return _quiz_form_page(course, form, None, 400)
    flash(_("The quiz is created. Now add its questions."), "success")
    return redirect(url_for(".quiz_slots", slug=slug, quiz_id=quiz.id))


@bp.route("/teach/<slug>/quizzes/<int:quiz_id>/edit", methods=["GET", "POST"])
@login_required
def quiz_edit(slug: str, quiz_id: int):  # noqa: ANN201
    """Change a quiz's settings."""
    course = managed_course_or_abort(slug)
    quiz = _quiz_or_404(course, quiz_id)
    form = QuizForm(obj=quiz) if request.method == "GET" else QuizForm()
    form.module_key.choices = _module_choices(course)
    if request.method == "GET":
        form.module_key.data = quiz.module_key or ""
        form.grading_method.data = str(quiz.grading_method)
        tz = user_zone(current_user)
        form.opens_at.data = to_local(quiz.opens_at, tz)
        form.closes_at.data = to_local(quiz.closes_at, tz)
        return _quiz_form_page(course, form, quiz)
    if not form.validate_on_submit():
        return _quiz_form_page(course, form, quiz, 400)
    with request_action(form, on_form=True) as done:
        services.update_quiz(quiz, **_settings(form))
    if not done:
        return _quiz_form_page(course, form, quiz, 400)
    flash(_("The quiz settings are saved."), "success")
    return redirect(url_for(".teach_quizzes", slug=slug))


@bp.post("/teach/<slug>/quizzes/<int:quiz_id>/delete")
@login_required
@confirm_first(
    _l("Delete this quiz?"),
    _l("The quiz and its slots are deleted. This cannot be undone."),
    _l("Delete the quiz"),
    guard=lambda slug, quiz_id: _quiz_or_404(managed_course_or_abort(slug), quiz_id),
)
def quiz_delete(slug: str, quiz_id: int):  # noqa: ANN201
    """Delete a quiz nobody has attempted."""
    course = managed_course_or_abort(slug)
    quiz = _quiz_or_404(course, quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        services.delete_quiz(quiz)
    if done:
        flash(_("The quiz is deleted."), "success")
    return redirect(url_for(".teach_quizzes", slug=slug))


def _slot_form(course: Course, questions: list) -> SlotForm:
    form = SlotForm()
    form.question_id.choices = [("", "—")] + [(str(q.id), q.current_version.title) for q in questions]
    form.outcome_key.choices = [("", "—")] + [
        (o.key, f"{o.code} — {o.text}") for o in access.outcomes_for_authoring(course)
    ]
    form.category.choices = [("", "—")] + [(c, c) for c in bank.categories(course)]
    return form


@bp.route("/teach/<slug>/quizzes/<int:quiz_id>/slots", methods=["GET", "POST"])
@login_required
def quiz_slots(slug: str, quiz_id: int):  # noqa: ANN201
    """The quiz's slots, whether the bank can fill them, and a form to add one."""
    course = managed_course_or_abort(slug)
    quiz = _quiz_or_404(course, quiz_id)
    questions = bank.list_questions(course)
    form = _slot_form(course, questions)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with request_action(form, on_form=True) as done:
                question = None
                if form.kind.data == SlotKind.QUESTION and form.question_id.data:
                    question = bank.get_question(course, int(form.question_id.data))
                slot = services.add_slot(
                    quiz,
                    form.kind.data,
                    question=question,
                    outcome_key=form.outcome_key.data or None,
                    category=form.category.data or None,
                    count=form.count.data,
                )
            if not done:
                status = 400
            else:
                _flash_added(quiz, slot, bank.list_questions(course))
                return redirect(url_for(".quiz_slots", slug=slug, quiz_id=quiz.id))
        else:
            status = 400
    outcomes = access.outcomes_for_authoring(course)
    return (
        render_template(
            "quizzes/teach/slots.html",
            course=course,
            quiz=quiz,
            statuses=services.slot_status(quiz, questions),
            codes={o.key: f"{o.code} — {o.text}" for o in outcomes},
            form=form,
            button=EmptyForm(),
        ),
        status,
    )


def _flash_added(quiz: Quiz, slot: object, questions: list) -> None:
    """Say the slot is added, or warn right away when the bank cannot fill it."""
    status = next((st for st in services.slot_status(quiz, questions) if st.slot is slot), None)
    if status is None or status.ok:
        flash(_("The slot is added."), "success")
        return
    flash(
        _(
            "The slot is added, but it asks for %(wanted)d questions and the bank holds only %(available)d that fit: "
            "learners cannot start this quiz until you add questions or lower the number.",
            wanted=status.wanted,
            available=status.available,
        ),
        "error",
    )


@bp.post("/teach/<slug>/quizzes/<int:quiz_id>/slots/<int:slot_id>")
@login_required
@confirm_first(
    _l("Remove this slot from the quiz?"),
    _l("Learners who start the quiz from now on no longer get its questions; the questions stay in the bank."),
    _l("Remove the slot"),
    when=lambda: request.form.get("action") == "remove",
    guard=lambda slug, quiz_id, slot_id: _quiz_or_404(managed_course_or_abort(slug), quiz_id),
)
def quiz_slot_change(slug: str, quiz_id: int, slot_id: int):  # noqa: ANN201
    """Move a slot up or down, or remove it."""
    course = managed_course_or_abort(slug)
    quiz = _quiz_or_404(course, quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    action = request.form.get("action")
    if action not in ("remove", "up", "down"):
        abort(400)
    with request_action(abort_on=(404,)):
        if action == "remove":
            services.remove_slot(quiz, slot_id)
        else:
            services.move_slot(quiz, slot_id, -1 if action == "up" else 1)
    return redirect(url_for(".quiz_slots", slug=slug, quiz_id=quiz.id))


@bp.get("/teach/<slug>/quizzes/<int:quiz_id>/analysis")
@login_required
def quiz_analysis(slug: str, quiz_id: int):  # noqa: ANN201
    """Attempts, score distribution, facility and discrimination per question, Cronbach's alpha."""
    course = managed_course_or_abort(slug)
    quiz = _quiz_or_404(course, quiz_id)
    stats = analysis.analyse(quiz)
    description = "; ".join(_("%(band)s: %(count)d attempts", band=label, count=count) for label, count in stats.bins)
    return render_template(
        "quizzes/teach/analysis.html",
        course=course,
        quiz=quiz,
        stats=stats,
        svg=analysis.histogram_svg(
            stats.bins, title=_("Distribution of scores in %(quiz)s", quiz=quiz.title), description=description
        ),
        labels=qtypes.TYPE_LABELS,
        thresholds=(analysis.FACILITY_LOW, analysis.FACILITY_HIGH, analysis.DISCRIMINATION_LOW),
    )


@bp.get("/teach/<slug>/quizzes/<int:quiz_id>/analysis.csv")
@login_required
def quiz_analysis_csv(slug: str, quiz_id: int):  # noqa: ANN201
    """The item analysis as CSV."""
    course = managed_course_or_abort(slug)
    quiz = _quiz_or_404(course, quiz_id)
    body = analysis.stats_csv(quiz, analysis.analyse(quiz))
    return HttpResponse(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}-{quiz.key}-analysis.csv"'},
    )


@bp.get("/teach/<slug>/grading")
@login_required
def grading_queue(slug: str):  # noqa: ANN201
    """Essays waiting for a grade, oldest submission first."""
    course = managed_course_or_abort(slug)
    waiting = queue.waiting_responses(course)
    return render_template(
        "quizzes/teach/grading.html",
        course=course,
        waiting=waiting,
        render=render,
        form=GradeForm(),
    )


@bp.post("/teach/<slug>/grading/<int:response_id>")
@login_required
def grade_response(slug: str, response_id: int):  # noqa: ANN201
    """Save a trainer's grade for one essay."""
    course = managed_course_or_abort(slug)
    response = db.session.get(Response, response_id)
    if response is None or response.attempt.quiz.course_id != course.id:
        abort(404)
    form = GradeForm()
    if not form.validate_on_submit():
        return _grading_again(course, form, response.id)
    with request_action(form, fields={None: "points"}) as done:  # every refusal is shown beside the points
        attempt_services.grade_manually(
            response, points=form.points.data, comment=form.comment.data or "", grader=current_user, now=clock.now()
        )
    if not done:
        return _grading_again(course, form, response.id)
    flash(_("The grade is saved."), "success")
    return redirect(url_for(".grading_queue", slug=slug))


def _grading_again(course: Course, form: GradeForm, response_id: int) -> tuple[str, int]:
    """The grading queue again with this essay's form as the trainer filled it, and its errors (400)."""
    waiting = queue.waiting_responses(course)
    return (
        render_template(
            "quizzes/teach/grading.html", course=course, waiting=waiting, render=render, form=form, failed=response_id
        ),
        400,
    )


@bp.get("/teach/<slug>/mastery")
@login_required
def mastery(slug: str):  # noqa: ANN201
    """The Analytics tab: item analysis per quiz, and each learner's mastery of each outcome."""
    course = managed_course_or_abort(slug)
    outcomes, rows = mastery_table(course)
    quizzes = services.course_quizzes(course)
    return render_template("quizzes/teach/mastery.html", course=course, outcomes=outcomes, rows=rows, quizzes=quizzes)
