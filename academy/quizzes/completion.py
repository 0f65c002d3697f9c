"""Outcome mastery and quiz requirements: what the course page and certificates ask of quizzes.

Mastery rule (documented for learners and trainers):
  Evidence is every graded answer in the learner's submitted attempts at the course's quizzes
  (essays count once a trainer has graded them). For each question, only the learner's best
  result counts (the share of its points earned, on any attempt). A learner's mastery of an
  outcome is the points-weighted mean of those best results over the questions tagged with the
  outcome: sum(best fraction x points) / sum(points), as a percentage. An outcome without
  evidence has no mastery yet (it is absent from the dict). The outcome is mastered when the
  percentage reaches its threshold.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import joinedload

from academy import request_memo
from academy.auth.models import User
from academy.courses.models import Course, Enrolment, EnrolmentStatus, LearningOutcome
from academy.extensions import db
from academy.quizzes import access
from academy.quizzes.models import Attempt, AttemptState, QuestionVersion, Quiz, Response
from academy.quizzes.services import quizzes as quiz_services
from academy.quizzes.services import results


def _evidence(course: Course, user_ids: list[int] | None) -> dict[int, list[tuple[int, float, float, list[str]]]]:
    """Per user: (question id, fraction, points, outcome keys) of every graded answer."""
    query = (
        select(
            Attempt.user_id,
            Response.question_id,
            Response.fraction,
            Response.max_points,
            # As text, decoded once per distinct value below: a course's thousands of answers share
            # a few hundred question versions, and decoding JSON per row dominated the gradebook.
            cast(QuestionVersion.outcome_keys, Text),
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .where(
            Quiz.course_id == course.id,
            Attempt.state != AttemptState.IN_PROGRESS,
            Response.fraction.is_not(None),
        )
        .order_by(Attempt.id, Response.position)
    )
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    out: dict[int, list[tuple[int, float, float, list[str]]]] = defaultdict(list)
    decoded: dict[str | None, list[str]] = {None: []}
    for user_id, question_id, fraction, points, raw in db.session.execute(query):
        keys = decoded.get(raw)
        if keys is None:
            keys = decoded[raw] = list(json.loads(raw) or [])
        out[user_id].append((question_id, fraction, points, keys))
    return out


def mastery_from_evidence(evidence: list[tuple[int, float, float, list[str]]]) -> dict[str, float]:
    """Apply the mastery rule to one learner's evidence; percentages rounded to one decimal."""
    best: dict[int, tuple[float, float, list[str]]] = {}
    for question_id, fraction, points, keys in evidence:
        # Later evidence wins ties, so a re-tagged question counts under its newest outcomes.
        if question_id not in best or fraction >= best[question_id][0]:
            best[question_id] = (fraction, points, keys)
    earned: dict[str, float] = defaultdict(float)
    possible: dict[str, float] = defaultdict(float)
    for fraction, points, keys in best.values():
        for key in keys:
            earned[key] += fraction * points
            possible[key] += points
    return {key: round(100 * earned[key] / possible[key], 1) for key in possible if possible[key] > 0}


def mastery_by_course(user_id: int, course_ids: list[int]) -> dict[int, dict[str, float]]:
    """Mastery in percent per outcome key, per course, for one learner in several courses (one query)."""
    if not course_ids:
        return {}
    query = (
        select(
            Quiz.course_id, Response.question_id, Response.fraction, Response.max_points, QuestionVersion.outcome_keys
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .where(
            Attempt.user_id == user_id,
            Quiz.course_id.in_(course_ids),
            Attempt.state != AttemptState.IN_PROGRESS,
            Response.fraction.is_not(None),
        )
        .order_by(Attempt.id, Response.position)
    )
    evidence: dict[int, list[tuple[int, float, float, list[str]]]] = defaultdict(list)
    for course_id, question_id, fraction, points, keys in db.session.execute(query):
        evidence[course_id].append((question_id, fraction, points, list(keys or [])))
    return {course_id: mastery_from_evidence(evidence.get(course_id, [])) for course_id in course_ids}


# A page asks for the same learner's mastery several times (the quizzes panel, the certificate
# requirements, the outcome report): compute it once per request, and forget it on any write.
forget_mastery = request_memo.forget


def mastery_for(enrolment: Enrolment) -> dict[str, float]:
    """Mastery in percent per outcome key with evidence, for one enrolment (see the module's rule)."""

    def compute() -> dict[str, float]:
        evidence = _evidence(enrolment.course, [enrolment.user_id])
        return mastery_from_evidence(evidence.get(enrolment.user_id, []))

    # A copy each time: callers may change what they get.
    return dict(request_memo.remember("quizzes.mastery", (enrolment.course_id, enrolment.user_id), compute))


def published_quizzes(course: Course) -> list[Quiz]:
    """The course's published quizzes in order, slots loaded (once per request)."""
    return list(
        request_memo.remember(
            "quizzes.published", course.id, lambda: quiz_services.course_quizzes(course, published_only=True)
        )
    )


def learner_standings(course: Course, user: User) -> dict[int, results.Standing]:
    """A learner's standing on each published quiz of the course, by quiz id (once per request)."""
    return dict(
        request_memo.remember(
            "quizzes.standings", (course.id, user.id), lambda: results.standings(published_quizzes(course), user)
        )
    )


def has_published_quiz(course: Course) -> bool:
    """True when a published quiz assesses the course's outcomes."""
    if request_memo.active():
        return bool(published_quizzes(course))
    found = db.session.scalar(select(Quiz.id).where(Quiz.course_id == course.id, Quiz.published.is_(True)).limit(1))
    return found is not None


@dataclass
class OutcomeMastery:
    """One outcome of the published version with the learner's mastery of it."""

    outcome: LearningOutcome
    percent: float | None

    @property
    def mastered(self) -> bool:
        """True when the percentage reaches the outcome's threshold."""
        return self.percent is not None and self.percent >= self.outcome.threshold


def outcome_report(enrolment: Enrolment) -> list[OutcomeMastery]:
    """Every outcome learners see, with this learner's mastery (None without evidence)."""
    mastery = mastery_for(enrolment)
    return [OutcomeMastery(o, mastery.get(o.key)) for o in access.outcomes_for_learners(enrolment.course)]


def quiz_requirements_met(enrolment: Enrolment) -> bool:
    """True when the learner has passed every published required quiz of the course."""
    if request_memo.active():
        # The course page's quizzes panel has loaded these already.
        quizzes = [q for q in published_quizzes(enrolment.course) if q.required]
        standings = learner_standings(enrolment.course, enrolment.user) if quizzes else {}
    else:
        quizzes = list(
            db.session.scalars(
                select(Quiz).where(
                    Quiz.course_id == enrolment.course_id, Quiz.published.is_(True), Quiz.required.is_(True)
                )
            )
        )
        standings = results.standings(quizzes, enrolment.user) if quizzes else {}
    if not quizzes:
        return True
    return all(standings[q.id].passed for q in quizzes)


@dataclass
class MasteryRow:
    """One learner's line of the trainers' learners x outcomes table."""

    user: User
    enrolment: Enrolment
    mastery: dict[str, float]


def mastery_table(course: Course) -> tuple[list[LearningOutcome], list[MasteryRow]]:
    """Outcomes and, per active learner (by name), their mastery; three queries whatever the size."""
    outcomes = access.outcomes_for_learners(course)
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            .options(joinedload(Enrolment.user))
        )
    )
    evidence = _evidence(course, None)
    rows = [MasteryRow(e.user, e, mastery_from_evidence(evidence.get(e.user_id, []))) for e in enrolments]
    rows.sort(key=lambda r: (r.user.name.casefold(), r.user.id))
    return outcomes, rows
