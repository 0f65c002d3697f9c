"""What quizzes announce (see academy.core.events); higher features listen, quizzes never name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AttemptGraded:
    """An attempt has its final score; it may complete the course of the learner's enrolment."""

    attempt_id: int
    enrolment_id: int
