"""Learning-outcome mastery across a programme's courses, for the learner's programme page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from academy.auth.models import User
from academy.courses.models import Course, LearningOutcome
from academy.extensions import db
from academy.programmes.models import (
    Programme,
)
from academy.quizzes.completion import mastery_from_evidence
from academy.quizzes.models import Attempt, AttemptState, QuestionVersion, Quiz, Response


def _course_mastery(user_id: int, course_ids: list[int]) -> dict[tuple[int, str], tuple[float | None, bool]]:
    """(course id, outcome key) -> (mastery %, mastered) from quiz evidence: two queries for any number of courses.

    The quizzes' documented rule (best result per question, points-weighted) applied per course.
    """
    thresholds = {
        (course_id, key): threshold
        for course_id, key, threshold in db.session.execute(
            select(Course.id, LearningOutcome.key, LearningOutcome.threshold)
            .join(LearningOutcome, LearningOutcome.version_id == Course.published_version_id)
            .where(Course.id.in_(course_ids))
        )
    }
    evidence: dict[int, list] = defaultdict(list)
    for course_id, question_id, fraction, points, keys in db.session.execute(
        select(
            Quiz.course_id, Response.question_id, Response.fraction, Response.max_points, QuestionVersion.outcome_keys
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
        .where(
            Quiz.course_id.in_(course_ids),
            Attempt.user_id == user_id,
            Attempt.state != AttemptState.IN_PROGRESS,
            Response.fraction.is_not(None),
        )
        .order_by(Attempt.id, Response.position)
    ):
        evidence[course_id].append((question_id, fraction, points, list(keys or [])))
    out: dict[tuple[int, str], tuple[float | None, bool]] = {}
    for course_id in course_ids:
        mastery = mastery_from_evidence(evidence.get(course_id, []))
        for (cid, key), threshold in thresholds.items():
            if cid == course_id:
                percent = mastery.get(key)
                out[(cid, key)] = (percent, percent is not None and percent >= threshold)
    return out


def outcome_mastery(programme: Programme, user: User) -> list[OutcomeStanding]:
    """Programme outcomes with mastery computed from the learner's evidence in the mapped courses."""
    course_ids = sorted({m["course_id"] for o in programme.outcomes for m in o.course_outcomes or []})
    reports = _course_mastery(user.id, course_ids) if course_ids else {}
    out = []
    for outcome in programme.outcomes:
        mapped = [(m["course_id"], m["key"]) for m in outcome.course_outcomes or []]
        values = [reports.get(pair, (None, False)) for pair in mapped]
        known = [v[0] for v in values if v[0] is not None]
        percent = round(sum(v[0] or 0 for v in values) / len(values), 1) if known else None
        out.append(
            OutcomeStanding(
                code=outcome.code,
                text=outcome.text,
                percent=percent,
                mastered=bool(values) and all(v[1] for v in values),
            )
        )
    return out


@dataclass
class OutcomeStanding:
    """A programme outcome with the learner's mastery from course evidence."""

    code: str
    text: str
    percent: float | None
    mastered: bool
