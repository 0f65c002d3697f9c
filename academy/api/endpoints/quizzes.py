"""My quiz results: my standing on each quiz I attempted, and each attempt's result.

Each quiz says its time limit and my time accommodation, if a trainer granted me one; the
deadline of each attempt already counts it.

What is shown follows the quiz's review options exactly as the HTML result page does: an
attempt's score and its scores per learning outcome appear only when the quiz lets learners see
scores now (after the attempt, or after the quiz closes).
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from academy.api.core import api_route, api_user
from academy.api.fields import Text
from academy.api.pagination import Page, page_from_list
from academy.api.schemas import ApiSchema, PageQuery, page_of
from academy.api.spec import describe_tag
from academy.core.actions import commit
from academy.courses.models import Course
from academy.exceptions import NotFound
from academy.extensions import db
from academy.quizzes import access, clock
from academy.quizzes.models import AccommodationKind, Attempt, AttemptState, GradingMethod, Quiz, QuizAccommodation
from academy.quizzes.services import accommodations, results
from academy.quizzes.services import attempts as attempt_services

describe_tag("Quizzes", "Your quiz results: grades, attempts and scores per learning outcome.")

_BOOLEAN = {"truthy": {"true"}, "falsy": {"false"}}


class QuizResultQuery(PageQuery):
    """Filters of my quiz results."""

    course = Text(validate=validate.Length(max=80), metadata={"description": "Only quizzes of this course (slug)."})
    passed = fields.Boolean(
        **_BOOLEAN, metadata={"description": "`true`: quizzes you passed; `false`: those you have not passed yet."}
    )


class QuizRef(ApiSchema):
    """A quiz and the rules that make its grade."""

    id = fields.Integer(required=True)
    key = fields.String(required=True)
    title = fields.String(required=True)
    course = fields.String(required=True, metadata={"description": "The course's slug."})
    required = fields.Boolean(required=True, metadata={"description": "Counts for the course certificate."})
    pass_mark = fields.Integer(required=True, metadata={"description": "In %."})
    max_attempts = fields.Integer(required=True, allow_none=True, metadata={"description": "Null: unlimited."})
    grading_method = fields.Enum(GradingMethod, by_value=True, required=True)
    time_limit_minutes = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The quiz's time limit; null: none."}
    )


class Accommodation(ApiSchema):
    """A time accommodation your trainer granted you on a quiz."""

    kind = fields.Enum(
        AccommodationKind,
        by_value=True,
        required=True,
        metadata={"description": "`percent` or `minutes` of extra time, or `no_limit`."},
    )
    amount = fields.Integer(required=True, metadata={"description": "Per cent or minutes; 0 for `no_limit`."})
    description = fields.String(required=True, metadata={"description": "In words, as the quiz page says it."})


class AttemptSummary(ApiSchema):
    """One attempt; score fields are null while hidden by the quiz's review options or not graded yet."""

    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    state = fields.Enum(AttemptState, by_value=True, required=True)
    started_at = fields.DateTime(required=True)
    deadline = fields.DateTime(required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    graded_at = fields.DateTime(required=True, allow_none=True)
    score_visible = fields.Boolean(required=True, metadata={"description": "The quiz shows scores now."})
    score = fields.Float(required=True, allow_none=True)
    max_score = fields.Float(required=True, allow_none=True)
    percent = fields.Float(required=True, allow_none=True)
    passed = fields.Boolean(required=True, allow_none=True)


class QuizResult(ApiSchema):
    """My standing on one quiz."""

    quiz = fields.Nested(QuizRef, required=True)
    grade = fields.Float(
        required=True, allow_none=True, metadata={"description": "In %, by the grading method; null before grading."}
    )
    passed = fields.Boolean(required=True)
    best = fields.Float(required=True, allow_none=True, metadata={"description": "Best graded attempt in %."})
    attempts_used = fields.Integer(required=True)
    attempts_left = fields.Integer(required=True, allow_none=True, metadata={"description": "Null: unlimited."})
    in_progress = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Id of the attempt still open, if any."}
    )
    waiting = fields.Integer(required=True, metadata={"description": "Attempts waiting for a trainer to grade."})
    attempts = fields.List(fields.Nested(AttemptSummary), required=True)
    accommodation = fields.Nested(
        Accommodation, required=True, allow_none=True, metadata={"description": "Yours on this quiz, if any."}
    )
    my_time_limit_minutes = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Your time limit with your accommodation (what new attempts get); null: none."},
    )


class OutcomeScore(ApiSchema):
    """Points earned on the questions of one learning outcome in an attempt."""

    key = fields.String(required=True)
    code = fields.String(required=True)
    text = fields.String(required=True)
    score = fields.Float(required=True)
    possible = fields.Float(required=True)
    percent = fields.Float(required=True)


class AttemptResult(AttemptSummary):
    """One of my attempts with its quiz and, when scores are shown, the score per learning outcome."""

    quiz = fields.Nested(QuizRef, required=True)
    outcomes = fields.List(fields.Nested(OutcomeScore), required=True)


QuizResultPage = page_of(QuizResult, "QuizResultPage")


def _quiz(quiz: Quiz) -> dict[str, Any]:
    return {
        "id": quiz.id,
        "key": quiz.key,
        "title": quiz.title,
        "course": quiz.course.slug,
        "required": quiz.required,
        "pass_mark": quiz.pass_mark,
        "max_attempts": quiz.max_attempts,
        "grading_method": GradingMethod(quiz.grading_method),
        "time_limit_minutes": quiz.time_limit_minutes,
    }


def _attempt(attempt: Attempt, review: results.Review) -> dict[str, Any]:
    shown = review.score and attempt.state == AttemptState.GRADED
    return {
        "id": attempt.id,
        "number": attempt.number,
        "state": AttemptState(attempt.state),
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "graded_at": attempt.graded_at,
        "score_visible": review.score,
        "score": attempt.score if shown else None,
        "max_score": attempt.max_score if shown else None,
        "percent": attempt.percent if shown else None,
        "passed": attempt.passed if shown else None,
    }


def _standing(standing: results.Standing, now: Any, mine: dict[int, QuizAccommodation]) -> dict[str, Any]:
    review = results.review_options(standing.quiz, now)
    accommodation = mine.get(standing.quiz.id) if standing.quiz.time_limit_minutes else None
    return {
        "quiz": _quiz(standing.quiz),
        "grade": standing.grade,
        "passed": standing.passed,
        "best": standing.best,
        "attempts_used": standing.used,
        "attempts_left": standing.left,
        "in_progress": standing.in_progress.id if standing.in_progress else None,
        "waiting": standing.waiting,
        "attempts": [_attempt(a, review) for a in standing.attempts],
        "accommodation": {
            "kind": AccommodationKind(accommodation.kind),
            "amount": accommodation.amount,
            "description": accommodations.describe(accommodation.kind, accommodation.amount),
        }
        if accommodation
        else None,
        "my_time_limit_minutes": accommodations.time_limit(standing.quiz, accommodation),
    }


def _close_overdue(attempts: list[Attempt], now: Any) -> bool:
    """Submit my attempts whose time is up, as the HTML pages do when they are looked at."""
    closed = False
    for attempt in attempts:
        if attempt_services.is_overdue(attempt, now):
            closed |= attempt_services.close_if_overdue(attempt, now=now)
    if closed:
        commit()  # only then: a commit expires what the answer has loaded
    return closed


@api_route("/quiz-results", query=QuizResultQuery, response=QuizResultPage, scope="read", tags=["Quizzes"])
def list_quiz_results(query: dict[str, Any]) -> Page:
    """My standing on every quiz I have attempted, with my attempts.

    By course, then in the course's order. Filter by `course` slug and by `passed`.
    """
    user = api_user()
    stmt = (
        select(Quiz)
        .join(Course, Course.id == Quiz.course_id)
        .where(Quiz.id.in_(select(Attempt.quiz_id).where(Attempt.user_id == user.id)))
        .options(contains_eager(Quiz.course))
        .order_by(Course.slug, Quiz.position, Quiz.id)
    )
    if query.get("course"):
        stmt = stmt.where(Course.slug == query["course"])
    quizzes = list(db.session.scalars(stmt))
    now = clock.now()
    standings = results.standings(quizzes, user)
    if _close_overdue([a for s in standings.values() for a in s.attempts], now):
        standings = results.standings(quizzes, user)
    items = [standings[q.id] for q in quizzes]
    if "passed" in query:
        items = [s for s in items if s.passed == query["passed"]]
    page = page_from_list(items, limit=query["limit"], offset=query["offset"])
    # My accommodations on the page's timed quizzes, in one query (none when no quiz has a time limit).
    timed = [s.quiz.id for s in page.items if s.quiz.time_limit_minutes]
    mine = (
        {
            a.quiz_id: a
            for a in db.session.scalars(
                select(QuizAccommodation).where(
                    QuizAccommodation.user_id == user.id, QuizAccommodation.quiz_id.in_(timed)
                )
            )
        }
        if timed
        else {}
    )
    page.items = [_standing(s, now, mine) for s in page.items]
    return page


@api_route("/quiz-attempts/<int:attempt_id>", response=AttemptResult, scope="read", tags=["Quizzes"])
def get_quiz_attempt(attempt_id: int) -> dict[str, Any]:
    """One of my attempts: its score and the score per learning outcome, as the quiz's review options allow.

    404 for attempts of other people.
    """
    user = api_user()
    options = [*attempt_services.attempt_options(), joinedload(Attempt.quiz).joinedload(Quiz.course)]
    attempt = db.session.get(Attempt, attempt_id, options=options)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("You have no attempt with this id.")
    now = clock.now()
    if _close_overdue([attempt], now):
        attempt = db.session.get(Attempt, attempt_id, options=options, populate_existing=True)
    quiz = attempt.quiz
    review = results.review_options(quiz, now)
    out = _attempt(attempt, review)
    out["quiz"] = _quiz(quiz)
    out["outcomes"] = []
    if review.score and attempt.state == AttemptState.GRADED:
        scores = results.outcome_scores(attempt)
        for outcome in access.outcomes_for_learners(quiz.course):
            if outcome.key in scores:
                s = scores[outcome.key]
                out["outcomes"].append(
                    {
                        "key": outcome.key,
                        "code": outcome.code,
                        "text": outcome.text,
                        "score": s.score,
                        "possible": s.possible,
                        "percent": s.percent,
                    }
                )
    return out
