"""Background work for quizzes: submitting attempts whose deadline has passed."""

from __future__ import annotations

from academy.extensions import db
from academy.jobs import QUEUE_DEFAULT, enqueue_after_commit
from academy.quizzes import clock
from academy.quizzes.models import Attempt
from academy.quizzes.services import attempts as services


def close_overdue_attempt(attempt_id: int) -> bool:
    """Submit one attempt if it is still open past its deadline; safe to run twice."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        return False
    closed = services.close_if_overdue(attempt, now=clock.now())
    db.session.commit()
    return closed


def queue_overdue() -> int:
    """Queue one closing job per overdue attempt (run by the sweep); returns how many."""
    ids = services.overdue_attempt_ids(clock.now())
    for attempt_id in ids:
        enqueue_after_commit(close_overdue_attempt, attempt_id, queue=QUEUE_DEFAULT)
    db.session.commit()
    return len(ids)


def close_overdue_sweep() -> int:
    """Submit every overdue attempt in this process, one transaction each; returns how many."""
    closed = 0
    for attempt_id in services.overdue_attempt_ids(clock.now()):
        closed += bool(close_overdue_attempt(attempt_id))
    return closed
