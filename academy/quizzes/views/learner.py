"""Taking a quiz: start page, answering page by page, submission with confirmation, result."""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from academy.auth.forms import EmptyForm
from academy.core import private_cache, public_cache
from academy.core.actions import commit, request_action
from academy.courses import hooks
from academy.courses.models import Course, Enrolment, EnrolmentStatus
from academy.exceptions import Conflict
from academy.extensions import db
from academy.inputs import page_arg
from academy.quizzes import access, clock, snapshots
from academy.quizzes.completion import learner_standings, outcome_report, published_quizzes
from academy.quizzes.models import Attempt, AttemptState, Quiz, QuizAccommodation, Response
from academy.quizzes.rendering import render
from academy.quizzes.services import accommodations, results
from academy.quizzes.services import attempts as services
from academy.quizzes.services.attempts import DeadlinePassed
from academy.quizzes.views.common import bp
from academy.quizzes.views.present import for_answering, for_review


def _quiz_for_learner(slug: str, quiz_id: int) -> tuple[Quiz, object]:
    quiz, enrolment, _attempt = _load(slug, quiz_id)
    return quiz, enrolment


@functools.cache
def _load_statement(with_attempt: bool) -> Select:
    # Built once: every exam step runs it, and building a statement costs more than running it.
    mine = and_(
        Enrolment.course_id == Course.id,
        Enrolment.user_id == bindparam("user_id"),
        Enrolment.status == EnrolmentStatus.ACTIVE,
    )
    query = (
        select(Quiz, Course, Enrolment)
        .join(Course, Course.id == Quiz.course_id)
        .outerjoin(Enrolment, mine)
        .where(Course.slug == bindparam("slug"), Quiz.id == bindparam("quiz_id"), Quiz.published.is_(True))
    )
    if not with_attempt:
        # The learner's time accommodation comes along: the start page and starting an attempt need it.
        accommodated = and_(QuizAccommodation.quiz_id == Quiz.id, QuizAccommodation.user_id == bindparam("user_id"))
        query = query.add_columns(QuizAccommodation).outerjoin(QuizAccommodation, accommodated)
    else:
        mine_too = and_(
            Attempt.id == bindparam("attempt_id"), Attempt.quiz_id == Quiz.id, Attempt.user_id == bindparam("user_id")
        )
        query = query.add_columns(Attempt).outerjoin(Attempt, mine_too)
    return query


@functools.cache
def _responses_statement(with_versions: bool) -> Select:
    query = select(Response).where(Response.attempt_id == bindparam("attempt_id")).order_by(Response.position)
    return query.options(joinedload(Response.version)) if with_versions else query


def _load(slug: str, quiz_id: int, attempt_id: int | None = None) -> tuple[Quiz, Enrolment, Attempt | None]:
    """The published quiz, my active enrolment in its course (and my attempt), in one query: 404 or 403 else."""
    # Every exam step starts here: one statement instead of one per row (course, quiz, enrolment, attempt).
    params = {"slug": slug, "quiz_id": quiz_id, "user_id": current_user.id, "attempt_id": attempt_id}
    row = db.session.execute(_load_statement(attempt_id is not None), params).first()
    if row is None:
        abort(404)
    quiz, course, enrolment = row[0], row[1], row[2]
    set_committed_value(quiz, "course", course)  # `quiz.course` is then no second query
    if enrolment is None:
        abort(403)
    access.remember_enrolment(current_user, course, enrolment)  # the services ask again
    if attempt_id is None:
        accommodations.remember_accommodation(quiz, current_user, row[3])
    attempt = row[3] if attempt_id is not None else None
    if attempt_id is not None and attempt is None:
        abort(404)
    return quiz, enrolment, attempt


def _attempt_or_404(quiz: Quiz, attempt_id: int) -> Attempt:
    attempt = services.get_attempt(quiz, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _close_if_overdue(attempt: Attempt) -> bool:
    if services.close_if_overdue(attempt, now=clock.now()):
        commit()  # only then: a commit expires what the page has loaded
        flash(_("Time was up: your attempt was submitted with the answers you had saved."), "warning")
        return True
    return False


def _next_change(quiz, attempts, now: datetime) -> datetime | None:  # noqa: ANN001
    """When the start page changes by itself: the quiz opens or closes, or an attempt's time runs out."""
    # With a time limit the page shows the deadline a new attempt would get: it moves on each minute.
    moments = [m for m in (quiz.opens_at, quiz.closes_at, *(a.deadline for a in attempts)) if m and m > now]
    if quiz.time_limit_minutes:
        moments.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
    return min(moments, default=None)


@bp.get("/courses/<slug>/quiz/<int:quiz_id>")
@login_required
@private_cache.cacheable()
def quiz(slug: str, quiz_id: int):  # noqa: ANN201
    """The start page: what the quiz asks, the deadline an attempt would have, past attempts."""
    quiz, _enrolment = _quiz_for_learner(slug, quiz_id)
    now = clock.now()
    attempts = services.attempts_of(quiz, current_user)
    closed_any = False
    for attempt in attempts:
        closed_any |= services.close_if_overdue(attempt, now=now)
    if closed_any:
        commit()
        attempts = services.attempts_of(quiz, current_user)
    current = results.standing(quiz, attempts)
    public_cache.valid_until(_next_change(quiz, attempts, now))
    # A trainer's time accommodation for me (extra time or no limit), shown and used for the deadline.
    accommodation = accommodations.accommodation_for(quiz, current_user) if quiz.time_limit_minutes else None
    return render_template(
        "quizzes/quiz.html",
        course=quiz.course,
        quiz=quiz,
        standing=current,
        blocked=None if current.in_progress else services.availability(quiz, current, now),
        deadline=accommodations.planned_deadline(quiz, now, accommodation),
        accommodation=accommodations.describe(accommodation.kind, accommodation.amount) if accommodation else None,
        my_limit=accommodations.time_limit(quiz, accommodation),
        question_count=snapshots.plan(quiz).question_count,  # kept per process: no slot rows read
        description_html=render(quiz.description, "markdown"),
        review=results.review_options(quiz, now),
        review_summary=results.review_summary(quiz),
        form=EmptyForm(),
    )


@bp.post("/courses/<slug>/quiz/<int:quiz_id>/start")
@login_required
def start(slug: str, quiz_id: int):  # noqa: ANN201
    """Start an attempt (or continue the one in progress)."""
    quiz, _enrolment = _quiz_for_learner(slug, quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with request_action() as done:
        attempt = services.start_attempt(quiz, current_user)
        attempt_id = attempt.id  # read before the commit expires it: the redirect then costs no reload
    if not done:
        return redirect(url_for(".quiz", slug=slug, quiz_id=quiz_id))
    return redirect(url_for(".attempt", slug=slug, quiz_id=quiz_id, attempt_id=attempt_id))


def _pages(quiz: Quiz, attempt: Attempt) -> int:
    return max(1, math.ceil(len(attempt.responses) / max(1, quiz.per_page)))


def _page_responses(quiz: Quiz, attempt: Attempt, page: int) -> list:
    start = (page - 1) * quiz.per_page
    return attempt.responses[start : start + quiz.per_page]


@bp.route("/courses/<slug>/quiz/<int:quiz_id>/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(slug: str, quiz_id: int, attempt_id: int):  # noqa: ANN201
    """One page of questions; POST saves its answers, then moves as the pressed button says."""
    quiz, _enrolment, attempt = _load(slug, quiz_id, attempt_id)
    # Saving reads the versions as plain data (services/attempts.py); the page renders the ORM's.
    statement = _responses_statement(with_versions=request.method != "POST")
    responses = db.session.scalars(statement, {"attempt_id": attempt.id}).all()
    set_committed_value(attempt, "responses", list(responses))
    result_url = url_for(".result", slug=slug, quiz_id=quiz.id, attempt_id=attempt.id)
    if request.method == "GET" and _close_if_overdue(attempt):
        return redirect(result_url)
    if attempt.state != AttemptState.IN_PROGRESS:
        return redirect(result_url)
    pages = _pages(quiz, attempt)
    page = min(page_arg(), pages)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        responses = _page_responses(quiz, attempt, page)
        # Every version of the attempt, not just this page's: one read serves the later pages and the submission.
        versions = snapshots.versions(r.question_version_id for r in attempt.responses)
        answers = {
            r.position: services.answer_from_form(r, request.form.getlist, versions[r.question_version_id])
            for r in responses
        }
        try:
            services.save_answers(attempt, answers, now=clock.now())
        except DeadlinePassed as err:
            db.session.rollback()
            attempt = _attempt_or_404(quiz, attempt_id)
            services.close_if_overdue(attempt, now=clock.now())
            db.session.commit()
            flash(err.message + " " + _("Your attempt was submitted with the answers saved before."), "warning")
            return redirect(result_url)
        except Conflict as err:
            db.session.rollback()
            flash(err.message, "warning")
            return redirect(result_url)
        db.session.commit()
        go = request.form.get("go", "save")
        if go == "finish":
            return redirect(url_for(".confirm_submit", slug=slug, quiz_id=quiz_id, attempt_id=attempt_id))
        target = page
        if go == "next":
            target = page + 1
        elif go == "prev":
            target = page - 1
        elif go.startswith("page-") and go[5:].isdigit():
            target = int(go[5:])
        else:
            flash(_("Your answers are saved."), "success")
        target = min(max(target, 1), pages)
        # The route's own ids: the committed (expired) objects would be read again for them.
        return redirect(url_for(".attempt", slug=slug, quiz_id=quiz_id, attempt_id=attempt_id, page=target))
    per_page = max(1, quiz.per_page)
    return render_template(
        "quizzes/attempt.html",
        course=quiz.course,
        quiz=quiz,
        attempt=attempt,
        page=page,
        pages=pages,
        questions=[for_answering(r) for r in _page_responses(quiz, attempt, page)],
        nav=[(r.position, r.answered, (r.position - 1) // per_page + 1) for r in attempt.responses],
        form=form,
    )


@bp.get("/courses/<slug>/quiz/<int:quiz_id>/attempts/<int:attempt_id>/submit")
@login_required
def confirm_submit(slug: str, quiz_id: int, attempt_id: int):  # noqa: ANN201
    """Ask for confirmation, listing unanswered questions."""
    quiz, _enrolment = _quiz_for_learner(slug, quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    result_url = url_for(".result", slug=slug, quiz_id=quiz.id, attempt_id=attempt.id)
    if _close_if_overdue(attempt) or attempt.state != AttemptState.IN_PROGRESS:
        return redirect(result_url)
    per_page = max(1, quiz.per_page)
    return render_template(
        "quizzes/confirm_submit.html",
        course=quiz.course,
        quiz=quiz,
        attempt=attempt,
        nav=[(r.position, r.answered, (r.position - 1) // per_page + 1) for r in attempt.responses],
        unanswered=[r.position for r in attempt.responses if not r.answered],
        form=EmptyForm(),
    )


@bp.post("/courses/<slug>/quiz/<int:quiz_id>/attempts/<int:attempt_id>/submit")
@login_required
def submit(slug: str, quiz_id: int, attempt_id: int):  # noqa: ANN201
    """Submit and grade the attempt; a second submission changes nothing."""
    _quiz, enrolment, attempt = _load(slug, quiz_id, attempt_id)  # submitting reads the answers itself
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = clock.now()
    with request_action():
        if services.is_overdue(attempt, now):
            services.close_if_overdue(attempt, now=now)
            flash(_("Time was up: your attempt was submitted with the answers you had saved."), "warning")
        elif services.submit_attempt(attempt, now=now, enrolment_id=enrolment.id):
            flash(_("Your attempt is submitted."), "success")
    return redirect(url_for(".result", slug=slug, quiz_id=quiz_id, attempt_id=attempt_id))


@bp.get("/courses/<slug>/quiz/<int:quiz_id>/attempts/<int:attempt_id>/result")
@login_required
def result(slug: str, quiz_id: int, attempt_id: int):  # noqa: ANN201
    """The result: score, score per learning outcome and the review the quiz allows."""
    quiz, enrolment = _quiz_for_learner(slug, quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    if _close_if_overdue(attempt):
        attempt = _attempt_or_404(quiz, attempt_id)
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect(url_for(".attempt", slug=slug, quiz_id=quiz.id, attempt_id=attempt.id))
    now = clock.now()
    review = results.review_options(quiz, now)
    outcomes = access.outcomes_for_learners(quiz.course)
    scores = results.outcome_scores(attempt)
    current = results.standing(quiz, services.attempts_of(quiz, current_user))
    return render_template(
        "quizzes/result.html",
        course=quiz.course,
        quiz=quiz,
        attempt=attempt,
        review=review,
        questions=[for_review(r, review) for r in attempt.responses],
        outcome_rows=[(o, scores[o.key]) for o in outcomes if o.key in scores],
        standing=current,
        can_retry=services.availability(quiz, current, now) is None,
        mastery=outcome_report(enrolment),
        notices=hooks.completion_notices(enrolment) if attempt.state == AttemptState.GRADED else [],
        form=EmptyForm(),
    )


@bp.app_template_global("quizzes_course_panel")
def course_panel(course) -> dict | None:  # noqa: ANN001
    """Data for quizzes/_course_panel.html: the course's quizzes with my standing, and my mastery."""
    if not current_user.is_authenticated:
        return None
    # Remembered for the request: the certificate requirements on the same page ask again.
    quizzes = published_quizzes(course)
    enrolment = access.enrolment_for(current_user, course)
    if enrolment is None:
        return {"quizzes": quizzes, "standings": {}, "mastery": [], "enrolled": False}
    return {
        "quizzes": quizzes,
        "standings": learner_standings(course, current_user),
        "mastery": outcome_report(enrolment),
        "enrolled": True,
    }
