"""What courses announce (see academy.core.events); higher features listen, courses never name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LessonsCompleted:
    """Every required lesson of an enrolment is read (emitted on each completion once that holds)."""

    enrolment_id: int
