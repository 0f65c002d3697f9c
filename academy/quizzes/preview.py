"""Preview a quiz as a learner: questions drawn and graded in memory, never stored.

A preview builds unsaved Response rows (no Attempt, nothing added to the session), so it is not
recorded, not counted in item analysis or mastery, and needs no enrolment. The draw is seeded, so
the page that shows the questions and the POST that grades them agree on the same questions.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from academy.extensions import db
from academy.quizzes import grading
from academy.quizzes.models import Question, QuestionVersion, Quiz, Response
from academy.quizzes.services import bank
from academy.quizzes.services.attempts import answer_from_form, display_order, draw

MAX_SEED = 2**31


@dataclass
class PreviewResult:
    """A graded preview: points earned, points possible, how many wait for a trainer."""

    score: float
    max_score: float
    waiting: int

    @property
    def percent(self) -> float:
        """The score in percent of the points possible (0 for an empty quiz)."""
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0


def new_seed() -> int:
    """A fresh seed for a new draw."""
    return secrets.randbelow(MAX_SEED)


def build(quiz: Quiz, seed: int, questions: list[Question] | None = None) -> list[Response]:
    """The questions a learner could get, drawn with `seed`, as unsaved responses."""
    rng = random.Random(seed)
    drawn = draw(quiz, rng)
    # The page shows the bank's own versions (ORM objects); the draw names them.
    current = {q.current_version.id: q.current_version for q in questions or bank.list_questions(quiz.course)}
    missing = [snap.id for snap in drawn if snap.id not in current]
    if missing:  # an edit committed between the two reads
        current.update(
            (v.id, v) for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(missing)))
        )
    responses = []
    for position, snap in enumerate(drawn, start=1):
        version = current[snap.id]
        responses.append(
            Response(
                position=position,
                question_id=snap.question_id,
                question_version_id=version.id,
                version=version,
                max_points=float(version.points),
                order=display_order(version, shuffle=quiz.shuffle_answers, rng=rng),
                answer=None,
                comment="",
            )
        )
    return responses


def grade(responses: list[Response], values: Callable[[str], list[str]]) -> PreviewResult:
    """Read the posted answers into the responses and grade them as a submission would."""
    earned = possible = 0.0
    waiting = 0
    for response in responses:
        response.answer = answer_from_form(response, values)
        result = grading.grade(response.version.type, response.version.data or {}, response.answer)
        response.fraction = result.fraction
        response.score = grading.score(result.fraction, response.max_points)
        possible += response.max_points
        if response.score is None:
            waiting += 1
        else:
            earned += response.score
    return PreviewResult(round(earned, 2), round(possible, 2), waiting)
