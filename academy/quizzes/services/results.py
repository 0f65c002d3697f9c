"""Results: a learner's standing on a quiz across attempts, review options, scores per outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from academy import formats
from academy.auth.models import User
from academy.extensions import db
from academy.quizzes import grading
from academy.quizzes.models import Attempt, AttemptState, Quiz


@dataclass
class Standing:
    """Where a learner stands on a quiz."""

    quiz: Quiz
    attempts: list[Attempt]
    grade: float | None  # percent by the quiz's grading method, over graded attempts
    passed: bool
    in_progress: Attempt | None
    waiting: int  # attempts submitted but waiting for a trainer to grade essays

    @property
    def used(self) -> int:
        """Attempts started."""
        return len(self.attempts)

    @property
    def left(self) -> int | None:
        """Attempts left, None when unlimited."""
        if self.quiz.max_attempts is None:
            return None
        return max(0, self.quiz.max_attempts - len(self.attempts))

    @property
    def best(self) -> float | None:
        """The best graded percentage."""
        graded = [a.percent for a in self.attempts if a.state == AttemptState.GRADED and a.percent is not None]
        return max(graded) if graded else None


def standing(quiz: Quiz, attempts: list[Attempt]) -> Standing:
    """The standing from a learner's attempts (oldest first)."""
    attempts = sorted(attempts, key=lambda a: a.number)
    graded = [a.percent for a in attempts if a.state == AttemptState.GRADED and a.percent is not None]
    grade = grading.combine_attempts(str(quiz.grading_method), graded)
    return Standing(
        quiz=quiz,
        attempts=attempts,
        grade=grade,
        passed=grade is not None and grade >= quiz.pass_mark,
        in_progress=next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None),
        waiting=sum(1 for a in attempts if a.state == AttemptState.SUBMITTED),
    )


def standings(quizzes: list[Quiz], user: User) -> dict[int, Standing]:
    """Standings of one user on several quizzes, in one query."""
    if not quizzes:
        return {}
    rows = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id.in_([q.id for q in quizzes]))
    ).all()
    by_quiz: dict[int, list[Attempt]] = {q.id: [] for q in quizzes}
    for attempt in rows:
        by_quiz[attempt.quiz_id].append(attempt)
    return {q.id: standing(q, by_quiz[q.id]) for q in quizzes}


@dataclass(frozen=True)
class Review:
    """What the learner may see of a submitted attempt now."""

    score: bool
    answers: bool
    feedback: bool


def review_options(quiz: Quiz, now: datetime) -> Review:
    """The review options in force: "after the attempt" while open, "after close" once closed."""
    if quiz.closes_at is not None and now >= quiz.closes_at:
        return Review(quiz.review_score_closed, quiz.review_answers_closed, quiz.review_feedback_closed)
    return Review(quiz.review_score_after, quiz.review_answers_after, quiz.review_feedback_after)


@dataclass
class OutcomeScore:
    """Points earned and possible on one learning outcome in an attempt."""

    key: str
    score: float
    possible: float

    @property
    def percent(self) -> float:
        """Score as a percentage of the points possible."""
        return round(100 * self.score / self.possible, 1) if self.possible else 0.0


def outcome_scores(attempt: Attempt) -> dict[str, OutcomeScore]:
    """Per outcome key, the graded points of the questions mapped to it (a question counts for each)."""
    out: dict[str, OutcomeScore] = {}
    for response in attempt.responses:
        if response.score is None:
            continue
        for key in response.version.outcome_keys or []:
            entry = out.setdefault(key, OutcomeScore(key, 0.0, 0.0))
            entry.score += response.score
            entry.possible += response.max_points
    return out


def _parts(review: Review) -> str:
    parts = []
    if review.score:
        parts.append(_("your score and which of your answers were right"))
    if review.answers:
        parts.append(_("the right answers"))
    if review.feedback:
        parts.append(_("the feedback on your answers"))
    return _(", ").join(parts)


def review_summary(quiz: Quiz) -> list[str]:
    """What learners see of their attempts, and when, in plain sentences."""
    after = _parts(Review(quiz.review_score_after, quiz.review_answers_after, quiz.review_feedback_after))
    closed = _parts(Review(quiz.review_score_closed, quiz.review_answers_closed, quiz.review_feedback_closed))
    lines = [
        _("Right after each attempt you see %(what)s.", what=after)
        if after
        else _("Right after an attempt you see only that it is submitted.")
    ]
    if quiz.closes_at is not None and closed != after:
        when = formats.datetime(quiz.closes_at)
        lines.append(
            _("Once the quiz closes (%(when)s UTC) you see %(what)s.", when=when, what=closed)
            if closed
            else _("Once the quiz closes (%(when)s UTC) the review is hidden.", when=when)
        )
    return lines
